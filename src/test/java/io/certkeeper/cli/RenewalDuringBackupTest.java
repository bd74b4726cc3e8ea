package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.config.ConfigLoader;
import io.certkeeper.renew.Reconciler;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreBackup;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A renewal that commits between the copy of {@code managed/} and the store's snapshot — the one
 * interleaving where the two disagree — restores to a state the reconciler settles: the generation
 * the copied link names is in force, and the store still knows the newer certificate as issued.
 */
@Tag("reliability")
class RenewalDuringBackupTest {
  static final Map<String, String> ENV = Map.of("CA_PASS", "a long enough CA passphrase");

  @TempDir Path dir;

  @AfterEach
  void closeTheStoresThisJvmOpened() throws Exception {
    InProcessStores.shutDownAll(dir);
  }

  private CliRunner.Run cli(Path cfg, String... args) {
    return cli(Clock.systemUTC(), cfg, args);
  }

  private CliRunner.Run cli(Clock clock, Path cfg, String... args) {
    List<String> all = new ArrayList<>(List.of("--config", cfg.toString()));
    all.addAll(List.of(args));
    return CliRunner.run(ENV, clock, all.toArray(String[]::new));
  }

  private Path config(String name, Path data) throws Exception {
    return Files.writeString(dir.resolve(name + ".yaml"), "data-dir: " + data + "\n"
        + "ca:\n  passphrase: env:CA_PASS\n"
        + "certificates:\n"
        + "  - name: web\n"
        + "    common-name: localhost\n"
        + "    validity: 30d\n"
        + "    outputs:\n"
        + "      - {type: fullchain, path: " + dir.resolve(name + "-out/web.pem") + "}\n");
  }

  private String serialInForce(Path cfg) throws Exception {
    CliRunner.Run r = cli(cfg, "explain", "web", "--json");
    assertEquals(0, r.exitCode(), r.err());
    return Json.mapper().readTree(r.out()).at("/serial").asText();
  }

  @Test
  void theStoreSnapshotTakenAfterTheManagedCopyIsSettledOnTheCopiedLink() throws Exception {
    Path data = dir.resolve("data");
    Path cfg = config("original", data);
    assertEquals(0, cli(cfg, "ca", "init", "--name", "Backup Test CA").exitCode());
    CliRunner.Run first = cli(cfg, "renew", "web");
    assertEquals(0, first.exitCode(), first.err());
    String before = serialInForce(cfg);

    ManagedCopy copy = ManagedCopy.read(data); // step 1 of a backup
    // a renewal commits in between (a day later, so that the new certificate outlives the first)
    CliRunner.Run renewal = cli(Clock.offset(Clock.systemUTC(), java.time.Duration.ofDays(1)), cfg, "renew", "web",
        "--force");
    assertEquals(0, renewal.exitCode(), renewal.err());
    String renewed = serialInForce(cfg);
    assertNotEquals(before, renewed);
    Path backup = dir.resolve("b.zip");
    Path storeZip = data.resolve(".backup-test.zip");
    String schema;
    try (Store store = Store.openEmbedded(data, 2)) { // step 2: the store's snapshot
      StoreBackup.backupTo(store, storeZip);
      schema = store.schemaVersion();
    }
    BackupArchive.write(backup, storeZip, data, copy, schema, Instant.now());

    Path fresh = dir.resolve("fresh");
    Path freshCfg = config("restored", fresh);
    CliRunner.Run r = cli(freshCfg, "restore", "--from", backup.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertEquals(renewed, serialInForce(freshCfg), "before the reconciler the store names the newer serial");

    // what the daemon does first at start
    try (Store store = Store.openEmbedded(fresh, 2)) {
      io.certkeeper.config.Config restored = ConfigLoader.load(freshCfg);
      assertEquals(1, Reconciler.create(store, fresh, Clock.systemUTC(), restored.nodeName()).reconcileAll(restored.certificates()));
    }
    assertEquals(before, serialInForce(freshCfg), "the copied link is the truth");
    assertTrue(Files.readString(dir.resolve("restored-out/web.pem")).startsWith("-----BEGIN CERTIFICATE-----"));
    CliRunner.Run list = cli(freshCfg, "list", "--json");
    assertEquals(0, list.exitCode(), list.err());
    assertTrue(list.out().contains(renewed), "the newer certificate stays known as issued: " + list.out());
  }
}
