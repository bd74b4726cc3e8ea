package io.certkeeper.cli;

import io.certkeeper.util.BoundedRead;
import io.certkeeper.util.Printable;
import io.certkeeper.util.Json;
import io.certkeeper.x509.Asn1Limits;
import io.certkeeper.x509.ChainValidator;
import io.certkeeper.x509.Crls;
import io.certkeeper.x509.Fingerprints;
import io.certkeeper.x509.PeerName;
import io.certkeeper.x509.Pem;
import io.certkeeper.x509.Problem;
import io.certkeeper.x509.PolicyInputs;
import io.certkeeper.x509.Profile;
import io.certkeeper.x509.Purpose;
import io.certkeeper.x509.TrustAnchors;
import io.certkeeper.x509.ValidationRequest;
import io.certkeeper.x509.ValidationResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Validate a certificate chain strictly: build a path to a trust anchor and check it the way a",
      "careful TLS client does (RFC 5280 and the CA/Browser Forum rules; no common-name fallback).",
      "Trust anchors: the --trusted files, plus the JDK's trust store with --system-trust or when",
      "no --trusted file is given."
    },
    footer = {
      "",
      "Exit codes: 0 valid, 2 invalid, 1 usage or input error (unreadable file, not a certificate)."
    })
final class VerifyCommand implements Callable<Integer> {
  /** Exit code when the chain was judged invalid. */
  static final int INVALID = 2;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "CERT.pem",
      description = "The leaf certificate, optionally followed by intermediates.")
  Path certificate;

  @Option(names = "--untrusted", paramLabel = "FILE",
      description = "More certificates that may serve as intermediates (repeatable).")
  List<Path> untrusted = new ArrayList<>();

  @Option(names = "--trusted", paramLabel = "FILE", description = "Trust anchors (repeatable).")
  List<Path> trusted = new ArrayList<>();

  @Option(names = "--system-trust", description = "Also trust the JDK's trust store.")
  boolean systemTrust;

  @ArgGroup(exclusive = true)
  Name name;

  /** The expected peer name: one kind at most. */
  static final class Name {
    @Option(names = "--hostname", paramLabel = "NAME", description = "Expected DNS name.")
    String hostname;

    @Option(names = "--ip", paramLabel = "ADDR", description = "Expected IP address.")
    String ip;

    @Option(names = "--email", paramLabel = "ADDR", description = "Expected e-mail address.")
    String email;
  }

  @Option(names = "--purpose", paramLabel = "server|client|any", defaultValue = "server",
      description = "What the leaf is for; any: extendedKeyUsage is not looked at (default: ${DEFAULT-VALUE}).")
  Purpose purpose;

  @Option(names = "--profile", paramLabel = "webpki|rfc5280", defaultValue = "webpki",
      description = "webpki: RFC 5280 plus the CA/Browser Forum rules (RSA >= 2048, no SHA-1 or DSA,"
          + " critical basicConstraints and policyConstraints); rfc5280: plain RFC 5280 section 6"
          + " (RSA >= 1024, SHA-1 and DSA accepted) (default: ${DEFAULT-VALUE}).")
  Profile profile;

  @Option(names = "--policy", paramLabel = "OID",
      description = "An acceptable certificate policy (repeatable): the user-initial-policy-set of"
          + " RFC 5280 6.1.1 (default: any policy). As in RFC 5280, it decides only when an explicit"
          + " policy is required (--require-explicit-policy, or a CA's policyConstraints).")
  List<String> policies = new ArrayList<>();

  @Option(names = "--require-explicit-policy",
      description = "The path must be valid for at least one acceptable policy.")
  boolean requireExplicitPolicy;

  @Option(names = "--inhibit-policy-mapping", description = "Policy mappings are not honoured.")
  boolean inhibitPolicyMapping;

  @Option(names = "--inhibit-any-policy", description = "anyPolicy in a certificate matches nothing.")
  boolean inhibitAnyPolicy;

  @Option(names = "--require-crl",
      description = "Every certificate below the trust anchor must be covered by a current --crl.")
  boolean requireCrl;

  @Option(names = "--at", paramLabel = "RFC3339-TIME",
      description = "Validate at this time instead of now, e.g. 2025-06-01T12:00:00Z.")
  String at;

  @Option(names = "--crl", paramLabel = "FILE", description = "CRLs to check against (repeatable).")
  List<Path> crls = new ArrayList<>();

  @Option(names = "--json", description = "Print the result as JSON (shape documented in README).")
  boolean json;

  /** The JSON shape of {@code verify --json}. */
  record Result(boolean valid, List<String> problems, List<PathEntry> path, String message) {}

  /** One certificate of the validated (or best partial) path, leaf first. */
  record PathEntry(String subject, String issuer, String serial, String sha256, Instant notAfter) {}

  @Override
  public Integer call() {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    Instant time = time(root);
    List<X509Certificate> served = certificates(certificate);
    List<X509Certificate> others = new ArrayList<>(served.subList(1, served.size()));
    for (Path file : untrusted) {
      others.addAll(certificates(file));
    }
    List<X509Certificate> anchorCerts = new ArrayList<>();
    for (Path file : trusted) {
      anchorCerts.addAll(certificates(file));
    }
    TrustAnchors anchors = TrustAnchors.of(anchorCerts);
    if (systemTrust || trusted.isEmpty()) {
      anchors = anchors.plus(TrustAnchors.system());
    }
    List<X509CRL> revocations = new ArrayList<>();
    for (Path file : crls) {
      revocations.addAll(crls(file));
    }
    ValidationRequest.Builder request = ValidationRequest.builder(served.get(0), anchors, time)
        .untrusted(others).purpose(purpose).crls(revocations).profile(profile)
        .policy(policyInputs()).requireRevocationCheck(requireCrl);
    peerName().ifPresent(request::peerName);
    ValidationResult result = ChainValidator.strict().validate(request.build());
    print(root.out(), result);
    return result.valid() ? ExitCodes.OK : INVALID;
  }

  private PolicyInputs policyInputs() {
    try {
      return new PolicyInputs(new java.util.HashSet<>(policies), requireExplicitPolicy,
          inhibitPolicyMapping, inhibitAnyPolicy);
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--policy: " + e.getMessage());
    }
  }

  private Instant time(CertkeeperCommand root) {
    if (at == null) {
      return root.clock().instant();
    }
    try {
      return OffsetDateTime.parse(at).toInstant();
    } catch (DateTimeParseException e) {
      throw CliException.usage("--at: '" + at + "' is not an RFC 3339 time"
          + " (like 2025-06-01T12:00:00Z)");
    }
  }

  private java.util.Optional<PeerName> peerName() {
    if (name == null) {
      return java.util.Optional.empty();
    }
    try {
      if (name.hostname != null) {
        return java.util.Optional.of(new PeerName.Dns(name.hostname));
      }
      if (name.ip != null) {
        return java.util.Optional.of(PeerName.Ip.parse(name.ip));
      }
      return java.util.Optional.of(new PeerName.Email(name.email));
    } catch (IllegalArgumentException e) {
      throw CliException.usage(e.getMessage());
    }
  }

  private static List<X509Certificate> certificates(Path file) {
    try {
      return Pem.readCertificates(file);
    } catch (IOException e) {
      throw CliException.usage(e instanceof java.nio.file.NoSuchFileException
          ? file + ": no such file" : e.getMessage());
    }
  }

  private static List<X509CRL> crls(Path file) {
    try {
      return Crls.parse(BoundedRead.bytes(file, Asn1Limits.MAX_CRL_BYTES));
    } catch (java.nio.file.NoSuchFileException e) {
      throw CliException.usage(file + ": no such file");
    } catch (BoundedRead.Refused e) {
      throw CliException.usage(e.getMessage());
    } catch (IOException e) {
      throw CliException.usage(file + ": cannot read: " + io.certkeeper.util.ErrorText.reason(file, e));
    } catch (IllegalArgumentException e) {
      throw CliException.usage(file + ": " + e.getMessage());
    }
  }

  private void print(PrintWriter out, ValidationResult result) {
    List<PathEntry> path = result.path().stream().map(VerifyCommand::entry).toList();
    if (json) {
      out.println(Json.pretty(new Result(result.valid(),
          result.problems().stream().map(Problem::code).toList(), path, result.message())));
      return;
    }
    if (result.valid()) {
      out.println("OK " + Printable.line(result.message()));
    } else {
      out.println("INVALID (" + String.join(", ",
          result.problems().stream().map(Problem::code).toList()) + ") " + Printable.line(result.message()));
    }
    for (int i = 0; i < path.size(); i++) {
      PathEntry e = path.get(i);
      out.printf("  %d %s%n    issuer %s, serial %s, not after %s%n    sha256 %s%n", i,
          Printable.line(e.subject()), Printable.line(e.issuer()), e.serial(), e.notAfter(), e.sha256());
    }
  }

  private static PathEntry entry(X509Certificate cert) {
    return new PathEntry(cert.getSubjectX500Principal().getName(),
        cert.getIssuerX500Principal().getName(), cert.getSerialNumber().toString(16),
        Fingerprints.sha256(cert), cert.getNotAfter().toInstant());
  }
}
