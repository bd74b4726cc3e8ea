package io.certkeeper.daemon;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Routes POSIX signals to the daemon: SIGTERM and SIGINT stop it cleanly (exit 0), SIGHUP reloads
 * the configuration. Handlers only queue a request; the work happens on the daemon's thread.
 *
 * <p>{@link #early()} takes the signals over before there is a daemon (while the configuration is
 * read): a signal then is remembered and handed to the daemon by {@link #install}, instead of the
 * JVM's default of exiting at once (SIGHUP included).
 *
 * <p>A signal the process was started with ignored (nohup ignores SIGHUP; a shell script's
 * background job ignores SIGINT) stays ignored: the JVM refuses a handler for it. {@link #install}
 * says so in one warning per signal, naming what still works, instead of leaving an operator to
 * find out when Ctrl-C or a reload does nothing.
 */
public final class Signals {
  private static final Logger log = LoggerFactory.getLogger(Signals.class);
  private static final AtomicBoolean STOP = new AtomicBoolean();
  private static final AtomicBoolean RELOAD = new AtomicBoolean();
  private static final Set<String> IGNORED = new TreeSet<>();
  private static final Map<String, String> WHAT_STILL_WORKS = Map.of(
      "TERM", "stop the daemon with SIGINT",
      "INT", "Ctrl-C and kill -INT do nothing: stop the daemon with SIGTERM",
      "HUP", "the configuration cannot be reloaded by signal: restart the daemon to reload it");

  private Signals() {}

  /** Remembers SIGTERM, SIGINT and SIGHUP until {@link #install} routes them. */
  public static void early() {
    handle("TERM", s -> STOP.set(true));
    handle("INT", s -> STOP.set(true));
    handle("HUP", s -> RELOAD.set(true));
  }

  public static void install(Daemon daemon) {
    handle("TERM", s -> daemon.requestStop());
    handle("INT", s -> daemon.requestStop());
    handle("HUP", s -> daemon.requestReload());
    synchronized (IGNORED) {
      for (String name : IGNORED) {
        log.warn("SIG{} is ignored (inherited from the process that started certkeeper); {}", name, WHAT_STILL_WORKS.get(name));
      }
      IGNORED.clear();
    }
    if (RELOAD.getAndSet(false)) {
      daemon.requestReload();
    }
    if (STOP.getAndSet(false)) {
      daemon.requestStop();
    }
  }

  private static void handle(String name, SignalHandler handler) {
    // the JVM keeps an inherited ignore and answers with SIG_IGN instead of installing the handler
    if (Signal.handle(new Signal(name), handler) == SignalHandler.SIG_IGN) {
      synchronized (IGNORED) {
        IGNORED.add(name);
      }
    }
  }
}
