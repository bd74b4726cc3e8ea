package io.certkeeper.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes, from the whole command tree, the bash completion script (picocli's {@link AutoComplete})
 * and the AsciiDoc sources of the man pages (picocli-codegen's {@link ManPageGenerator}, one page per
 * command and subcommand), which the build then turns into man pages. Run by the build in
 * {@code prepare-package}; a build tool, so it lives with the tests and their picocli-codegen.
 *
 * <p>Arguments: the version to print, the completion file, the folder of the AsciiDoc sources.
 */
public final class DocsGenerator {
  private DocsGenerator() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: DocsGenerator VERSION COMPLETION-FILE ADOC-DIR");
    }
    String version = "certkeeper " + args[0];
    Path completion = Path.of(args[1]);
    Path adoc = Path.of(args[2]);
    CommandLine tree = tree(version);
    Files.createDirectories(completion.toAbsolutePath().getParent());
    Files.writeString(completion, AutoComplete.bash("certkeeper", tree));
    Files.createDirectories(adoc);
    int code = ManPageGenerator.generateManPage(adoc.toFile(), null, new boolean[0], true, tree.getCommandSpec());
    if (code != 0) {
      throw new IOException("man page sources: picocli's generator exited " + code);
    }
  }

  /** The whole tree, stating {@code version} instead of the building JVM's (the runtime adds its own). */
  static CommandLine tree(String version) {
    CommandLine tree = CommandTree.full(new CertkeeperCommand(Map.of(), Clock.systemUTC()));
    setVersion(tree, version);
    return tree;
  }

  private static void setVersion(CommandLine cl, String version) {
    cl.getCommandSpec().versionProvider(() -> new String[] {version});
    for (CommandLine sub : cl.getSubcommands().values()) {
      setVersion(sub, version);
    }
  }
}
