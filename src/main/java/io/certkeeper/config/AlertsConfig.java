package io.certkeeper.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code alerts:} — what is alerted and to whom.
 *
 * @param recipients addresses alerted about a subject that has no {@code owners}
 * @param thresholds expiry thresholds, largest first (default 30d, 14d, 7d, 3d, 1d); an endpoint
 *     alerts at those no longer than its {@code warning} setting
 * @param failingAfter consecutive failed probes before an endpoint is reported failing (default 3)
 * @param routes extra recipients by severity: each route receives alerts of its severity or worse
 * @param digest per recipient, {@code none} (default), {@code 1h} or {@code daily}: one mail per
 *     window listing everything new
 */
public record AlertsConfig(List<String> recipients, List<Duration> thresholds, int failingAfter,
    List<Route> routes, Map<String, DigestMode> digest) {
  public static final List<Duration> DEFAULT_THRESHOLDS = List.of(Duration.ofDays(30), Duration.ofDays(14),
      Duration.ofDays(7), Duration.ofDays(3), Duration.ofDays(1));
  public static final int DEFAULT_FAILING_AFTER = 3;
  /** The severities a route may name, least severe first. */
  public static final String[] SEVERITIES = {"info", "warning", "critical"};

  /**
   * One routing rule.
   *
   * @param severity {@code info}, {@code warning} or {@code critical}: the least severe alert routed
   * @param to the addresses that receive it
   */
  public record Route(String severity, List<String> to) {
    public Route {
      Objects.requireNonNull(severity, "severity");
      to = List.copyOf(to);
    }
  }

  public AlertsConfig {
    recipients = List.copyOf(recipients);
    List<Duration> sorted = new ArrayList<>(thresholds);
    sorted.sort(Comparator.reverseOrder());
    thresholds = List.copyOf(sorted);
    routes = List.copyOf(routes);
    digest = Map.copyOf(digest);
  }

  static AlertsConfig read(ConfigNode n) throws ConfigException {
    n.allowOnly("recipients", "thresholds", "failing-after", "routes", "digest");
    List<Duration> thresholds = n.get("thresholds").isEmpty() ? DEFAULT_THRESHOLDS : n.list("thresholds", item -> {
      Duration d = item.asDuration();
      if (d.isZero() || d.isNegative()) {
        throw item.error("a threshold must be positive");
      }
      return d;
    });
    if (thresholds.size() != thresholds.stream().distinct().count()) {
      throw n.require("thresholds").error("thresholds must be distinct");
    }
    List<Route> routes = n.list("routes", item -> {
      item.allowOnly("severity", "to");
      String severity = item.require("severity").asChoice(SEVERITIES);
      List<String> to = item.list("to", AlertsConfig::address);
      if (to.isEmpty()) {
        throw item.error("a route needs at least one address in 'to'");
      }
      return new Route(severity, to);
    });
    Map<String, DigestMode> digest = new LinkedHashMap<>();
    ConfigNode d = n.section("digest");
    for (String address : d.keys()) {
      if (!address.contains("@")) {
        throw d.require(address).error("digest is keyed by e-mail address, got '" + address + "'");
      }
      digest.put(address, d.require(address).asEnum(DigestMode.class));
    }
    return new AlertsConfig(n.list("recipients", AlertsConfig::address), thresholds,
        n.integer("failing-after", 1, 1000, DEFAULT_FAILING_AFTER), routes, digest);
  }

  private static String address(ConfigNode item) throws ConfigException {
    String s = item.asString();
    if (!s.contains("@") || s.contains(" ") || s.contains(",")) {
      throw item.error("expected an e-mail address, got '" + s + "'");
    }
    return s;
  }

  public static AlertsConfig defaults() {
    return new AlertsConfig(List.of(), DEFAULT_THRESHOLDS, DEFAULT_FAILING_AFTER, List.of(), Map.of());
  }

  /** The digest mode of {@code recipient}: {@code none} unless configured. */
  public DigestMode digestOf(String recipient) {
    return digest.getOrDefault(recipient, DigestMode.NONE);
  }
}
