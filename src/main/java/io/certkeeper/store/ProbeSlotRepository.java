package io.certkeeper.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code probe_slots} table: up to when each slot schedule has been dispatched, and by which
 * node. A firing claims its window by moving {@code covered_until} from the value it read to the
 * window's end ({@link #advance}); of two nodes that read the same value, one moves it and
 * dispatches, the other finds it moved. The database decides, so the nodes' clocks do not matter.
 */
public final class ProbeSlotRepository {
  private final Store store;

  public ProbeSlotRepository(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** Up to when {@code name} has been dispatched; empty before its first claim. */
  public Optional<Instant> coveredUntil(String name) throws StoreException {
    return store.transaction(c -> coveredUntil(c, name));
  }

  private static Optional<Instant> coveredUntil(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT covered_until FROM probe_slots WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(Instant.ofEpochMilli(rs.getLong(1))) : Optional.empty();
      }
    }
  }

  /** The node that made the newest claim of any slot. */
  public Optional<String> lastNode() throws StoreException {
    return store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT node FROM probe_slots ORDER BY claimed_at DESC, name")) {
        ps.setMaxRows(1);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
      }
    });
  }

  /**
   * Moves the coverage of {@code name} from {@code expected} (empty: no row yet) to {@code to} in
   * {@code node}'s name.
   *
   * @return whether this call moved it; false when another node moved it first
   */
  public boolean advance(String name, Optional<Instant> expected, Instant to, String node, Instant now)
      throws StoreException {
    try {
      return store.transaction(c -> {
        if (expected.isEmpty()) {
          insert(c, name, to, node, now);
          return true;
        }
        return move(c, name, expected.get(), to, node, now);
      });
    } catch (StoreException e) {
      if (Store.isUniqueViolation(e)) {
        return false; // another node made the first claim
      }
      throw e;
    }
  }

  /**
   * At a node's start: when no node has dispatched {@code name} for longer than {@code stale} (or
   * ever), its coverage starts again at {@code now}, and the starting node catches up what was
   * missed; otherwise other nodes are dispatching and their coverage stands.
   *
   * @return from when the slots cover: {@code now}, or the coverage the other nodes reached
   */
  public Instant restart(String name, Instant now, Duration stale, String node) throws StoreException {
    try {
      return store.transaction(c -> {
        Optional<Instant> covered = coveredUntil(c, name);
        if (covered.isEmpty()) {
          insert(c, name, now, node, now);
          return now;
        }
        if (covered.get().isBefore(now.minus(stale))) {
          return move(c, name, covered.get(), now, node, now)
              ? now
              : coveredUntil(c, name).orElse(now); // another node moved it meanwhile
        }
        return covered.get();
      });
    } catch (StoreException e) {
      if (Store.isUniqueViolation(e)) {
        return coveredUntil(name).orElse(now);
      }
      throw e;
    }
  }

  /**
   * The compare-and-set: moves {@code name}'s coverage from {@code from} to {@code to}; false when
   * it was not at {@code from} (another node moved it).
   */
  private static boolean move(Connection c, String name, Instant from, Instant to, String node, Instant now)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE probe_slots SET covered_until = ?, node = ?, claimed_at = ? WHERE name = ? AND covered_until = ?")) {
      ps.setLong(1, to.toEpochMilli());
      ps.setString(2, node);
      Jdbc.setInstant(ps, 3, now);
      ps.setString(4, name);
      ps.setLong(5, from.toEpochMilli());
      return ps.executeUpdate() == 1;
    }
  }

  private static void insert(Connection c, String name, Instant to, String node, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO probe_slots (name, covered_until, node, claimed_at) VALUES (?, ?, ?, ?)")) {
      ps.setString(1, name);
      ps.setLong(2, to.toEpochMilli());
      ps.setString(3, node);
      Jdbc.setInstant(ps, 4, now);
      ps.executeUpdate();
    }
  }
}
