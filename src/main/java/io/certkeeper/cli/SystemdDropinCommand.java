package io.certkeeper.cli;

import io.certkeeper.config.Config;
import io.certkeeper.config.ConfigLoader;
import io.certkeeper.config.SystemdDropin;
import io.certkeeper.util.Printable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code certkeeper config systemd-dropin}: prints {@link SystemdDropin} for the configuration, and
 * warns on stderr about what would still stop the daemon from deploying on this host (a missing
 * directory, an unknown group, an output for another user).
 */
@Command(
    name = "systemd-dropin",
    mixinStandardHelpOptions = true,
    description = {
      "Print the systemd drop-in that lets certkeeper.service write what the configuration deploys.",
      "ReadWritePaths= names the directory of every output (and a data-dir outside /var/lib/certkeeper); "
          + "SupplementaryGroups= the groups outputs are given to. Install it as "
          + "/etc/systemd/system/certkeeper.service.d/outputs.conf, then run systemctl daemon-reload and "
          + "restart the daemon. Exit 0, or 2 when the configuration is invalid."
    })
final class SystemdDropinCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Configuration file (default: the one certkeeper's own --config names).")
  Path configFile;

  @Override
  public Integer call() throws Exception {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    Config config = configFile != null ? ConfigLoader.load(configFile) : root.config();
    SystemdDropin dropin = SystemdDropin.of(config);
    PrintWriter out = root.out();
    out.print(dropin.render());
    out.flush();
    PrintWriter err = root.err();
    for (Path dir : dropin.writableDirectories()) {
      if (!Files.isDirectory(dir)) {
        err.println("certkeeper: warning: " + dir + " does not exist here; create it, writable by the user "
            + SystemdDropin.SERVICE_USER + ", before restarting the daemon");
      }
    }
    for (String group : dropin.groups()) {
      if (!groupExists(group)) {
        err.println("certkeeper: warning: there is no group '" + group + "' here; systemd refuses to start the"
            + " service with SupplementaryGroups=" + group);
      }
    }
    for (Map.Entry<Path, String> e : dropin.foreignOwners().entrySet()) {
      err.println("certkeeper: warning: " + e.getKey() + " is given to the user '" + Printable.line(e.getValue())
          + "': only a daemon running as root can do that");
    }
    err.flush();
    return ExitCodes.OK;
  }

  private static boolean groupExists(String group) {
    try {
      FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
      return true;
    } catch (UserPrincipalNotFoundException e) {
      return false;
    } catch (IOException e) {
      return true; // cannot tell; systemd will say so at start
    }
  }
}
