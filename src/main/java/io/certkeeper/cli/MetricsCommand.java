package io.certkeeper.cli;

import io.certkeeper.metrics.Metrics;
import io.certkeeper.store.Store;
import io.certkeeper.util.AtomicFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "metrics",
    mixinStandardHelpOptions = true,
    description = {
      "Print the store's metrics in the Prometheus text format: certificate validity, renewal times and",
      "each endpoint's last probe (see README, 'Metrics'). Works while the daemon runs.",
      "For node_exporter's textfile collector, write with --out into its directory from a timer."
    })
final class MetricsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--out", paramLabel = "FILE",
      description = "Write to FILE atomically (mode 0644) instead of stdout, so a collector never reads half a file.")
  Path out;

  @Override
  public Integer call() throws Exception {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    StringWriter text = new StringWriter();
    try (Store store = root.openStore()) {
      Metrics.ofStore(store, root.config().nodeName()).writeTo(text);
    }
    if (out == null) {
      root.out().print(text);
      root.out().flush();
      return ExitCodes.OK;
    }
    try {
      AtomicFiles.write(out, text.toString().getBytes(StandardCharsets.UTF_8), AtomicFiles.PUBLIC);
    } catch (IOException e) {
      throw new CliException(ExitCodes.USAGE, "cannot write " + out + ": " + io.certkeeper.util.ErrorText.reason(out, e), e);
    }
    return ExitCodes.OK;
  }
}
