package io.certkeeper.alert;

import io.certkeeper.testing.TestClock;
import io.certkeeper.config.AlertsConfig;
import io.certkeeper.config.Config;
import io.certkeeper.config.ConfigLoader;
import io.certkeeper.config.EndpointCodec;
import io.certkeeper.config.EndpointConfig;
import io.certkeeper.config.SecretRef;
import io.certkeeper.config.SmtpConfig;
import io.certkeeper.config.SmtpSecurity;
import io.certkeeper.store.EndpointRepository;
import io.certkeeper.store.EndpointRow;
import io.certkeeper.store.ProbeRecord;
import io.certkeeper.store.ProbeResultRepository;
import io.certkeeper.store.Store;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A store in a temporary directory with endpoints from a real configuration, and probe results written as the prober writes them. */
final class AlertFixture implements AutoCloseable {
  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  final Store store;
  final TestClock clock = new TestClock(START);
  final Config config;

  AlertFixture(Path dir, String yaml) throws Exception {
    config = ConfigLoader.parse(dir.resolve("certkeeper.yaml"), yaml);
    store = Store.openEmbedded(dir, 4);
    List<EndpointRow> rows = new ArrayList<>();
    for (EndpointConfig e : config.endpoints()) {
      rows.add(new EndpointRow(e.id(), e.target().toString(), EndpointRow.CONFIG, e.group(), EndpointCodec.toJson(e),
          START, START));
    }
    new EndpointRepository(store).syncConfig("node-a", rows, START);
  }

  AlertsConfig alerts() {
    return config.alerts();
  }

  void probe(String endpoint, List<String> problems, X509Certificate... chain) throws Exception {
    String status = problems.isEmpty() ? "ok" : problems.get(0);
    new ProbeResultRepository(store).record(new ProbeRecord(endpoint, clock.instant(), status, problems, status,
        Optional.of("127.0.0.1"), Optional.of("TLSv1.3"), Optional.empty(), List.of(chain), problems.isEmpty(),
        chain.length == 0 ? Optional.empty() : Optional.of(chain[0].getNotAfter().toInstant()), "none",
        Optional.of(1L), Optional.of(1L), 2));
  }

  static X509Certificate certExpiringIn(Duration left) throws Exception {
    return TestPki.leaf("api.example.com", START.minus(Duration.ofDays(60)), START.plus(left));
  }

  static SmtpConfig plainSmtp(int port) {
    return new SmtpConfig(Optional.of("127.0.0.1"), port, SmtpSecurity.NONE, Optional.empty(), Optional.empty(),
        Optional.of("certkeeper@example.com"), List.of(), Duration.ofSeconds(2), Duration.ofSeconds(5));
  }

  static SmtpConfig startTlsSmtp(int port, String password, List<Path> caFiles) {
    return new SmtpConfig(Optional.of("127.0.0.1"), port, SmtpSecurity.STARTTLS, Optional.of("alice"),
        Optional.of(SecretRef.parse("env:SMTP_PASSWORD", Map.of("SMTP_PASSWORD", password))),
        Optional.of("certkeeper@example.com"), caFiles, Duration.ofSeconds(2), Duration.ofSeconds(5));
  }

  @Override
  public void close() {
    store.close();
  }
}
