package io.certkeeper.daemon;

import sun.misc.Signal;

/**
 * Routes POSIX signals to the daemon: SIGTERM and SIGINT stop it cleanly (exit 0), SIGHUP reloads
 * the configuration. Handlers only queue a request; the work happens on the daemon's thread.
 */
public final class Signals {
  private Signals() {}

  public static void install(Daemon daemon) {
    Signal.handle(new Signal("TERM"), s -> daemon.requestStop());
    Signal.handle(new Signal("INT"), s -> daemon.requestStop());
    Signal.handle(new Signal("HUP"), s -> daemon.requestReload());
  }
}
