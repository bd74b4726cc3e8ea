package io.certkeeper.daemon;

import io.certkeeper.renew.Renewer;
import java.util.Optional;

/** What the admin API asks of the daemon it runs in; everything else it reads from the store. */
interface DaemonControl {
  /** The configuration in force. */
  io.certkeeper.config.Config config();

  /** Why the daemon is not ready ({@code /readyz}), or empty when it is. */
  Optional<String> notReadyBecause();

  /** The daemon's metrics in the Prometheus text format. */
  String metricsText();

  /** Probes endpoint {@code endpointId} now, in the background. */
  void probeNow(String endpointId);

  /**
   * Renews a managed certificate now, as {@code renew NAME [--force]} does; empty when there is none
   * of that name.
   */
  Optional<Renewer.Outcome> renewNow(String name, boolean force) throws Exception;
}
