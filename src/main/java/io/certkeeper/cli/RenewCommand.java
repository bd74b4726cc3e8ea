package io.certkeeper.cli;

import io.certkeeper.alert.AlertOutbox;
import io.certkeeper.daemon.OutboxRenewalAlerts;
import io.certkeeper.ca.LocalCa;
import io.certkeeper.config.Config;
import io.certkeeper.renew.Renewer;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.util.HumanTime;
import io.certkeeper.util.Json;
import io.certkeeper.util.Printable;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "renew",
    mixinStandardHelpOptions = true,
    description = {
      "Renew the managed certificate NAME (certificates:) now: issue, write its generation, switch",
      "managed/NAME/current, write its outputs, run its hooks. A running daemon's listeners pick the",
      "new certificate up from the link. Refused within the minimum interval since the last renewal",
      "(--force renews anyway) and always when the new certificate would not outlive the current one.",
      "Exit 0 renewed, 1 refused or failed (the reason is printed and recorded)."
    })
final class RenewCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin PassphraseOption passphrase;

  @Parameters(paramLabel = "NAME", description = "The managed certificate's name.")
  String name;

  @Option(names = "--force", description = "Renew even within the minimum interval since the last renewal.")
  boolean force;

  @Option(names = "--json", description = "Print the outcome as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    CertkeeperCommand root = CertkeeperCommand.of(spec);
    Config config = root.config();
    if (config.certificate(name).isEmpty()) {
      throw CliException.usage(config.whyNoCertificate(name));
    }
    boolean fromAcme = config.certificate(name).get().acme().isPresent();
    CaContext ctx = new CaContext(root);
    // an ACME certificate needs no local CA (nor its passphrase)
    Optional<LocalCa> ca = fromAcme ? Optional.empty() : Optional.of(ctx.load(passphrase.file));
    Renewer.Outcome o;
    try (Store store = root.openStore()) {
      Optional<io.certkeeper.ca.Issuer> issuer = ca.isPresent()
          ? Optional.of(ctx.issuer(ca.get(), new IssuedCertificateRepository(store))) : Optional.empty();
      Renewer renewer = Renewer.builder(store, issuer, () -> config, root.dataDir(), root.clock())
          .acme(io.certkeeper.acme.AcmeIssuer.of(config, root.dataDir(), store, root.clock()))
          .alerts(OutboxRenewalAlerts.to(AlertOutbox.create(config::alerts, root.clock())))
          .steps(CrashAtStep.fromEnvironment(root.env()))
          .outcomesShownByCaller()
          .build();
      o = renewer.renew(name, force);
    }
    PrintWriter out = root.out();
    if (json) {
      out.println(Json.pretty(o));
    } else if (o.kind() == Renewer.Kind.RENEWED) {
      out.printf("renewed %s: serial %s, valid until %s%n", name, o.serial().get(), HumanTime.instant(o.notAfter().get()));
      out.printf("sha256:  %s%n", o.sha256().get());
      for (String h : o.hookErrors()) {
        out.printf("hook failed (the renewal stays): %s%n", Printable.line(h));
      }
    }
    if (o.kind() != Renewer.Kind.RENEWED) {
      if (!json) {
        root.err().println("certkeeper: " + message(o, force));
      }
      return ExitCodes.USAGE;
    }
    return ExitCodes.OK;
  }

  /** The one line a refused or failed renewal prints (after {@code certkeeper: }). */
  static String message(Renewer.Outcome o, boolean forced) {
    if (o.kind() == Renewer.Kind.REFUSED) {
      return o.name() + " not renewed: " + Printable.line(o.message()) + (forced ? "" : "; --force renews anyway");
    }
    return o.name() + " renewal failed: " + Printable.line(o.message());
  }
}
