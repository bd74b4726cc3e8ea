package io.certkeeper.config;

import io.certkeeper.util.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One endpoint to watch, with every setting resolved (endpoint, then its group's defaults, then
 * the top-level defaults, then the built-in ones).
 *
 * @param id stable identity: {@code host:port}, plus {@code ;sni=NAME} when the server name differs
 *     from the host and {@code ;starttls=P} for STARTTLS
 * @param servername expected name (and SNI); the host when absent
 * @param warning {@code expiring} is reported with fewer days left than this
 * @param critical within this, {@code expiring} is critical
 * @param timeout overall time for one probe
 * @param checkRevocation whether each probe also fetches the CRLs and the OCSP answer the chain's
 *     certificates name (plain HTTP), so that a revoked certificate is reported as {@code revoked}
 */
public record EndpointConfig(
    String id,
    HostPort target,
    Optional<String> servername,
    Optional<String> starttls,
    Optional<String> proxy,
    List<Path> caFiles,
    ProbeSchedule schedule,
    Duration warning,
    Duration critical,
    Duration timeout,
    Map<String, String> labels,
    List<String> owners,
    Optional<String> group,
    boolean checkRevocation) {

  public static final Duration DEFAULT_WARNING = Duration.ofDays(30);
  public static final Duration DEFAULT_CRITICAL = Duration.ofDays(7);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  public EndpointConfig {
    Objects.requireNonNull(id, "id");
    caFiles = List.copyOf(caFiles);
    labels = Map.copyOf(labels);
    owners = List.copyOf(owners);
  }

  /** An endpoint whose probes do not check revocation. */
  public EndpointConfig(String id, HostPort target, Optional<String> servername, Optional<String> starttls,
      Optional<String> proxy, List<Path> caFiles, ProbeSchedule schedule, Duration warning, Duration critical,
      Duration timeout, Map<String, String> labels, List<String> owners, Optional<String> group) {
    this(id, target, servername, starttls, proxy, caFiles, schedule, warning, critical, timeout, labels, owners, group,
        false);
  }

  /** The identity of an endpoint; see {@link EndpointConfig#id}. */
  public static String idFor(HostPort target, Optional<String> servername, Optional<String> starttls) {
    StringBuilder sb = new StringBuilder(target.toString());
    servername.filter(s -> !s.equalsIgnoreCase(target.host())).ifPresent(s -> sb.append(";sni=").append(s));
    starttls.ifPresent(s -> sb.append(";starttls=").append(s));
    return sb.toString();
  }

  /** Resolves {@code settings} (already merged with every level of defaults) for one target. */
  static EndpointConfig resolve(HostPort target, Optional<String> servername, EndpointSettings s,
      Optional<String> group) {
    return new EndpointConfig(
        idFor(target, servername, s.starttls()),
        target,
        servername,
        s.starttls(),
        s.proxy(),
        s.caFiles().orElse(List.of()),
        s.schedule().orElse(ProbeSchedule.every(ProbeSchedule.DEFAULT_EVERY)),
        s.warning().orElse(DEFAULT_WARNING),
        s.critical().orElse(DEFAULT_CRITICAL),
        s.timeout().orElse(DEFAULT_TIMEOUT),
        s.labels(),
        s.owners().orElse(List.of()),
        group,
        s.checkRevocation().orElse(false));
  }
}
