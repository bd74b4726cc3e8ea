package io.certkeeper.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs certkeeper in-process against one config file and data dir, with its own environment. */
final class ConfiguredCli {
  /** What one command line produced. */
  record Run(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  private final Path config;
  private final Path dataDir;
  private final Map<String, String> env;

  ConfiguredCli(Path config, Path dataDir, Map<String, String> env) {
    this.config = config;
    this.dataDir = dataDir;
    this.env = env;
  }

  ConfiguredCli withEnv(Map<String, String> newEnv) {
    return new ConfiguredCli(config, dataDir, newEnv);
  }

  Path dataDir() {
    return dataDir;
  }

  Run run(String... args) {
    List<String> all = new ArrayList<>(List.of("--config", config.toString(), "--data-dir", dataDir.toString()));
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(all.toArray(new String[0]), new PrintWriter(out), new PrintWriter(err), env, Clock.systemUTC());
    return new Run(code, out.toString(), err.toString());
  }
}
