package io.certkeeper.cli;

import io.certkeeper.ca.CaCertificates;
import io.certkeeper.ca.CaException;
import io.certkeeper.ca.CrlPublisher;
import io.certkeeper.ca.LocalCa;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.util.AtomicFiles;
import io.certkeeper.util.BoundedRead;
import io.certkeeper.x509.Asn1Limits;
import io.certkeeper.x509.Fingerprints;
import io.certkeeper.x509.Pem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "crl",
    mixinStandardHelpOptions = true,
    description = {
      "Output the CA's current CRL: DER into --out (PEM with --pem), or PEM on stdout without --out.",
      "A new CRL is signed first when none exists or half of the current one's validity has passed",
      "(that needs the CA passphrase; a fresh CRL does not)."
    })
final class CrlCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin PassphraseOption passphrase;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the CRL here (DER unless --pem).")
  Path out;

  @Option(names = "--pem", description = "Write PEM instead of DER.")
  boolean pem;

  @Override
  public Integer call() throws Exception {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    CaContext ctx = new CaContext(root);
    Path dir = ctx.caDir();
    byte[] der;
    try (Store store = root.openStore()) {
      CaCertificates certs = LocalCa.readCertificates(dir);
      IssuedCertificateRepository repo = new IssuedCertificateRepository(store);
      String issuer = Fingerprints.sha256(certs.issuer());
      if (CrlPublisher.isDue(dir, repo.crlState(issuer), root.clock().instant())) {
        LocalCa ca = ctx.load(passphrase.file);
        ctx.crlPublisher(ca, repo).publish();
      }
      der = BoundedRead.bytes(CrlPublisher.derFile(dir), Asn1Limits.MAX_CRL_BYTES);
    } catch (CaException e) {
      throw CaContext.fail(e);
    }
    String pemText = Pem.block("X509 CRL", der);
    if (out == null) {
      root.out().print(pemText);
    } else {
      AtomicFiles.write(out, pem ? pemText.getBytes(StandardCharsets.US_ASCII) : der, AtomicFiles.PUBLIC);
      root.out().println("wrote CRL to " + out);
    }
    return ExitCodes.OK;
  }
}
