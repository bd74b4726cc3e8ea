package io.certkeeper.cli;

import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The picocli command tree of one invocation. Picocli builds a command's model from its
 * annotations, which loads every class its options name (the CA's, the prober's, ...); building
 * all of them costs a command like {@code status} more than its own work. So an invocation whose
 * command line names its subcommand gets a tree with that subcommand only, {@code --version} gets
 * the root alone, and everything else ({@code --help}, {@code help}, no command, an unknown word)
 * gets the whole tree, so help, suggestions and errors are those of the whole tree.
 */
final class CommandTree {
  /** certkeeper's commands, in the order {@code --help} lists them. */
  static final List<Class<?>> SUBCOMMANDS = List.of(
      HelpCommand.class,
      DaemonCommand.class,
      ConfigCommand.class,
      StatusCommand.class,
      EndpointCommand.class,
      ScheduleCommand.class,
      ProbeCommand.class,
      ScanCommand.class,
      FilesCommand.class,
      VerifyCommand.class,
      AlertsCommand.class,
      MailCommand.class,
      CaCommand.class,
      IssueCommand.class,
      SignCommand.class,
      RevokeCommand.class,
      CrlCommand.class,
      ListCommand.class,
      MetricsCommand.class,
      BackupCommand.class,
      RestoreCommand.class,
      RenewCommand.class,
      ExplainCommand.class,
      MigrateCommand.class);

  private CommandTree() {}

  /** The whole tree (for help, completion and man pages). */
  static CommandLine full(CertkeeperCommand root) {
    return finish(new CommandLine(root), SUBCOMMANDS);
  }

  /** The tree {@code args} needs: see the class comment. */
  static CommandLine forArgs(CertkeeperCommand root, String[] args) {
    CommandLine cl = new CommandLine(root);
    return finish(cl, needed(cl.getCommandSpec(), args));
  }

  /**
   * The subcommands an invocation with {@code args} needs, given the root's model: the one it names
   * (the first word that is not an option or an option's value), none for a bare {@code --version},
   * and all of them otherwise.
   */
  static List<Class<?>> needed(CommandSpec rootSpec, String[] args) {
    boolean version = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--")) {
        return SUBCOMMANDS;
      }
      if (a.startsWith("-") && a.length() > 1) {
        int eq = a.indexOf('=');
        OptionSpec option = rootSpec.findOption(eq > 0 ? a.substring(0, eq) : a);
        if (option == null || option.usageHelp()) {
          return SUBCOMMANDS;
        }
        version |= option.versionHelp();
        if (eq < 0 && option.arity().max() > 0) {
          i++;
        }
        continue;
      }
      Optional<Class<?>> named = byName(a);
      return named.isEmpty() || named.get() == HelpCommand.class ? SUBCOMMANDS : List.of(named.get());
    }
    return version ? List.of() : SUBCOMMANDS;
  }

  /** The subcommand called {@code name} (or with that alias). */
  static Optional<Class<?>> byName(String name) {
    for (Class<?> c : SUBCOMMANDS) {
      Command command = c.getAnnotation(Command.class);
      if (command.name().equals(name) || List.of(command.aliases()).contains(name)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  private static CommandLine finish(CommandLine cl, List<Class<?>> subcommands) {
    for (Class<?> c : subcommands) {
      cl.addSubcommand(c);
    }
    HelpText.tidy(cl);
    // After the subcommands are added: picocli applies a setting to the subcommands it has.
    cl.setUsageHelpAutoWidth(true);
    return cl;
  }
}
