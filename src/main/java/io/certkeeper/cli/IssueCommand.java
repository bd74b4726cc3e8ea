package io.certkeeper.cli;

import io.certkeeper.ca.CaException;
import io.certkeeper.ca.IssueRequest;
import io.certkeeper.ca.IssuedCertificate;
import io.certkeeper.ca.IssuedFiles;
import io.certkeeper.ca.LocalCa;
import io.certkeeper.ca.Profile;
import io.certkeeper.ca.San;
import io.certkeeper.config.SecretRef;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.util.Json;
import io.certkeeper.x509.CertificateInfo;
import io.certkeeper.x509.KeyType;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "issue",
    mixinStandardHelpOptions = true,
    description = {
      "Issue a certificate with a new key from the local CA.",
      "Writes into --out-dir: key.pem (PKCS#8, 0600), cert.pem, chain.pem (issuer chain without the root),",
      "fullchain.pem and bundle.p12 (key + chain; its password from --p12-password, else generated into",
      "bundle.p12.pass, 0600).",
      "The certificate is recorded in the store before any file is written. The CN is always also a SAN.",
      "With --batch FILE, issues one certificate per row of a tab-separated file (header: cn, out-dir, and any",
      "of sans, profile, key-type, validity) on several threads; every row is checked before the first is issued."
    })
final class IssueCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin PassphraseOption passphrase;

  @Option(names = "--cn", paramLabel = "NAME",
      description = "Common name: a DNS name, IP address or e-mail address (it becomes a SAN too).")
  String cn;

  @Option(names = "--san", paramLabel = "TYPE:NAME",
      description = "Further subject alternative name: dns:X, ip:X, email:X or uri:X (repeatable).")
  List<String> sans = new ArrayList<>();

  @Option(names = "--key-type", paramLabel = "TYPE",
      description = "ec-p256, ec-p384, rsa-2048, rsa-3072, rsa-4096 or ed25519 (default: ca.key-type, ec-p256).")
  String keyType;

  @Option(names = "--validity", paramLabel = "DURATION", description = "Validity (default: ca.validity, 90d).")
  String validity;

  @Option(names = "--profile", paramLabel = "PROFILE", description = "server (default), client or server-client.")
  String profile = Profile.DEFAULT.code();

  @Option(names = "--p12-password", paramLabel = "REF",
      description = "Password of bundle.p12 as a secret reference: file:/path, env:NAME or credential:NAME.")
  String p12Password;

  @Option(names = "--out-dir", paramLabel = "DIR", description = "Where to write the files.")
  Path outDir;

  @Option(names = "--batch", paramLabel = "FILE",
      description = "Issue one certificate per row of FILE (tab-separated, with a header line; see above)"
          + " instead of --cn/--san/--profile/--key-type/--validity/--out-dir.")
  Path batch;

  @Option(names = "--threads", paramLabel = "N",
      description = "With --batch: certificates issued at once (default: four per processor, at most 64).")
  Integer threads;

  @Option(names = "--no-p12", description = "Do not write bundle.p12 (and bundle.p12.pass).")
  boolean noP12;

  @Option(names = "--force", description = "Replace files of an earlier certificate in --out-dir.")
  boolean force;

  @Option(names = "--json", description = "Print the issued certificate as JSON.")
  boolean json;

  /** The JSON shape of {@code issue --json} and {@code sign --json}. */
  record Issued(String serial, String sha256, String subject, List<String> sans, String profile, String keyType,
      java.time.Instant notBefore, java.time.Instant notAfter, List<String> files) {
    static Issued of(IssuedCertificate c, List<Path> files) {
      CertificateInfo info = CertificateInfo.of(c.certificate());
      String type = KeyType.of(c.certificate().getPublicKey()).map(KeyType::code).orElse(info.keyAlgorithm());
      return new Issued(info.serial(), info.sha256(), info.subject(), info.sans(), c.profile().code(), type,
          info.notBefore(), info.notAfter(), files.stream().map(Path::toString).collect(Collectors.toList()));
    }
  }

  @Override
  public Integer call() throws Exception {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    CaContext ctx = new CaContext(root);
    if (noP12 && p12Password != null) {
      throw CliException.usage("--p12-password and --no-p12 cannot be given together");
    }
    if (batch != null) {
      if (cn != null || !sans.isEmpty() || keyType != null || validity != null || outDir != null
          || !profile.equals(Profile.DEFAULT.code())) {
        throw CliException.usage("--batch takes the names, profile, key type, validity and folder from its file;"
            + " --cn, --san, --profile, --key-type, --validity and --out-dir cannot be given with it");
      }
      return new IssueBatchRun(root, ctx, passphrase, batch, threads, p12Password, !noP12, force, json).call();
    }
    if (threads != null) {
      throw CliException.usage("--threads goes with --batch");
    }
    if (cn == null || outDir == null) {
      throw CliException.usage("give --cn and --out-dir (or --batch FILE)");
    }
    IssueRequest request;
    try {
      List<San> extra = new ArrayList<>();
      for (String s : sans) {
        extra.add(San.parse(s));
      }
      KeyType type = keyType != null ? CaContext.keyType("--key-type", keyType) : ctx.config().keyType();
      Duration d = validity != null ? CaContext.duration("--validity", validity) : ctx.config().validity();
      request = IssueRequest.withNewKey(cn, extra, type, d, Profile.parse(profile));
    } catch (IllegalArgumentException e) {
      throw CliException.usage(e.getMessage());
    }
    if (!force && !IssuedFiles.existing(outDir).isEmpty()) {
      throw CliException.usage(IssuedFiles.existing(outDir).get(0) + " exists; refusing to overwrite (use --force)");
    }
    Optional<char[]> p12 = p12Password(root, p12Password);
    LocalCa ca = ctx.load(passphrase.file);
    IssuedCertificate issued;
    try (Store store = root.openStore()) {
      IssuedCertificateRepository repo = new IssuedCertificateRepository(store);
      issued = ctx.issuer(ca, repo).issue(request);
      ctx.crlPublisher(ca, repo).refreshIfDue();
    } catch (CaException e) {
      throw CaContext.fail(e);
    }
    List<Path> files;
    try {
      files = IssuedFiles.write(outDir, issued, p12, !noP12);
    } catch (IOException e) {
      throw CliException.usage("certificate " + issued.serialHex() + " was issued and recorded, but writing "
          + outDir + " failed: " + io.certkeeper.util.ErrorText.of(e) + "; revoke it with 'certkeeper revoke " + issued.serialHex() + "'");
    } finally {
      p12.ifPresent(p -> Arrays.fill(p, '\0'));
    }
    print(root.out(), Issued.of(issued, files), json);
    return ExitCodes.OK;
  }

  /** The bundle password {@code ref} names (a secret reference), or empty when none was given. */
  static Optional<char[]> p12Password(CertkeeperCommand root, String ref) {
    if (ref == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(SecretRef.parse(ref, root.env()).resolve());
    } catch (IllegalArgumentException | IOException e) {
      throw CliException.usage("--p12-password: " + e.getMessage());
    }
  }

  static void print(PrintWriter out, Issued i, boolean json) {
    if (json) {
      out.println(Json.pretty(i));
      return;
    }
    out.printf("issued %s certificate for %s (%s), valid until %s%n", i.profile(), i.subject(), i.keyType(), i.notAfter());
    out.printf("serial:  %s%n", i.serial());
    out.printf("sha256:  %s%n", i.sha256());
    out.printf("names:   %s%n", String.join(", ", i.sans()));
    for (String f : i.files()) {
      out.printf("wrote    %s%n", f);
    }
  }
}
