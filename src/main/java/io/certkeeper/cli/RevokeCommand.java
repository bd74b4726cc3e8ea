package io.certkeeper.cli;

import io.certkeeper.ca.CaException;
import io.certkeeper.ca.CrlPublisher;
import io.certkeeper.ca.LocalCa;
import io.certkeeper.ca.RevocationReason;
import io.certkeeper.store.IssuedCertificateRecord;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.Store;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "revoke",
    mixinStandardHelpOptions = true,
    description = {"Revoke a certificate issued by the local CA and publish a new CRL at once;",
        "or, with --acme NAME, the certificate in force of managed certificate NAME at its ACME server."})
final class RevokeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin PassphraseOption passphrase;

  @Parameters(paramLabel = "SERIAL", arity = "0..1",
      description = "The certificate's serial number in hex (as 'list' shows it).")
  String serial;

  @Option(names = "--acme", paramLabel = "NAME",
      description = "Revoke the certificate in force of managed certificate NAME (issuer: acme:ACCOUNT) at its ACME"
          + " server, with the account's key; renew it afterwards (certkeeper renew NAME --force).")
  String acme;

  @Option(names = "--reason", paramLabel = "REASON",
      description = "unspecified (default), keyCompromise, affiliationChanged, superseded, cessationOfOperation,"
          + " privilegeWithdrawn.")
  String reason = RevocationReason.UNSPECIFIED.code();

  @Override
  public Integer call() throws Exception {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    CaContext ctx = new CaContext(root);
    RevocationReason why;
    try {
      why = RevocationReason.parse(reason);
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--reason: " + e.getMessage());
    }
    if ((serial == null) == (acme == null)) {
      throw CliException.usage("give a SERIAL (local CA) or --acme NAME (a managed certificate from ACME), not both");
    }
    if (acme != null) {
      return revokeAtAcme(root, why);
    }
    LocalCa ca = ctx.load(passphrase.file);
    try (Store store = root.openStore()) {
      IssuedCertificateRepository repo = new IssuedCertificateRepository(store);
      CrlPublisher crl = ctx.crlPublisher(ca, repo);
      IssuedCertificateRecord r = crl.revoke(serial, why);
      root.out().printf("revoked %s (%s) at %s; new CRL in %s%n", r.serial(), why.code(), r.revokedAt().get(),
          crl.derFile());
    } catch (CaException e) {
      throw CaContext.fail(e);
    }
    return ExitCodes.OK;
  }

  private int revokeAtAcme(CertkeeperCommand root, RevocationReason why) throws Exception {
    io.certkeeper.config.Config config = root.config();
    io.certkeeper.config.CertificateConfig c = config.certificate(acme)
        .orElseThrow(() -> CliException.usage(config.whyNoCertificate(acme)));
    if (c.acme().isEmpty()) {
      throw CliException.usage(acme + " is issued by the local CA: revoke it by its serial (certkeeper revoke SERIAL)");
    }
    io.certkeeper.config.AcmeConfig.Account account = config.acme().account(c.acme().get().account()).orElseThrow();
    java.nio.file.Path pem = io.certkeeper.renew.ManagedLayout.current(root.dataDir(), acme)
        .resolve(io.certkeeper.renew.ManagedLayout.CERT);
    if (!java.nio.file.Files.exists(pem)) {
      throw CliException.usage(acme + " has no certificate in force to revoke (no " + pem + ")");
    }
    java.security.cert.X509Certificate cert = io.certkeeper.x509.Pem.readCertificates(pem).get(0);
    try (Store store = root.openStore()) {
      io.certkeeper.acme.AcmeIssuer.of(config, root.dataDir(), store, root.clock())
          .revoke(account, cert, why.crlReason());
    } catch (io.certkeeper.acme.AcmeFailure e) {
      throw CliException.usage(acme + ": " + e.getMessage());
    }
    root.out().printf("revoked %s's certificate %s (%s) at %s; it is still in force here: certkeeper renew %s"
        + " --force%n", acme, cert.getSerialNumber().toString(16), why.code(), account.directory(), acme);
    return ExitCodes.OK;
  }
}
