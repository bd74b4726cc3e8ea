package io.certkeeper.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Runs a tool we did not write ({@code openssl}, {@code keytool}) as a judge, with a timeout. */
public final class ExternalTool {
  private ExternalTool() {}

  /** What the tool said: its exit code and its stdout and stderr merged. */
  public record Result(int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  /** Runs {@code command} in {@code workDir} (see {@link OpenSsl#exec}: 60 s at most, even if it hangs). */
  public static Result run(Path workDir, String... command) {
    try {
      OpenSsl.Result r = OpenSsl.exec(workDir, List.of(command));
      return new Result(r.exitCode(), r.output());
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command[0] + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
