package io.certkeeper.renew;

import io.certkeeper.config.CertificateConfig;
import io.certkeeper.store.AcmeState;
import io.certkeeper.store.AcmeStateRepository;
import io.certkeeper.store.ManagedCertificateRepository;
import io.certkeeper.store.ManagedState;
import io.certkeeper.store.Store;
import io.certkeeper.store.StoreException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Read-only view of one node's managed certificates for {@code status} and {@code explain}. */
public final class ManagedView {
  private final ManagedCertificateRepository records;
  private final AcmeStateRepository acme;

  private ManagedView(Store store, String node) {
    this.records = new ManagedCertificateRepository(store, node);
    this.acme = new AcmeStateRepository(store, node);
  }

  /** The managed certificates {@code node} holds. */
  public static ManagedView of(Store store, String node) {
    return new ManagedView(store, node);
  }

  public Explanation explain(CertificateConfig c, Instant now) throws StoreException {
    return Explanation.of(c, records.find(c.name()),
        c.acme().isPresent() ? acme.find(c.name()) : java.util.Optional.empty(), now);
  }

  /** Every configured certificate, in configuration order. */
  public List<Explanation> all(List<CertificateConfig> configured, Instant now) throws StoreException {
    Map<String, ManagedState> byName = records.list().stream()
        .collect(Collectors.toMap(ManagedState::name, Function.identity()));
    Map<String, AcmeState> acmeByName = configured.stream().anyMatch(c -> c.acme().isPresent()) ? acme.all() : Map.of();
    List<Explanation> out = new ArrayList<>();
    for (CertificateConfig c : configured) {
      out.add(Explanation.of(c, java.util.Optional.ofNullable(byName.get(c.name())),
          c.acme().isPresent() ? java.util.Optional.ofNullable(acmeByName.get(c.name())) : java.util.Optional.empty(),
          now));
    }
    return out;
  }
}
