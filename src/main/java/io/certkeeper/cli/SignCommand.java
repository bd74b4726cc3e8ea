package io.certkeeper.cli;

import io.certkeeper.ca.CaException;
import io.certkeeper.ca.IssueRequest;
import io.certkeeper.ca.IssuedCertificate;
import io.certkeeper.ca.LocalCa;
import io.certkeeper.ca.Profile;
import io.certkeeper.ca.San;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.util.AtomicFiles;
import io.certkeeper.util.BoundedRead;
import io.certkeeper.x509.Csr;
import io.certkeeper.x509.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "sign",
    mixinStandardHelpOptions = true,
    description = {
      "Sign a PKCS#10 request (PEM or DER) after verifying its signature. The certificate gets the",
      "request's CN and SANs (subject to policy; without a CN the first SAN is used) and nothing else",
      "of its subject. --out receives the certificate followed by the issuer chain without the root."
    })
final class SignCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin PassphraseOption passphrase;

  @Option(names = "--csr", paramLabel = "FILE", required = true, description = "The certificate signing request.")
  Path csrFile;

  @Option(names = "--validity", paramLabel = "DURATION", description = "Validity (default: ca.validity, 90d).")
  String validity;

  @Option(names = "--profile", paramLabel = "PROFILE", description = "server (default), client or server-client.")
  String profile = Profile.DEFAULT.code();

  @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the certificate and chain.")
  Path out;

  @Option(names = "--force", description = "Replace --out if it exists.")
  boolean force;

  @Option(names = "--json", description = "Print the issued certificate as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    CaContext ctx = new CaContext(root);
    Csr csr = readCsr(csrFile);
    IssueRequest request;
    try {
      List<San> sans = new ArrayList<>();
      for (String s : csr.sans()) {
        sans.add(San.parse(s));
      }
      String cn = csr.commonName().orElseGet(() -> sans.isEmpty() ? "" : sans.get(0).value());
      if (cn.isEmpty()) {
        throw CliException.usage(csrFile + ": the request names no subject (no CN and no SAN)");
      }
      Duration d = validity != null ? CaContext.duration("--validity", validity) : ctx.config().validity();
      request = IssueRequest.forPublicKey(cn, sans, csr.publicKey(), d, Profile.parse(profile));
    } catch (IllegalArgumentException e) {
      throw CliException.usage(csrFile + ": " + e.getMessage());
    }
    if (!force && Files.exists(out)) {
      throw CliException.usage(out + " exists; refusing to overwrite (use --force)");
    }
    LocalCa ca = ctx.load(passphrase.file);
    IssuedCertificate issued;
    try (Store store = root.openStore()) {
      IssuedCertificateRepository repo = new IssuedCertificateRepository(store);
      issued = ctx.issuer(ca, repo).issue(request);
      ctx.crlPublisher(ca, repo).refreshIfDue();
    } catch (CaException e) {
      throw CaContext.fail(e);
    }
    try {
      AtomicFiles.write(out, Pem.encodeAll(issued.fullChain()).getBytes(StandardCharsets.US_ASCII), AtomicFiles.PUBLIC);
    } catch (IOException e) {
      throw CliException.usage("certificate " + issued.serialHex() + " was issued and recorded, but writing "
          + out + " failed: " + io.certkeeper.util.ErrorText.of(e));
    }
    IssueCommand.print(root.out(), IssueCommand.Issued.of(issued, List.of(out)), json);
    return ExitCodes.OK;
  }

  private static Csr readCsr(Path file) {
    try {
      return Csr.parse(BoundedRead.bytes(file, Csr.MAX_BYTES));
    } catch (NoSuchFileException e) {
      throw CliException.usage(file + ": no such file");
    } catch (BoundedRead.Refused e) {
      throw CliException.usage(e.getMessage() + "; not a certificate request");
    } catch (IOException e) {
      throw CliException.usage(file + ": cannot read: " + io.certkeeper.util.ErrorText.reason(file, e));
    } catch (IllegalArgumentException e) {
      throw CliException.usage(file + ": " + e.getMessage());
    }
  }
}
