package io.certkeeper.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.testing.TestClock;
import io.certkeeper.x509.KeyType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ca.json} names the CA's key type by its code, as it always has, and reads back as the type. */
class CaManifestTest {
  @TempDir Path dir;

  @Test
  void theKeyTypeIsWrittenAsItsCodeAndReadBackAsTheType() throws Exception {
    Path caDir = init(KeyType.EC_P384);
    String json = Files.readString(caDir.resolve("ca.json"));
    assertTrue(json.contains("\"keyType\" : \"ec-p384\""), json);
    assertEquals(KeyType.EC_P384, LocalCa.readCertificates(caDir).manifest().keyType());
  }

  @Test
  void anUnknownKeyTypeIsOneLineNamingTheFileAndTheKnownTypes() throws Exception {
    Path caDir = init(KeyType.EC_P256);
    Path manifest = caDir.resolve("ca.json");
    Files.writeString(manifest, Files.readString(manifest).replace("\"ec-p256\"", "\"ec-p999\""));
    CaException e = assertThrows(CaException.class, () -> LocalCa.readCertificates(caDir));
    assertEquals(manifest + ": not a valid CA manifest: 'ec-p999' is not one of " + KeyType.codes(), e.getMessage());
  }

  private Path init(KeyType type) throws Exception {
    Path caDir = dir.resolve("data/ca");
    try (Store store = Store.openEmbedded(dir.resolve("data"), 2)) {
      LocalCa.init(caDir, new InitRequest("Manifest CA", type, Duration.ofDays(3650), Optional.empty()),
          "a long enough CA passphrase".toCharArray(), new IssuedCertificateRepository(store),
          new TestClock(Instant.parse("2026-11-01T00:00:00Z")));
    }
    return caDir;
  }
}
