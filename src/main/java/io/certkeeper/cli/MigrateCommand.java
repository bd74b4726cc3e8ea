package io.certkeeper.cli;

import io.certkeeper.store.Store;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description = {
      "Create or upgrade the store's schema to this version's, then exit. Only this command and the",
      "daemon change the schema; every other command refuses a store whose schema is older or newer",
      "than its own. In fleet mode, stop the nodes, run it once from the new version (or let the first",
      "upgraded daemon do it), and upgrade every node before starting it again."
    })
final class MigrateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    try (Store store = root.openStore(Store.Schema.MIGRATE)) {
      String was = store.migratedFrom();
      if (was.equals(store.schemaVersion())) {
        root.out().println("store schema: version " + store.schemaVersion() + ", nothing to do");
      } else {
        root.out().println("store schema: version " + store.schemaVersion() + " (was " + was + ")");
      }
      root.out().flush();
    }
    return ExitCodes.OK;
  }
}
