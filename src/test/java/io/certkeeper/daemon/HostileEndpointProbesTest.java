package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.config.EndpointConfig;
import io.certkeeper.config.ProbeSchedule;
import io.certkeeper.store.EndpointState;
import io.certkeeper.store.ProbeResultRepository;
import io.certkeeper.store.Store;
import io.certkeeper.testing.DeepAsn1;
import io.certkeeper.testing.ExternalTool;
import io.certkeeper.testing.OpenSslServer;
import io.certkeeper.util.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's probe service against a server stapling an OCSP response nested 20,000 levels
 * deep: every probe ends with a result row saying {@code malformed}, and the next probe runs.
 * (It used to die on the writer thread with a StackOverflowError and leave the endpoint
 * {@code pending} for ever.)
 */
@Tag("security")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HostileEndpointProbesTest {
  @TempDir Path dir;

  @Test
  void aProbeOfAServerStaplingNestedAsn1RecordsAMalformedRowEachTime() throws Exception {
    ExternalTool.Result made = ExternalTool.run(dir, "openssl", "req", "-x509", "-newkey", "ec",
        "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "k.pem", "-out", "c.pem",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-days", "30");
    assertTrue(made.ok(), made.output());
    Files.write(dir.resolve("deep-ocsp.der"), DeepAsn1.ocspResponse(DeepAsn1.definite(20_000)));
    try (OpenSslServer server = OpenSslServer.start(dir, "-cert", dir.resolve("c.pem").toString(),
            "-key", dir.resolve("k.pem").toString(), "-status_file",
            dir.resolve("deep-ocsp.der").toString());
        Store store = Store.open(Store.h2Url(dir.resolve("data")), Optional.empty(), Optional.empty(), 4)) {
      ProbeResultRepository results = new ProbeResultRepository(store);
      HostPort target = HostPort.parse("localhost:" + server.port());
      String id = EndpointConfig.idFor(target, Optional.empty(), Optional.empty());
      EndpointConfig endpoint = new EndpointConfig(id, target, Optional.empty(), Optional.empty(),
          Optional.empty(), List.of(), ProbeSchedule.every(Duration.ofHours(1)),
          EndpointConfig.DEFAULT_WARNING, EndpointConfig.DEFAULT_CRITICAL, Duration.ofSeconds(10),
          Map.of(), List.of(), Optional.empty());
      try (EndpointProbes probes = new EndpointProbes(2, results, dir, Clock.systemUTC())) {
        probes.update(List.of(endpoint));
        for (int n = 1; n <= 2; n++) {
          ProbeRows.await(probes, results, id, n);
        }
      }
      EndpointState state = results.state(id).orElseThrow();
      assertEquals("malformed", state.status(), state.message());
      assertTrue(state.problems().contains("malformed"), state.problems().toString());
      assertTrue(state.message().contains("stapled OCSP response is malformed"), state.message());
    }
  }
}
