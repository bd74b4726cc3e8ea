package io.certkeeper.cli;

/** Implemented by commands whose usage errors exit with another code than {@link ExitCodes#USAGE}. */
public interface UsageExitCode {
  int usageExitCode();
}
