package io.certkeeper.renew;

import io.certkeeper.acme.AcmeFailure;
import io.certkeeper.acme.DnsRecords;
import io.certkeeper.config.CertificateConfig;
import io.certkeeper.util.Printable;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dns-01 TXT records of a managed certificate, published and removed by its {@code dns-set} and
 * {@code dns-clear} commands (run as deploy hooks are: argv, a timeout, a clean environment), with
 * {@code CERTKEEPER_NAME}, {@code CERTKEEPER_DOMAIN}, {@code CERTKEEPER_DNS_RECORD} (fully
 * qualified, with its trailing dot) and {@code CERTKEEPER_DNS_VALUE}.
 */
final class DnsHooks implements DnsRecords {
  private static final Logger log = LoggerFactory.getLogger(DnsHooks.class);

  private final CertificateConfig certificate;
  private final CertificateConfig.Acme acme;
  private final BooleanSupplier stopping;

  DnsHooks(CertificateConfig certificate, BooleanSupplier stopping) {
    this.certificate = Objects.requireNonNull(certificate, "certificate");
    this.acme = certificate.acme().orElseThrow();
    this.stopping = Objects.requireNonNull(stopping, "stopping");
  }

  @Override
  public void set(String record, String value, String domain) throws AcmeFailure {
    if (acme.dnsSet().isEmpty()) {
      throw new AcmeFailure(domain + ": dns-01 needs dns-set");
    }
    HookRunner.Result r = HookRunner.run(acme.dnsSet().get(), env(record, value, domain), stopping);
    if (!r.ok()) {
      throw new AcmeFailure(domain + ": dns-set " + Printable.line(String.join(" ", acme.dnsSet().get().command()))
          + " " + r.error() + (r.output().isBlank() ? "" : ": " + Printable.line(r.output().strip(), 300)));
    }
  }

  @Override
  public void clear(String record, String value, String domain) {
    if (acme.dnsClear().isEmpty()) {
      return;
    }
    HookRunner.Result r = HookRunner.run(acme.dnsClear().get(), env(record, value, domain), stopping);
    if (!r.ok()) {
      log.warn("{} - dns-clear for {} {}: {}", certificate.name(), record, r.error(),
          Printable.line(r.output().strip(), 300));
    }
  }

  private Map<String, String> env(String record, String value, String domain) {
    return Map.of("CERTKEEPER_NAME", certificate.name(), "CERTKEEPER_DOMAIN", domain,
        "CERTKEEPER_DNS_RECORD", record, "CERTKEEPER_DNS_VALUE", value);
  }
}
