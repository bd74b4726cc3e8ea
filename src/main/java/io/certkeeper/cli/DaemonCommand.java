package io.certkeeper.cli;

import io.certkeeper.config.Config;
import io.certkeeper.daemon.Daemon;
import io.certkeeper.daemon.Logging;
import io.certkeeper.daemon.Signals;
import io.certkeeper.daemon.SystemdNotifier;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "daemon",
    mixinStandardHelpOptions = true,
    description = {
      "Run the daemon in the foreground until SIGTERM or SIGINT (exit 0).",
      "SIGHUP reloads the configuration; an invalid new configuration is logged and the old one stays.",
      "Logs go to stdout (journald format when $JOURNAL_STREAM is set).",
      "Under systemd (Type=notify) it reports readiness, reloads and stopping to $NOTIFY_SOCKET,",
      "and pings the watchdog when WatchdogSec= is set."
    })
final class DaemonCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Signals.early();
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    Config config = root.config();
    Logging.forDaemon(root.verbose() ? "debug" : config.log().level(), root.env());
    Path dataDir = root.dataDir();
    Daemon daemon = new Daemon(config, root::loadConfig, dataDir, root.clock(), CrashAtStep.fromEnvironment(root.env()));
    Signals.install(daemon);
    int code;
    try (SystemdNotifier systemd = SystemdNotifier.fromEnvironment(root.env())) {
      daemon.notifySystemd(systemd);
      code = daemon.run();
    }
    return code == Daemon.EXIT_START_FAILED ? ExitCodes.START_FAILED : code;
  }
}
