package io.certkeeper.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The per-endpoint settings that {@code defaults:} (top level and per group) may give and each
 * endpoint may override. Absent means "inherit".
 */
record EndpointSettings(
    Optional<String> starttls,
    Optional<String> proxy,
    Optional<List<Path>> caFiles,
    Optional<ProbeSchedule> schedule,
    Optional<Duration> warning,
    Optional<Duration> critical,
    Optional<Duration> timeout,
    Map<String, String> labels,
    Optional<List<String>> owners,
    Optional<Boolean> checkRevocation) {

  static final String[] KEYS = {
    "starttls", "proxy", "ca-files", "every", "cron", "warning", "critical", "timeout", "labels", "owners",
    "check-revocation"
  };

  static final String[] STARTTLS = {"smtp", "imap", "pop3", "ftp", "ldap", "postgres"};

  /** {@code labels:} of {@code n}: names of letters, digits and '_', string values. */
  static Map<String, String> labels(ConfigNode n) throws ConfigException {
    Map<String, String> labels = new TreeMap<>();
    ConfigNode l = n.section("labels");
    for (String k : l.keys()) {
      if (!k.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
        throw l.require(k).error("label names are letters, digits and '_' (got '" + k + "')");
      }
      labels.put(k, l.requireString(k));
    }
    return labels;
  }

  /** {@code owners:} of {@code n}: e-mail addresses. */
  static List<String> owners(ConfigNode n) throws ConfigException {
    return n.list("owners", item -> {
      String s = item.asString();
      if (!s.contains("@")) {
        throw item.error("an owner is an e-mail address, got '" + s + "'");
      }
      return s;
    });
  }

  static EndpointSettings none() {
    return new EndpointSettings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), Map.of(), Optional.empty(), Optional.empty());
  }

  /** Reads the settings keys of {@code n}; the caller has checked for unknown keys. */
  static EndpointSettings read(ConfigNode n, Path baseDir) throws ConfigException {
    Optional<ProbeSchedule> schedule = Optional.empty();
    Optional<ConfigNode> every = n.get("every");
    Optional<ConfigNode> cron = n.get("cron");
    if (every.isPresent() && cron.isPresent()) {
      throw cron.get().error("give either 'every' or 'cron', not both");
    }
    if (every.isPresent()) {
      Duration d = every.get().asDuration();
      schedule = Optional.of(scheduleOf(every.get(), () -> ProbeSchedule.every(d)));
    } else if (cron.isPresent()) {
      String c = cron.get().asString();
      schedule = Optional.of(scheduleOf(cron.get(), () -> ProbeSchedule.cron(c)));
    }
    Optional<String> proxy = n.string("proxy");
    if (proxy.isPresent() && !proxy.get().startsWith("http://")) {
      throw n.require("proxy").error("expected http://[user:pass@]host:port, got '" + proxy.get() + "'");
    }
    Optional<List<Path>> caFiles = n.get("ca-files").isEmpty() ? Optional.empty()
        : Optional.of(n.list("ca-files", item -> baseDir.resolve(item.asPath()).normalize()));
    Map<String, String> labels = labels(n);
    Optional<List<String>> owners = n.get("owners").isEmpty() ? Optional.empty() : Optional.of(owners(n));
    Optional<Duration> warning = n.duration("warning");
    Optional<Duration> critical = n.duration("critical");
    Optional<Duration> timeout = n.duration("timeout");
    if (timeout.isPresent() && (timeout.get().isZero() || timeout.get().compareTo(Duration.ofMinutes(5)) > 0)) {
      throw n.require("timeout").error("must be between 1ms and 5m");
    }
    return new EndpointSettings(n.choice("starttls", STARTTLS), proxy, caFiles, schedule, warning, critical,
        timeout, labels, owners, n.bool("check-revocation"));
  }

  private static ProbeSchedule scheduleOf(ConfigNode at, java.util.function.Supplier<ProbeSchedule> make)
      throws ConfigException {
    try {
      return make.get();
    } catch (IllegalArgumentException e) {
      throw at.error(e.getMessage());
    }
  }

  /** These settings with {@code over}'s present values taking precedence; labels are merged. */
  EndpointSettings overriddenBy(EndpointSettings over) {
    Map<String, String> merged = new TreeMap<>(labels);
    merged.putAll(over.labels);
    return new EndpointSettings(
        over.starttls.or(() -> starttls),
        over.proxy.or(() -> proxy),
        over.caFiles.or(() -> caFiles),
        over.schedule.or(() -> schedule),
        over.warning.or(() -> warning),
        over.critical.or(() -> critical),
        over.timeout.or(() -> timeout),
        merged,
        over.owners.or(() -> owners),
        over.checkRevocation.or(() -> checkRevocation));
  }
}
