package io.certkeeper.cli;

import io.certkeeper.util.Printable;
import io.certkeeper.report.CertificateListing;
import io.certkeeper.report.CertificateListing.Listed;

import io.certkeeper.store.CertificateRecord;
import io.certkeeper.store.Store;
import io.certkeeper.util.Json;
import io.certkeeper.util.Timestamps;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List the certificates in the store, soonest expiry first.")
final class ListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true)
  SourceFilter source;

  static final class SourceFilter {
    @Option(names = "--source", paramLabel = "SOURCE",
        description = "Only certificates issued (by the local CA), observed (on an endpoint, and not issued here)"
            + " or file (found in a watched file, whatever else is known of it).")
    String source;

    @Option(names = "--issued", description = "Same as --source issued.")
    boolean issued;

    @Option(names = "--observed", description = "Same as --source observed.")
    boolean observed;

    CertificateRecord.Source value() {
      if (issued) {
        return CertificateRecord.Source.ISSUED;
      }
      if (observed) {
        return CertificateRecord.Source.OBSERVED;
      }
      return switch (source) {
        case "issued" -> CertificateRecord.Source.ISSUED;
        case "observed" -> CertificateRecord.Source.OBSERVED;
        case "file" -> CertificateRecord.Source.FILE;
        default -> throw CliException.usage("--source must be issued, observed or file, got '" + source + "'");
      };
    }
  }

  @Option(names = "--expiring-within", paramLabel = "DURATION",
      description = "Only certificates whose notAfter is within DURATION from now (expired ones included).")
  String expiringWithin;

  @Option(names = "--limit", paramLabel = "N", description = "At most N certificates (default: ${DEFAULT-VALUE}).")
  int limit = 1000;

  @Option(names = "--json", description = "Print a JSON array (a stable shape, see README).")
  boolean json;


  @Override
  public Integer call() throws Exception {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    if (limit < 1) {
      throw CliException.usage("--limit must be at least 1");
    }
    Instant now = root.clock().instant();
    Optional<Instant> before = expiringWithin == null ? Optional.empty()
        : Optional.of(now.plus(CaContext.duration("--expiring-within", expiringWithin)));
    Optional<CertificateRecord.Source> src = source == null ? Optional.empty() : Optional.of(source.value());
    List<Listed> rows;
    try (Store store = root.openStore()) {
      rows = CertificateListing.list(store, src, before, limit, now);
    }
    PrintWriter out = root.out();
    if (json) {
      out.println(Json.pretty(rows));
      return ExitCodes.OK;
    }
    if (rows.isEmpty()) {
      out.println("no certificates");
      return ExitCodes.OK;
    }
    Table t = Table.of("SERIAL", "NOT AFTER", "STATUS", "SOURCE", "PROFILE", "SUBJECT (SANS)");
    for (Listed r : rows) {
      t.row(r.serial(), Timestamps.format(r.notAfter()), r.status(), r.source(), r.profile(),
          Printable.line(r.commonName()) + (r.sans().isEmpty() ? "" : " (" + Printable.join(r.sans()) + ")"));
    }
    t.print(out);
    return ExitCodes.OK;
  }


}
