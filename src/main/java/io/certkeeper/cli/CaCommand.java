package io.certkeeper.cli;

import io.certkeeper.ca.CaCertificates;
import io.certkeeper.ca.CaException;
import io.certkeeper.ca.CrlPublisher;
import io.certkeeper.ca.InitRequest;
import io.certkeeper.ca.LocalCa;
import io.certkeeper.store.CrlState;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.util.AtomicFiles;
import io.certkeeper.util.Json;
import io.certkeeper.x509.CertificateInfo;
import io.certkeeper.x509.KeyType;
import io.certkeeper.x509.Pem;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "ca",
    mixinStandardHelpOptions = true,
    description = "Create and inspect the local CA (under <data-dir>/ca).",
    subcommands = {HelpCommand.class, CaCommand.Init.class, CaCommand.Show.class, CaCommand.ExportRoot.class})
final class CaCommand {

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = {
        "Create a root CA (and with --intermediate an intermediate that issues the leaves), its keys",
        "encrypted with the CA passphrase (ca.passphrase or --passphrase-file). Refuses to overwrite",
        "an existing CA. Prints the root's SHA-256 fingerprint."
      })
  static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin PassphraseOption passphrase;

    @Option(names = "--name", paramLabel = "NAME", description = "The root's common name (default: ${DEFAULT-VALUE}).")
    String name = InitRequest.DEFAULT_NAME;

    @Option(names = "--key-type", paramLabel = "TYPE",
        description = "CA key type: ec-p256 (default), ec-p384, rsa-2048, rsa-3072, rsa-4096, ed25519.")
    String keyType = KeyType.DEFAULT.code();

    @Option(names = "--validity", paramLabel = "DURATION", description = "Root validity (default: ${DEFAULT-VALUE}).")
    String validity = "10y";

    @Option(names = "--intermediate", description = "Also create an intermediate CA that signs leaves and CRLs.")
    boolean intermediate;

    @Option(names = "--intermediate-validity", paramLabel = "DURATION",
        description = "Intermediate validity (default: ${DEFAULT-VALUE}).")
    String intermediateValidity = "5y";

    @Option(names = "--json", description = "Print {\"root\": {...}, \"intermediate\": {...}} instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      CertkeeperCommand root = CertkeeperCommand.of(spec);
      CaContext ctx = new CaContext(root);
      Path dir = ctx.caDir();
      InitRequest request;
      try {
        request = new InitRequest(name, CaContext.keyType("--key-type", keyType),
            CaContext.duration("--validity", validity),
            intermediate ? Optional.of(CaContext.duration("--intermediate-validity", intermediateValidity))
                : Optional.empty());
      } catch (IllegalArgumentException e) {
        throw CliException.usage(e.getMessage());
      }
      if (LocalCa.exists(dir)) {
        throw CliException.usage("a CA already exists in " + dir + "; refusing to overwrite it");
      }
      char[] pass = ctx.passphrase(passphrase.file);
      LocalCa ca;
      try (Store store = root.openStore()) {
        IssuedCertificateRepository repo = new IssuedCertificateRepository(store);
        ca = LocalCa.init(dir, request, pass, repo, root.clock());
        ctx.crlPublisher(ca, repo).publish();
      } catch (CaException e) {
        throw CaContext.fail(e);
      } finally {
        Arrays.fill(pass, '\0');
      }
      CaCertificates certs = ca.certificates();
      PrintWriter out = root.out();
      if (json) {
        out.println(Json.pretty(new Shown(dir.toString(), certs.manifest().name(), certs.manifest().keyType().code(),
            CertificateInfo.of(certs.root()), certs.intermediate().map(CertificateInfo::of).orElse(null), null)));
      } else {
        out.println("created CA '" + request.name() + "' in " + dir);
        out.println("root SHA-256 fingerprint: " + CertificateInfo.of(certs.root()).sha256());
        certs.intermediate().ifPresent(i -> out.println("intermediate SHA-256 fingerprint: " + CertificateInfo.of(i).sha256()));
        out.println("export the root for trust stores with: certkeeper ca export-root --out root.pem");
      }
      return ExitCodes.OK;
    }
  }

  /** The JSON shape of {@code ca show --json} and {@code ca init --json}. */
  record Shown(String directory, String name, String keyType, CertificateInfo root, CertificateInfo intermediate,
      Status status) {}

  /** Counts and CRL state for {@code ca show}. */
  record Status(long issued, long revoked, Long crlNumber, Instant crlThisUpdate, Instant crlNextUpdate,
      String crlUrl, String crlFile) {}

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show the CA: its certificates, how many it issued and revoked, and its CRL. No passphrase needed.")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print the CA as JSON (a stable shape, see README).")
    boolean json;

    @Override
    public Integer call() throws Exception {
      CertkeeperCommand root = CertkeeperCommand.of(spec);
      CaContext ctx = new CaContext(root);
      Path dir = ctx.caDir();
      CaCertificates certs;
      try {
        certs = LocalCa.readCertificates(dir);
      } catch (CaException e) {
        throw CaContext.fail(e);
      }
      CertificateInfo issuer = CertificateInfo.of(certs.issuer());
      Status status;
      try (Store store = root.openStore()) {
        IssuedCertificateRepository repo = new IssuedCertificateRepository(store);
        IssuedCertificateRepository.Counts counts = repo.counts(issuer.sha256());
        Optional<CrlState> crl = repo.crlState(issuer.sha256());
        status = new Status(counts.issued(), counts.revoked(), crl.map(CrlState::crlNumber).orElse(null),
            crl.map(CrlState::thisUpdate).orElse(null), crl.map(CrlState::nextUpdate).orElse(null),
            ctx.config().crlUrl().orElse(null), CrlPublisher.derFile(dir).toString());
      }
      Shown shown = new Shown(dir.toString(), certs.manifest().name(), certs.manifest().keyType().code(),
          CertificateInfo.of(certs.root()), certs.intermediate().map(CertificateInfo::of).orElse(null), status);
      PrintWriter out = root.out();
      if (json) {
        out.println(Json.pretty(shown));
        return ExitCodes.OK;
      }
      out.printf("CA:           %s (%s) in %s%n", shown.name(), shown.keyType(), dir);
      print(out, "root:", shown.root());
      if (shown.intermediate() != null) {
        print(out, "intermediate:", shown.intermediate());
      }
      out.printf("issued:       %d leaf certificates, %d revoked%n", status.issued(), status.revoked());
      if (status.crlNumber() != null) {
        out.printf("CRL:          #%d, next update %s, %s%n", status.crlNumber(), status.crlNextUpdate(), status.crlFile());
      }
      out.printf("CRL URL:      %s%n", status.crlUrl() == null ? "(none; set ca.crl-url)" : status.crlUrl());
      return ExitCodes.OK;
    }

    private static void print(PrintWriter out, String label, CertificateInfo c) {
      out.printf("%-13s %s%n", label, c.subject());
      out.printf("              valid %s to %s (%s)%n", c.notBefore(), c.notAfter(),
          Duration.between(c.notBefore(), c.notAfter()).toDays() + " days");
      out.printf("              SHA-256 %s%n", c.sha256());
    }
  }

  @Command(
      name = "export-root",
      mixinStandardHelpOptions = true,
      description = "Write the root certificate as PEM, for trust stores. No passphrase needed.")
  static final class ExportRoot implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write it ('-' for stdout).")
    String outFile;

    @Override
    public Integer call() throws Exception {
      CertkeeperCommand root = CertkeeperCommand.of(spec);
      CaCertificates certs;
      try {
        certs = LocalCa.readCertificates(new CaContext(root).caDir());
      } catch (CaException e) {
        throw CaContext.fail(e);
      }
      String pem = Pem.encode(certs.root());
      if (outFile.equals("-")) {
        root.out().print(pem);
      } else {
        AtomicFiles.write(Path.of(outFile), pem.getBytes(StandardCharsets.US_ASCII), AtomicFiles.PUBLIC);
        root.out().println("wrote root certificate (SHA-256 " + CertificateInfo.of(certs.root()).sha256() + ") to " + outFile);
      }
      return ExitCodes.OK;
    }
  }
}
