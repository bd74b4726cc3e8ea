package io.certkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.StoreBackend;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EndpointRepositoryTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final Instant T1 = T0.plusSeconds(3600);

  @TempDir Path dir;

  private static EndpointRow row(String id, String origin, Optional<String> group, String spec) {
    return new EndpointRow(id, id, origin, group, spec, T0, T0);
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void syncMakesTheDeclaredEndpointsEqualTheConfigurationAndLeavesCliOnesAlone(StoreBackend backend)
      throws Exception {
    try (Store store = backend.open(dir)) {
      EndpointRepository endpoints = new EndpointRepository(store);
      EndpointRepository.SyncResult first = endpoints.syncConfig("node-a", List.of(
          row("a.example:443", EndpointRow.CONFIG, Optional.empty(), "{\"v\":1}"),
          row("b.example:443", EndpointRow.CONFIG, Optional.of("web"), "{\"v\":1}")), T0);
      assertEquals(new EndpointRepository.SyncResult(List.of("a.example:443", "b.example:443"), List.of(), List.of()),
          first);
      endpoints.add(row("cli.example:443", EndpointRow.CLI, Optional.empty(), "{}"), T0);
      endpoints.add(row("adopted.example:443", EndpointRow.CLI, Optional.empty(), "{}"), T0);

      EndpointRepository.SyncResult second = endpoints.syncConfig("node-a", List.of(
          row("b.example:443", EndpointRow.CONFIG, Optional.of("web"), "{\"v\":2}"),
          row("adopted.example:443", EndpointRow.CONFIG, Optional.empty(), "{}")), T1);
      assertEquals(new EndpointRepository.SyncResult(List.of(), List.of("b.example:443", "adopted.example:443"),
          List.of("a.example:443")), second);
      assertTrue(second.changed());
      assertFalse(endpoints.syncConfig("node-a", List.of(
          row("b.example:443", EndpointRow.CONFIG, Optional.of("web"), "{\"v\":2}"),
          row("adopted.example:443", EndpointRow.CONFIG, Optional.empty(), "{}")), T1).changed());

      assertEquals(List.of("adopted.example:443", "b.example:443", "cli.example:443"),
          endpoints.list().stream().map(EndpointRow::id).toList());
      EndpointRow b = endpoints.find("b.example:443").orElseThrow();
      assertEquals(new EndpointRow("b.example:443", "b.example:443", EndpointRow.CONFIG, Optional.of("web"),
          "{\"v\":2}", T0, T1), b);
      assertEquals(EndpointRow.CONFIG, endpoints.find("adopted.example:443").orElseThrow().origin());
      assertEquals(EndpointRow.CLI, endpoints.find("cli.example:443").orElseThrow().origin());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void addingAnExistingEndpointIsRefusedAndRemovingSaysWhetherThereWasOne(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      EndpointRepository endpoints = new EndpointRepository(store);
      endpoints.add(row("x.example:443", EndpointRow.CLI, Optional.empty(), "{}"), T0);
      StoreException e = assertThrows(StoreException.class,
          () -> endpoints.add(row("x.example:443", EndpointRow.CLI, Optional.empty(), "{\"other\":1}"), T1));
      assertTrue(e.getMessage().contains("endpoint x.example:443 exists already"), e.getMessage());
      assertEquals("{}", endpoints.find("x.example:443").orElseThrow().specJson());

      assertTrue(endpoints.remove("x.example:443"));
      assertFalse(endpoints.remove("x.example:443"));
      assertEquals(Optional.empty(), endpoints.find("x.example:443"));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreBackend.class)
  void anEndpointStaysWhileAnyNodeDeclaresIt(StoreBackend backend) throws Exception {
    try (Store store = backend.open(dir)) {
      EndpointRepository endpoints = new EndpointRepository(store);
      EndpointRow shared = row("shared.example:443", EndpointRow.CONFIG, Optional.empty(), "{}");
      EndpointRow onlyA = row("a.example:443", EndpointRow.CONFIG, Optional.empty(), "{}");
      EndpointRow onlyB = row("b.example:443", EndpointRow.CONFIG, Optional.empty(), "{}");
      endpoints.syncConfig("node-a", List.of(shared, onlyA), T0);
      // b's sync neither removes what a declares nor counts it as b's
      assertEquals(new EndpointRepository.SyncResult(List.of("b.example:443"), List.of(), List.of()),
          endpoints.syncConfig("node-b", List.of(shared, onlyB), T0));
      assertEquals(java.util.Map.of("node-a", 2L, "node-b", 2L), endpoints.declarationsPerNode());
      // a stops declaring the shared one: b still does, so it stays
      assertEquals(new EndpointRepository.SyncResult(List.of(), List.of(), List.of()),
          endpoints.syncConfig("node-a", List.of(onlyA), T1));
      assertEquals(List.of("a.example:443", "b.example:443", "shared.example:443"),
          endpoints.list().stream().map(EndpointRow::id).toList());
      // then b does too: the last declaration gone, it leaves
      assertEquals(new EndpointRepository.SyncResult(List.of(), List.of(), List.of("shared.example:443")),
          endpoints.syncConfig("node-b", List.of(onlyB), T1));
      assertEquals(java.util.Map.of("node-a", 1L, "node-b", 1L), endpoints.declarationsPerNode());
    }
  }
}
