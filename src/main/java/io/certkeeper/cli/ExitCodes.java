package io.certkeeper.cli;

/** Process exit codes shared by all commands; commands with their own meanings document them. */
public final class ExitCodes {
  /** Success. */
  public static final int OK = 0;
  /** Wrong use (bad option, missing argument) or the operation failed. */
  public static final int USAGE = 1;
  /** The configuration file is invalid or missing. */
  public static final int CONFIG = 2;
  /** The daemon could not start one of its parts (store, scheduler, listeners). */
  public static final int START_FAILED = 3;

  private ExitCodes() {}
}
