package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.certkeeper.ca.InitRequest;
import io.certkeeper.ca.Issuer;
import io.certkeeper.ca.LocalCa;
import io.certkeeper.config.Config;
import io.certkeeper.config.ConfigLoader;
import io.certkeeper.config.EndpointConfig;
import io.certkeeper.config.ProbeSchedule;
import io.certkeeper.renew.CaPolicies;
import io.certkeeper.renew.RenewalWatch;
import io.certkeeper.renew.Renewer;
import io.certkeeper.store.EndpointState;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.ManagedRenewal;
import io.certkeeper.store.ProbeResultRepository;
import io.certkeeper.store.Store;
import io.certkeeper.testing.OpenSslServer;
import io.certkeeper.testing.TestClock;
import io.certkeeper.util.HostPort;
import io.certkeeper.x509.KeyType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's probe service against a real TLS server serving a managed certificate: its fresh
 * 30-day certificate lies within the endpoint's 30-day warning from the start, yet the endpoint is
 * {@code ok} while the renewal is ahead, and {@code renewal_overdue} (not {@code expiring}) once
 * the renewal is late.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ManagedEndpointProbesTest {
  static final String PASS = "a long enough CA passphrase";

  @TempDir Path dir;

  @Test
  void anEndpointServingAManagedCertificateIsJudgedByItsRenewal() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    Path cfgFile = dir.resolve("certkeeper.yaml");
    Files.writeString(cfgFile, "ca:\n  passphrase: env:UNUSED\ncertificates:\n"
        + "  - name: web\n    common-name: localhost\n    validity: 30d\n");
    Config config = ConfigLoader.load(cfgFile);
    try (Store store = Store.open(Store.h2Url(data), Optional.empty(), Optional.empty(), 4)) {
      IssuedCertificateRepository repo = new IssuedCertificateRepository(store);
      LocalCa ca = LocalCa.init(data.resolve("ca"), new InitRequest("Test CA", KeyType.EC_P256, Duration.ofDays(3650),
          Optional.empty()), PASS.toCharArray(), repo, clock);
      Renewer renewer = Renewer.builder(store, Issuer.forCa(ca, CaPolicies.of(config.ca()), repo, clock, Optional.empty()),
          () -> config, data, clock).build();
      assertEquals(Renewer.Kind.RENEWED, renewer.renew("web", true).kind());
      clock.advance(Duration.ofHours(1)); // under 30 days left: inside the endpoint's 30-day warning
      Path current = data.resolve("managed/web/current");
      RenewalWatch watch = RenewalWatch.of(config.nodeName(), config::certificates);

      try (OpenSslServer server = OpenSslServer.start(dir, "-cert", current.resolve("fullchain.pem").toString(),
          "-key", current.resolve("key.pem").toString())) {
        HostPort target = HostPort.parse("localhost:" + server.port());
        String id = EndpointConfig.idFor(target, Optional.empty(), Optional.empty());
        EndpointConfig endpoint = new EndpointConfig(id, target, Optional.empty(), Optional.empty(),
            Optional.empty(), List.of(), ProbeSchedule.every(Duration.ofHours(1)),
            EndpointConfig.DEFAULT_WARNING, EndpointConfig.DEFAULT_CRITICAL, Duration.ofSeconds(10),
            Map.of(), List.of(), Optional.empty());
        ProbeResultRepository results = new ProbeResultRepository(store);

        // the prober alone: a 30-day certificate under a 30-day warning is expiring at once
        try (EndpointProbes alone = new EndpointProbes(2, results, data, clock)) {
          EndpointState plain = probeOnce(alone, endpoint, results, 1);
          assertEquals(List.of("expiring"), plain.problems(), plain.message());
        }

        try (EndpointProbes probes = new EndpointProbes(2, results, data, clock, leaf -> watch.find(store, leaf))) {
          EndpointState fresh = probeOnce(probes, endpoint, results, 2);
          assertEquals("ok", fresh.status(), fresh.message());
          assertEquals(List.of(), fresh.problems());

          ManagedRenewal m = watch.find(store, fresh.leafSha256().orElseThrow()).orElseThrow();
          clock.set(m.overdueAt().minusSeconds(1));
          assertEquals(List.of(), probeOnce(probes, endpoint, results, 3).problems(), "just before: still ahead");
          clock.set(m.overdueAt());
          EndpointState late = probeOnce(probes, endpoint, results, 4);
          assertEquals(ManagedRenewal.OVERDUE, late.status(), late.message());
          assertEquals(List.of(ManagedRenewal.OVERDUE), late.problems());
        }
      }
    }
  }

  private static EndpointState probeOnce(EndpointProbes probes, EndpointConfig endpoint, ProbeResultRepository results,
      long rows) throws Exception {
    probes.update(List.of(endpoint));
    ProbeRows.await(probes, results, endpoint.id(), rows);
    return results.state(endpoint.id()).orElseThrow();
  }
}
