/**
 * Wiring and lifecycle of the long-running process: {@link io.certkeeper.daemon.Daemon} starts the
 * parts in order and stops them in reverse, {@link io.certkeeper.daemon.Signals} maps SIGTERM,
 * SIGINT and SIGHUP, {@link io.certkeeper.daemon.Logging} sets up stdout or journald logging.
 */
package io.certkeeper.daemon;
