package io.certkeeper.cli;

import io.certkeeper.config.Config;
import io.certkeeper.config.ConfigException;
import io.certkeeper.config.ConfigLoader;
import io.certkeeper.daemon.StoreOpener;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import io.certkeeper.store.StoreWait;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The root command: global options and the environment every subcommand reads (configuration,
 * data directory, store, clock, output streams). Its subcommands are added by {@link CommandTree}.
 */
@Command(
    name = "certkeeper",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Certificate lifecycle daemon: inventory, probe, issue and renew, serve, alert.",
    footer = {
      "",
      "Exit codes: 0 ok, 1 usage or operation error, 2 configuration error, 3 daemon could not start;",
      "some commands add their own (see their --help)."
    })
public final class CertkeeperCommand {
  /** Where the configuration is looked for when neither --config nor $CERTKEEPER_CONFIG is given. */
  public static final Path DEFAULT_CONFIG = Path.of("/etc/certkeeper/certkeeper.yaml");
  /** The data directory when nothing else names one. */
  public static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/certkeeper");

  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Configuration file (default: $CERTKEEPER_CONFIG, else " + "/etc/certkeeper/certkeeper.yaml).")
  Path configFile;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Data directory (default: the config's data-dir, else $STATE_DIRECTORY, else /var/lib/certkeeper).")
  Path dataDirOption;

  @Option(names = {"-v", "--verbose"}, description = "Debug logging, and stack traces with errors.")
  boolean verbose;

  private final Map<String, String> env;
  private final Clock clock;
  private Config config;

  CertkeeperCommand(Map<String, String> env, Clock clock) {
    this.env = env;
    this.clock = clock;
  }

  /** The root command of the invocation that {@code spec} belongs to. */
  public static CertkeeperCommand of(CommandSpec spec) {
    return (CertkeeperCommand) spec.root().userObject();
  }

  /** The environment variables of this invocation. */
  public Map<String, String> env() {
    return env;
  }

  public Clock clock() {
    return clock;
  }

  public boolean verbose() {
    return verbose;
  }

  public PrintWriter out() {
    return spec.commandLine().getOut();
  }

  public PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** The configuration file in force, and whether the user named it (a named file must exist). */
  Optional<Path> configPath() {
    if (configFile != null) {
      return Optional.of(configFile);
    }
    String fromEnv = env.get("CERTKEEPER_CONFIG");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Optional.of(Path.of(fromEnv));
    }
    return Files.exists(DEFAULT_CONFIG) ? Optional.of(DEFAULT_CONFIG) : Optional.empty();
  }

  /** Loads (once) and returns the configuration; defaults when no file is named or installed. */
  public Config config() throws ConfigException {
    if (config == null) {
      config = loadConfig();
    }
    return config;
  }

  /** Reads the configuration file again (for reloads). */
  public Config loadConfig() throws ConfigException {
    Optional<Path> file = configPath();
    return file.isPresent() ? ConfigLoader.load(file.get()) : Config.defaults();
  }

  /** The data directory in force. */
  public Path dataDir() throws ConfigException {
    if (dataDirOption != null) {
      return dataDirOption.toAbsolutePath().normalize();
    }
    Config c = config();
    if (c.dataDir().isPresent()) {
      Path d = c.dataDir().get();
      if (!d.isAbsolute() && c.file().isPresent()) {
        Path parent = c.file().get().toAbsolutePath().getParent();
        d = parent.resolve(d);
      }
      return d.toAbsolutePath().normalize();
    }
    return dataDirWithoutConfig();
  }

  /**
   * The data directory as far as it is known without the configuration file: {@code --data-dir},
   * else {@code $STATE_DIRECTORY}, else {@link #DEFAULT_DATA_DIR}. For a command that must work while
   * the file does not load ({@code status}); the file's {@code data-dir} is then unknown.
   */
  public Path dataDirWithoutConfig() {
    if (dataDirOption != null) {
      return dataDirOption.toAbsolutePath().normalize();
    }
    String state = env.get("STATE_DIRECTORY");
    if (state != null && !state.isBlank()) {
      return Path.of(state.split(":")[0]);
    }
    return DEFAULT_DATA_DIR;
  }

  /** What a command prints, once, while the store is held by another command or a daemon that starts or stops. */
  static final String WAITING = "certkeeper: waiting for the store (held by another command, or a daemon starting or stopping)\u2026";

  /**
   * Opens the store of this configuration; the caller closes it. While another command, or a daemon
   * that is starting or stopping, holds the store, waits up to {@link StoreWait#DEFAULT_BUDGET} and says so once on stderr.
   */
  public Store openStore() throws ConfigException, StoreException {
    return openStore(config(), dataDir());
  }

  /**
   * As {@link #openStore()}, for the store of {@code config} in {@code dataDir}. Commands never
   * change the schema (only {@code migrate} and the daemon do): a store whose schema is not this
   * version's is refused with what to do.
   */
  public Store openStore(Config config, Path dataDir) throws StoreException {
    return openStore(config, dataDir, Store.Schema.CHECK);
  }

  /** As {@link #openStore()}, migrating or checking the schema as {@code schema} says. */
  public Store openStore(Store.Schema schema) throws ConfigException, StoreException {
    return openStore(config(), dataDir(), schema);
  }

  private Store openStore(Config config, Path dataDir, Store.Schema schema) throws StoreException {
    return StoreOpener.open(config, dataDir, StoreWait.upTo(StoreWait.DEFAULT_BUDGET, () -> {
      err().println(WAITING);
      err().flush();
    }), schema);
  }
}
