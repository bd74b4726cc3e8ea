package io.certkeeper.cli;

import io.certkeeper.store.CertificateRecord;
import io.certkeeper.store.CertificateRepository;
import io.certkeeper.store.IssuedCertificateRecord;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.util.Json;
import io.certkeeper.x509.CertificateInfo;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    @Option(names = "--issued", description = "Only certificates issued by the local CA.")
    boolean issued;

    @Option(names = "--observed", description = "Only certificates observed on endpoints or in files.")
    boolean observed;
  }

  @Option(names = "--expiring-within", paramLabel = "DURATION",
      description = "Only certificates whose notAfter is within DURATION from now (expired ones included).")
  String expiringWithin;

  @Option(names = "--limit", paramLabel = "N", description = "At most N certificates (default: ${DEFAULT-VALUE}).")
  int limit = 1000;

  @Option(names = "--json", description = "Print a JSON array (a stable shape, see README).")
  boolean json;

  /**
   * One certificate in {@code list --json}.
   *
   * @param status {@code valid}, {@code expired}, {@code not-yet-valid} or {@code revoked}
   * @param profile for issued certificates: root, intermediate, server, client, server-client
   */
  record Listed(String serial, String sha256, String commonName, String subject, String issuer, List<String> sans, Instant notBefore,
      Instant notAfter, String source, String status, String profile, Instant revokedAt, String revocationReason,
      String keyAlgorithm, int keySize) {}

  @Override
  public Integer call() throws Exception {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    if (limit < 1) {
      throw CliException.usage("--limit must be at least 1");
    }
    Instant now = root.clock().instant();
    Optional<Instant> before = expiringWithin == null ? Optional.empty()
        : Optional.of(now.plus(CaContext.duration("--expiring-within", expiringWithin)));
    Optional<CertificateRecord.Source> src = source == null ? Optional.empty()
        : Optional.of(source.issued ? CertificateRecord.Source.ISSUED : CertificateRecord.Source.OBSERVED);
    List<Listed> rows = new ArrayList<>();
    try (Store store = root.openStore()) {
      List<CertificateRecord> certs = new CertificateRepository(store).list(src, before, limit);
      Map<String, IssuedCertificateRecord> issued = new IssuedCertificateRepository(store).bySha256();
      for (CertificateRecord c : certs) {
        rows.add(listed(c, Optional.ofNullable(issued.get(c.info().sha256())), now));
      }
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
    out.printf("%-34s %-20s %-8s %-9s %-13s %s%n", "SERIAL", "NOT AFTER", "STATUS", "SOURCE", "PROFILE", "SUBJECT (SANS)");
    for (Listed r : rows) {
      out.printf("%-34s %-20s %-8s %-9s %-13s %s%s%n", r.serial(), r.notAfter(), r.status(), r.source(),
          r.profile() == null ? "-" : r.profile(), r.commonName(),
          r.sans().isEmpty() ? "" : " (" + String.join(", ", r.sans()) + ")");
    }
    return ExitCodes.OK;
  }

  static Listed listed(CertificateRecord c, Optional<IssuedCertificateRecord> issued, Instant now) {
    CertificateInfo i = c.info();
    String status;
    if (issued.isPresent() && issued.get().revoked()) {
      status = "revoked";
    } else if (!now.isBefore(i.notAfter())) {
      status = "expired";
    } else if (now.isBefore(i.notBefore())) {
      status = "not-yet-valid";
    } else {
      status = "valid";
    }
    return new Listed(i.serial(), i.sha256(), i.subjectCommonName(), i.subject(), i.issuer(), i.sans(), i.notBefore(), i.notAfter(),
        c.source().code(), status, issued.map(IssuedCertificateRecord::profile).orElse(null),
        issued.flatMap(IssuedCertificateRecord::revokedAt).orElse(null),
        issued.flatMap(IssuedCertificateRecord::revocationReason).orElse(null), i.keyAlgorithm(), i.keySize());
  }

}
