package io.certkeeper.daemon;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>The JDK's only API for this is {@code sun.misc.Signal} (module {@code jdk.unsupported}). It is
 * reached by reflection because javac warns about every use of it, even under
 * {@code @SuppressWarnings}, and the build treats warnings as errors.
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
    handle("TERM", () -> STOP.set(true));
    handle("INT", () -> STOP.set(true));
    handle("HUP", () -> RELOAD.set(true));
  }

  public static void install(Daemon daemon) {
    handle("TERM", daemon::requestStop);
    handle("INT", daemon::requestStop);
    handle("HUP", daemon::requestReload);
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

  private static void handle(String name, Runnable action) {
    // the JVM keeps an inherited ignore and answers with SIG_IGN instead of installing the handler
    if (SunMiscSignal.handle(name, action) == SunMiscSignal.SIG_IGN) {
      synchronized (IGNORED) {
        IGNORED.add(name);
      }
    }
  }

  /** {@code sun.misc.Signal.handle(new Signal(name), handler)}, through reflection. */
  private static final class SunMiscSignal {
    private static final Class<?> HANDLER_TYPE;
    private static final Constructor<?> NEW_SIGNAL;
    private static final Method HANDLE;
    /** {@code sun.misc.SignalHandler.SIG_IGN}: what {@code handle} returns for an ignored signal. */
    static final Object SIG_IGN;

    static {
      try {
        Class<?> signal = Class.forName("sun.misc.Signal");
        HANDLER_TYPE = Class.forName("sun.misc.SignalHandler");
        NEW_SIGNAL = signal.getConstructor(String.class);
        HANDLE = signal.getMethod("handle", signal, HANDLER_TYPE);
        SIG_IGN = HANDLER_TYPE.getField("SIG_IGN").get(null);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private SunMiscSignal() {}

    /** Installs {@code action} for the signal and returns the handler it replaced. */
    static Object handle(String name, Runnable action) {
      Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {HANDLER_TYPE},
          (proxy, method, args) -> switch (method.getName()) {
            case "handle" -> {
              action.run();
              yield null;
            }
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> "certkeeper handler of SIG" + name;
            default -> throw new UnsupportedOperationException(method.getName());
          });
      try {
        return HANDLE.invoke(null, NEW_SIGNAL.newInstance(name), handler);
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw new IllegalStateException("cannot handle SIG" + name, e.getCause());
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot handle SIG" + name, e);
      }
    }
  }
}
