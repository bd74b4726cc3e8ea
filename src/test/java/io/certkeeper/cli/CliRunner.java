package io.certkeeper.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.Map;

/** Runs the real command line in-process and captures what it prints. */
final class CliRunner {
  record Run(int exitCode, String out, String err) {}

  static Run run(Map<String, String> env, Clock clock, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true), env, clock);
    return new Run(code, out.toString(), err.toString());
  }

  static Run run(String... args) {
    return run(Map.of(), Clock.systemUTC(), args);
  }

  private CliRunner() {}
}
