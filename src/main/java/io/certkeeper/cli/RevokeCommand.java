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
    description = "Revoke a certificate issued by the local CA and publish a new CRL at once.")
final class RevokeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin PassphraseOption passphrase;

  @Parameters(paramLabel = "SERIAL", description = "The certificate's serial number in hex (as 'list' shows it).")
  String serial;

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
}
