package io.certkeeper.cli;

import io.certkeeper.config.Config;
import io.certkeeper.config.ConfigLoader;
import io.certkeeper.util.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Work with the configuration file.",
    subcommands = {HelpCommand.class, ConfigCommand.Check.class, SystemdDropinCommand.class})
final class ConfigCommand {

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Validate the configuration and print the effective configuration (defaults filled in,",
        "secrets shown as references, passwords in URLs masked); it loads again as it is.",
        "Exit 0 when valid, 2 when not."
      })
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print {\"valid\": true, \"file\", \"dataDir\", \"config\": {...}}.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing; only the exit code tells.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
      CertkeeperCommand root = CertkeeperCommand.of(spec);
      Config config = root.config();
      Path dataDir = root.dataDir();
      PrintWriter out = root.out();
      if (quiet) {
        return ExitCodes.OK;
      }
      String file = config.file().map(Path::toString).orElse(null);
      if (json) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("valid", true);
        doc.put("file", file);
        doc.put("dataDir", dataDir.toString());
        doc.put("config", ConfigLoader.effective(config));
        out.println(Json.pretty(doc));
      } else {
        out.println("# " + (file == null ? "no configuration file; defaults" : file + ": OK"));
        out.println("# effective data dir: " + dataDir);
        out.print(ConfigLoader.render(config));
      }
      return ExitCodes.OK;
    }
  }
}
