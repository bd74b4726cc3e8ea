package io.certkeeper.report;

import io.certkeeper.store.CertificateRepository;

import io.certkeeper.store.CertificateBrief;

import io.certkeeper.config.EndpointCodec;
import io.certkeeper.config.EndpointConfig;
import io.certkeeper.store.EndpointChange;
import io.certkeeper.store.EndpointRepository;
import io.certkeeper.store.EndpointRow;
import io.certkeeper.store.EndpointState;
import io.certkeeper.store.ProbeHistoryEntry;
import io.certkeeper.store.ProbeResultRepository;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import io.certkeeper.util.Durations;
import io.certkeeper.util.Redaction;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Endpoints with their settings and last status, and their history, as {@code endpoint list|show|history
 * --json} and {@code GET /api/v1/endpoints[/{id}/history]} show them.
 */
public final class EndpointListing {
  private EndpointListing() {}

  /**
   * One endpoint; {@code status} is {@code pending} until the first probe; {@code daysLeft} is
   * whole days to the last leaf's notAfter, rounded down (negative once it has expired), as the
   * prober counts them.
   */
  public record EndpointView(String id, String target, String origin, String group, String schedule, String servername,
      String starttls, String proxy, List<String> caFiles, String warning, String critical, String timeout,
      Map<String, String> labels, List<String> owners, String status, List<String> problems, String message,
      Instant lastProbeAt, Long daysLeft, Instant notAfter, Integer consecutiveFailures) {}

  /** Probe results and certificate changes of one endpoint, newest first. */
  public record HistoryView(String endpoint, List<ProbeHistoryEntry> results, List<EndpointChange> changes) {}

  /** Every endpoint, by id. */
  public static List<EndpointView> list(Store store, Instant now) throws StoreException {
    Map<String, EndpointState> states = new HashMap<>();
    for (EndpointState s : new ProbeResultRepository(store).states()) {
      states.put(s.endpointId(), s);
    }
    List<EndpointView> views = new ArrayList<>();
    for (EndpointRow r : new EndpointRepository(store).list()) {
      views.add(view(r, Optional.ofNullable(states.get(r.id())), now));
    }
    return views;
  }

  /** One endpoint by id. */
  public static Optional<EndpointView> show(Store store, String id, Instant now) throws StoreException {
    Optional<EndpointRow> row = new EndpointRepository(store).find(id);
    if (row.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(view(row.get(), new ProbeResultRepository(store).state(id), now));
  }

  /** The history of an endpoint id (declared or probed ad hoc). */
  public static HistoryView history(Store store, String id, int limit) throws StoreException {
    ProbeResultRepository results = new ProbeResultRepository(store);
    // Changes first: a change commits with the result that saw it, so every change read here has its
    // result committed before the results are read. (The other order, at read committed, can show a
    // change whose result arrived between the two reads.)
    List<EndpointChange> changes = results.changes(id, limit);
    return new HistoryView(id, results.history(id, limit), changes);
  }

  public static EndpointView view(EndpointRow row, Optional<EndpointState> state, Instant now) {
    EndpointConfig e = EndpointCodec.fromJson(row.specJson());
    Optional<Instant> notAfter = state.flatMap(EndpointState::leafNotAfter);
    return new EndpointView(e.id(), e.target().toString(), row.origin(), e.group().orElse(null), e.schedule().toString(),
        e.servername().orElse(null), e.starttls().orElse(null), e.proxy().map(Redaction::url).orElse(null),
        e.caFiles().stream().map(Path::toString).toList(), Durations.format(e.warning()), Durations.format(e.critical()),
        Durations.format(e.timeout()), e.labels(), e.owners(),
        state.map(EndpointState::status).orElse("pending"), state.map(EndpointState::problems).orElse(List.of()),
        state.map(EndpointState::message).orElse(null), state.map(EndpointState::lastProbeAt).orElse(null),
        notAfter.map(t -> Math.floorDiv(Duration.between(now, t).getSeconds(), 86_400L)).orElse(null),
        notAfter.orElse(null),
        state.map(EndpointState::consecutiveFailures).orElse(null));
  }

  /**
   * One certificate of the chain an endpoint served at its last probe, as far as the inventory
   * knows it (subject, issuer and expiry are null for one it does not hold).
   */
  public record ChainLink(int position, String sha256, String subject, String issuer, Instant notAfter) {}

  /** The chain of the endpoint's last probe, leaf first; empty before the first probe. */
  public static List<ChainLink> chain(Store store, String id) throws StoreException {
    ProbeResultRepository results = new ProbeResultRepository(store);
    Optional<EndpointState> state = results.state(id);
    if (state.isEmpty()) {
      return List.of();
    }
    List<String> shas = results.chainOf(state.get().lastResultId());
    Map<String, CertificateBrief> briefs = new CertificateRepository(store).briefs(shas);
    List<ChainLink> out = new ArrayList<>();
    for (int i = 0; i < shas.size(); i++) {
      CertificateBrief b = briefs.get(shas.get(i));
      out.add(new ChainLink(i, shas.get(i), b == null ? null : b.subject(), b == null ? null : b.issuer(),
          b == null ? null : b.notAfter()));
    }
    return out;
  }
}
