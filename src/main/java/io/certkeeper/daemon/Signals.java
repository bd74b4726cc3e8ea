package io.certkeeper.daemon;

import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * Routes POSIX signals to the daemon: SIGTERM and SIGINT stop it cleanly (exit 0), SIGHUP reloads
 * the configuration. Handlers only queue a request; the work happens on the daemon's thread.
 *
 * <p>{@link #early()} takes the signals over before there is a daemon (while the configuration is
 * read): a signal then is remembered and handed to the daemon by {@link #install}, instead of the
 * JVM's default of exiting at once (SIGHUP included).
 */
public final class Signals {
  private static final AtomicBoolean STOP = new AtomicBoolean();
  private static final AtomicBoolean RELOAD = new AtomicBoolean();

  private Signals() {}

  /** Remembers SIGTERM, SIGINT and SIGHUP until {@link #install} routes them. */
  public static void early() {
    Signal.handle(new Signal("TERM"), s -> STOP.set(true));
    Signal.handle(new Signal("INT"), s -> STOP.set(true));
    Signal.handle(new Signal("HUP"), s -> RELOAD.set(true));
  }

  public static void install(Daemon daemon) {
    Signal.handle(new Signal("TERM"), s -> daemon.requestStop());
    Signal.handle(new Signal("INT"), s -> daemon.requestStop());
    Signal.handle(new Signal("HUP"), s -> daemon.requestReload());
    if (RELOAD.getAndSet(false)) {
      daemon.requestReload();
    }
    if (STOP.getAndSet(false)) {
      daemon.requestStop();
    }
  }
}
