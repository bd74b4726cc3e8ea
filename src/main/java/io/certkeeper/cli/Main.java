package io.certkeeper.cli;

import io.certkeeper.config.ConfigException;
import io.certkeeper.daemon.Logging;
import io.certkeeper.store.StoreException;
import io.certkeeper.util.ErrorText;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** Entry point of the {@code certkeeper} command. */
public final class Main {
  private Main() {}

  /**
   * The file creation mask of every certkeeper process: what it, H2 and logback create (the store,
   * its lock and trace files, the store password, the CA) is owner-only from the first byte,
   * whatever the mode of the folder it lands in. Files meant to be shared (a certificate written to
   * a configured path) are given their mode explicitly.
   */
  static final int UMASK = 0077;

  /** The system property that names SLF4J's provider, and logback's. */
  static final String SLF4J_PROVIDER = "slf4j.provider";
  static final String LOGBACK_PROVIDER = "ch.qos.logback.classic.spi.LogbackServiceProvider";
  /** SLF4J's own messages: it says at INFO which provider it loads when one is named. */
  static final String SLF4J_VERBOSITY = "slf4j.internal.verbosity";

  /** Netty's switch for its flight-recorder events. */
  static final String NETTY_JFR = "io.netty.jfr.enabled";

  public static void main(String[] args) {
    setUp(args);
    int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true),
        System.getenv(), Clock.systemUTC());
    System.exit(code);
  }

  /** What the process needs before any command runs: its umask, and how it logs. */
  static void setUp(String[] args) {
    io.certkeeper.util.Posix.ensureUmask(UMASK);
    // Named, SLF4J's provider is not searched for in every jar of the class path.
    if (System.getProperty(SLF4J_PROVIDER) == null) {
      System.setProperty(SLF4J_PROVIDER, LOGBACK_PROVIDER);
      if (System.getProperty(SLF4J_VERBOSITY) == null) {
        System.setProperty(SLF4J_VERBOSITY, "WARN");
      }
    }
    // Netty registers its JFR events with the flight recorder when its allocator first loads, which
    // loads the recorder itself (about 40 ms of a command's start); -Dio.netty.jfr.enabled=true
    // turns them back on for a recording.
    if (System.getProperty(NETTY_JFR) == null) {
      System.setProperty(NETTY_JFR, "false");
    }
    boolean verbose = Arrays.asList(args).contains("-v") || Arrays.asList(args).contains("--verbose");
    if (verbose) {
      Logging.forCli(true);
    }
    // Otherwise logback starts when something first logs, configured by LoggingDefaults as
    // Logging.forCli(false) would: a command that logs nothing does not pay for it.
  }

  /** Runs one command line and returns its exit code; used by {@link #main} and by tests. */
  public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env, Clock clock) {
    CertkeeperCommand root = new CertkeeperCommand(env, clock);
    CommandLine cl = CommandTree.forArgs(root, args);
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler(Main::usageError);
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> failure(e, cmd, root));
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("certkeeper: " + e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    Object user = cmd.getCommandSpec().userObject();
    return user instanceof UsageExitCode ? ((UsageExitCode) user).usageExitCode() : ExitCodes.USAGE;
  }

  private static int failure(Exception e, CommandLine cmd, CertkeeperCommand root) {
    PrintWriter err = cmd.getErr();
    err.println("certkeeper: " + oneLine(ErrorText.clean(message(e))));
    if (root.verbose()) {
      e.printStackTrace(err);
    }
    return exitCode(e);
  }

  static int exitCode(Exception e) {
    if (e instanceof ConfigException) {
      return ExitCodes.CONFIG;
    }
    if (e instanceof CliException) {
      return ((CliException) e).exitCode();
    }
    return ExitCodes.USAGE;
  }

  /**
   * What the user reads about {@code e}: our own exceptions carry a message written for them; an
   * I/O, network or other checked failure is put in words ({@link ErrorText}); an unexpected
   * runtime exception is a defect, reported without Java's words for it.
   */
  static String message(Exception e) {
    if (e instanceof ConfigException || e instanceof CliException || e instanceof StoreException) {
      return e.getMessage();
    }
    boolean expected = !(e instanceof RuntimeException) || e instanceof UncheckedIOException
        || ((e instanceof IllegalArgumentException || e instanceof IllegalStateException) && e.getMessage() != null);
    return expected ? ErrorText.of(e) : internal();
  }

  private static String internal() {
    return "internal error; run the command again with --verbose to see where, and report it";
  }

  static String oneLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    return message.replaceAll("\\s*\\R\\s*", " ").trim();
  }
}
