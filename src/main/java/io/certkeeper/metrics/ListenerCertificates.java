package io.certkeeper.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Which certificate each of the daemon's TLS listeners serves now, for
 * {@code certkeeper_listener_certificate_info}. A listener reports after every (re)load of its
 * context; the previous certificate's series disappears with the swap.
 */
public final class ListenerCertificates {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern LISTENER = Pattern.compile("[A-Za-z0-9_.:\\[\\]-]{1,200}");

  private final Map<String, String> serving = new ConcurrentHashMap<>();

  /**
   * @param listener the listener's configured name (or address), e.g. {@code admin}
   * @param sha256 SHA-256 of the leaf certificate it now serves, lowercase hex
   */
  public void serving(String listener, String sha256) {
    if (listener == null || !LISTENER.matcher(listener).matches()) {
      throw new IllegalArgumentException("invalid listener name: " + listener);
    }
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("not a lowercase hex SHA-256: " + sha256);
    }
    serving.put(listener, sha256);
  }

  /** The listener closed. */
  public void stopped(String listener) {
    serving.remove(listener);
  }

  void addTo(Exposition e) {
    Exposition.Family f = e.gauge("certkeeper_listener_certificate_info",
        "The certificate each TLS listener of the daemon serves now (always 1).", "listener", "sha256");
    serving.forEach((listener, sha) -> f.add(1, listener, sha));
  }
}
