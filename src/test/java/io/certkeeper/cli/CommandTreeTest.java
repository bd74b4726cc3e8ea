package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.CommandSpec;

class CommandTreeTest {
  private static CommandSpec rootSpec() {
    return new CommandLine(new CertkeeperCommand(Map.of(), Clock.systemUTC())).getCommandSpec();
  }

  private static List<Class<?>> needed(String... args) {
    return CommandTree.needed(rootSpec(), args);
  }

  @Test
  void aCommandLineThatNamesItsCommandNeedsThatCommandOnly() {
    assertEquals(List.of(StatusCommand.class), needed("status"));
    assertEquals(List.of(StatusCommand.class), needed("--config", "c.yaml", "-v", "status", "--json"));
    assertEquals(List.of(ListCommand.class), needed("--config=c.yaml", "--data-dir", "d", "list"));
    assertEquals(List.of(EndpointCommand.class), needed("endpoint", "add", "example.org:443"));
  }

  @Test
  void aGlobalOptionsValueIsNotTakenForTheCommand() {
    assertEquals(List.of(ListCommand.class), needed("--config", "status", "list"));
    assertEquals(List.of(VerifyCommand.class), needed("--data-dir", "probe", "verify", "leaf.pem"));
  }

  @Test
  void versionNeedsTheRootAlone() {
    assertEquals(List.of(), needed("--version"));
    assertEquals(List.of(), needed("-V"));
    assertEquals(List.of(VerifyCommand.class), needed("-V", "verify"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"--help", "-h", "help", "", "statsu", "--", "-vh", "--unknown"})
  void helpNoCommandAndAnythingUnknownNeedTheWholeTree(String arg) {
    String[] args = arg.isEmpty() ? new String[0] : arg.split(" ");
    assertEquals(CommandTree.SUBCOMMANDS, needed(args));
  }

  @Test
  void everySubcommandIsFoundByItsName() {
    for (Class<?> c : CommandTree.SUBCOMMANDS) {
      String name = c.getAnnotation(CommandLine.Command.class).name();
      assertEquals(c, CommandTree.byName(name).orElseThrow(), name);
    }
  }

  @Test
  void aCommandsUsageIsTheSameInItsOwnTreeAndInTheWholeTree() {
    CommandLine full = CommandTree.full(new CertkeeperCommand(Map.of(), Clock.systemUTC()));
    for (Map.Entry<String, CommandLine> e : full.getSubcommands().entrySet()) {
      CommandLine own = CommandTree.forArgs(new CertkeeperCommand(Map.of(), Clock.systemUTC()),
          new String[] {e.getKey(), "--help"});
      CommandLine sub = e.getKey().equals("help") ? own.getSubcommands().get("help")
          : own.getSubcommands().get(e.getKey());
      assertEquals(e.getValue().getUsageMessage(Ansi.OFF), sub.getUsageMessage(Ansi.OFF), e.getKey());
    }
  }

  @Test
  void theCommandLineRunsTheCommandItNamesAndReportsUnknownOnesWithSuggestions() {
    CliRunner.Run version = CliRunner.run("--version");
    assertEquals(0, version.exitCode(), version.err());
    assertTrue(version.out().startsWith("certkeeper "), version.out());
    CliRunner.Run typo = CliRunner.run("statsu");
    assertEquals(ExitCodes.USAGE, typo.exitCode());
    assertTrue(typo.err().contains("Did you mean: certkeeper status"), typo.err());
    CliRunner.Run help = CliRunner.run("help", "verify");
    assertEquals(0, help.exitCode(), help.err());
    assertTrue(help.out().startsWith("Usage: certkeeper verify"), help.out());
  }
}
