package io.certkeeper.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code openssl} (or any) command line in tests, with a timeout. */
public final class OpenSsl {
  private OpenSsl() {}

  /** The result of one command. */
  public record Result(int exitCode, String output) {
    public Result requireSuccess() {
      if (exitCode != 0) {
        throw new AssertionError("command failed (" + exitCode + "): " + output);
      }
      return this;
    }
  }

  /** Runs {@code openssl args...} in {@code dir}; stdout and stderr merged. */
  public static Result run(Path dir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    return exec(dir, cmd);
  }

  /** Runs any command in {@code dir}; stdout and stderr merged; 60 s at most. */
  public static Result exec(Path dir, List<String> cmd) throws IOException, InterruptedException {
    java.io.File log = java.io.File.createTempFile("certkeeper-exec", ".out");
    try {
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new AssertionError("timed out: " + cmd + "\n" + java.nio.file.Files.readString(log.toPath()));
      }
      return new Result(p.exitValue(), new String(java.nio.file.Files.readAllBytes(log.toPath()), StandardCharsets.UTF_8));
    } finally {
      log.delete();
    }
  }

  /** A self-signed EC P-256 certificate for {@code cn} written as {@code name}.pem / {@code name}.key. */
  public static Path selfSigned(Path dir, String name, String cn, int days) throws IOException, InterruptedException {
    run(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", name + ".key", "-out", name + ".pem", "-subj", "/CN=" + cn,
        "-addext", "subjectAltName=DNS:" + cn, "-days", Integer.toString(days)).requireSuccess();
    return dir.resolve(name + ".pem");
  }

  /** A self-signed client certificate: the client profile (extendedKeyUsage clientAuth) listeners require. */
  public static Path selfSignedClient(Path dir, String name, String cn, int days)
      throws IOException, InterruptedException {
    run(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", name + ".key", "-out", name + ".pem", "-subj", "/CN=" + cn,
        "-addext", "subjectAltName=DNS:" + cn, "-addext", "extendedKeyUsage=clientAuth",
        "-days", Integer.toString(days)).requireSuccess();
    return dir.resolve(name + ".pem");
  }
}
