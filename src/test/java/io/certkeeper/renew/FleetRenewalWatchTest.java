package io.certkeeper.renew;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.certkeeper.config.Config;
import io.certkeeper.config.ConfigLoader;
import io.certkeeper.store.GenerationInForce;
import io.certkeeper.store.ManagedCertificateRepository;
import io.certkeeper.store.ManagedRenewal;
import io.certkeeper.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert evaluation of a fleet runs on whichever node Quartz picks: whichever it is, it sees the
 * renewals of every node's managed certificates that the shared file declares, each judged by the
 * declaration its node holds.
 */
class FleetRenewalWatchTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  @TempDir Path dir;

  @Test
  void everyNodesManagedCertificatesAreWatchedFromAnyNode() throws Exception {
    Path f = dir.resolve("certkeeper.yaml");
    Files.writeString(f, """
        node: web1
        certificates:
          - {name: web, common-name: web1.example, nodes: [web1], renew-at: 50%}
          - {name: web, common-name: web2.example, nodes: [web2], renew-at: 80%}
          - {name: other, common-name: other.example, nodes: [web3]}
        """);
    Config c = ConfigLoader.load(f);
    try (Store store = Store.openEmbedded(dir.resolve("data"), 2)) {
      for (String node : List.of("web1", "web2", "web9")) {
        new ManagedCertificateRepository(store, node).swapped("web", new GenerationInForce(node.substring(3) + "a",
            node.repeat(16).substring(0, 64), "k".repeat(64), T0, T0.plusSeconds(100 * 86400)), "first", T0);
      }
      RenewalWatch watch = RenewalWatch.of("web1", () -> Stream.concat(c.certificates().stream(),
          c.elsewhere().certificates().stream()).toList());
      List<ManagedRenewal> current = store.inTransaction(watch::current);
      // web9 holds a web the file does not give it: not judged here
      assertEquals(List.of("1a", "2a"), current.stream().map(ManagedRenewal::serial).toList());
      assertEquals(List.of(T0.plusSeconds(50 * 86400), T0.plusSeconds(80 * 86400)),
          current.stream().map(m -> m.renewAt().truncatedTo(java.time.temporal.ChronoUnit.DAYS)).toList(),
          "each by its own node's declaration");
    }
  }
}
