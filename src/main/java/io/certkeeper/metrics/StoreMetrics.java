package io.certkeeper.metrics;

import io.certkeeper.store.MetricsRepository.CertificateReading;
import io.certkeeper.store.MetricsRepository.EndpointReading;
import io.certkeeper.store.MetricsRepository.ListenerReading;
import io.certkeeper.store.MetricsRepository.Readings;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The metric families drawn from the store: certificate validity, renewal times, each declared
 * endpoint's latest probe, and the certificates the daemon's listeners serve. Every series is about
 * something current — one per endpoint (its last known leaf), one per issued certificate name (its
 * newest certificate that is not revoked), one per listener — so the number of series follows the
 * configuration, not the history the store keeps.
 */
final class StoreMetrics {
  /**
   * Issued certificates are renewed when this share of their lifetime has passed: the renewal
   * policy's default, until managed certificates carry their own renewal time in the store.
   */
  static final double RENEW_AT = io.certkeeper.config.CertificateConfig.DEFAULT_RENEW_AT;

  private static final String[] CERT_LABELS = {"name", "endpoint", "source", "serial", "issuer"};

  private StoreMetrics() {}

  static void addTo(Exposition e, Readings readings) {
    Exposition.Family notAfter = e.gauge("certkeeper_certificate_not_after_timestamp_seconds",
        "When the certificate expires (notAfter), in seconds since the epoch.", CERT_LABELS);
    Exposition.Family notBefore = e.gauge("certkeeper_certificate_not_before_timestamp_seconds",
        "When the certificate became valid (notBefore), in seconds since the epoch.", CERT_LABELS);
    Exposition.Family renewal = e.gauge("certkeeper_certificate_renewal_timestamp_seconds",
        "When an issued leaf certificate is due for renewal, in seconds since the epoch.", CERT_LABELS);
    Exposition.Family success = e.gauge("certkeeper_probe_success",
        "1 when the endpoint's last probe obtained its certificate chain, 0 when it failed to connect or handshake.",
        "endpoint");
    Exposition.Family duration = e.gauge("certkeeper_probe_duration_seconds",
        "How long the endpoint's last probe took, from DNS to the end of the handshake.", "endpoint");
    Exposition.Family last = e.gauge("certkeeper_probe_last_timestamp_seconds",
        "When the endpoint was last probed, in seconds since the epoch.", "endpoint");
    Exposition.Family problems = e.gauge("certkeeper_probe_problems",
        "1 for each problem code the endpoint's last probe reported (absent when there was none).",
        "endpoint", "code");
    Exposition.Family chain = e.gauge("certkeeper_endpoint_verified_chain_not_after_timestamp_seconds",
        "When the chain the endpoint's last probe validated expires: the earliest notAfter along the validated"
            + " path to the trust anchor, not of everything the server sent.", "endpoint");

    for (EndpointReading r : readings.endpoints()) {
      String id = r.endpointId();
      success.add(r.obtainedChain() ? 1 : 0, id);
      duration.add(r.totalMs() / 1000.0, id);
      last.add(seconds(r.lastProbeAt()), id);
      for (String code : new TreeSet<>(r.problems())) {
        problems.add(1, id, code);
      }
      r.pathNotAfter().ifPresent(t -> chain.add(seconds(t), id));
      r.leaf().ifPresent(c -> {
        String[] labels = {"", id, c.source().code(), c.serial(), commonName(c.issuer())};
        notAfter.add(seconds(c.notAfter()), labels);
        notBefore.add(seconds(c.notBefore()), labels);
      });
    }

    Exposition.Family listener = e.gauge("certkeeper_listener_certificate_info",
        "The certificate each TLS listener of the daemon serves, as the daemon last recorded it (always 1).",
        "listener", "sha256");
    for (ListenerReading l : readings.listeners()) {
      listener.add(1, l.name(), l.sha256());
    }

    // Newest first per subject: the first certificate of each name is the current one.
    Set<String> names = new HashSet<>();
    for (CertificateReading c : readings.issued()) {
      String name = commonName(c.subject());
      if (!names.add(name)) {
        continue;
      }
      String[] labels = {name, "", c.source().code(), c.serial(), commonName(c.issuer())};
      notAfter.add(seconds(c.notAfter()), labels);
      notBefore.add(seconds(c.notBefore()), labels);
      if (!c.ca()) {
        // the CA's own root and intermediate are replaced by hand, not renewed on a schedule
        renewal.add(seconds(renewalTime(c.notBefore(), c.notAfter())), labels);
      }
    }
  }

  /** When {@link #RENEW_AT} of the lifetime from {@code notBefore} to {@code notAfter} has passed. */
  static Instant renewalTime(Instant notBefore, Instant notAfter) {
    Duration life = Duration.between(notBefore, notAfter);
    return notBefore.plusMillis((long) (life.toMillis() * RENEW_AT));
  }

  /**
   * The most specific common name of an RFC 2253 distinguished name, or the whole name when it has
   * none (or cannot be parsed).
   */
  static String commonName(String dn) {
    try {
      List<Rdn> rdns = new LdapName(dn).getRdns();
      // LdapName lists RDNs from the least specific; RFC 2253 strings start with the most specific.
      for (int i = rdns.size() - 1; i >= 0; i--) {
        if (rdns.get(i).getType().equalsIgnoreCase("CN")) {
          return String.valueOf(rdns.get(i).getValue());
        }
      }
    } catch (InvalidNameException | IllegalArgumentException e) {
      return dn;
    }
    return dn;
  }

  static double seconds(Instant t) {
    return t.getEpochSecond() + t.getNano() / 1e9;
  }
}
