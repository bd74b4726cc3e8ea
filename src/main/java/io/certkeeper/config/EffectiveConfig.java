package io.certkeeper.config;

import io.certkeeper.util.Coded;
import io.certkeeper.util.Durations;
import io.certkeeper.util.Redaction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The effective configuration (every default filled in) as a tree of maps, lists, strings,
 * numbers and booleans, in exactly the keys and shapes {@link ConfigLoader} reads: loading what
 * {@code config check} prints gives the same configuration again.
 *
 * <ul>
 *   <li>Durations in the configuration's notation ({@code 30d}), octal modes as text ({@code "0640"}),
 *       addresses as {@code host:port}, secrets as their references.
 *   <li>Paths are absolute (relative ones were resolved against the configuration file's folder),
 *       so the output means the same wherever it is saved.
 *   <li>Endpoints are written out one by one with every setting resolved; one that belongs to a
 *       group stays under {@code groups: NAME: endpoints:} (targets files are expanded into their
 *       targets, group and top-level {@code defaults:} are folded into each endpoint).
 *   <li>The one exception to "loads the same": an inline password in {@code store.url} or an
 *       endpoint's {@code proxy} URL is shown as {@code ****}.
 * </ul>
 */
final class EffectiveConfig {
  private EffectiveConfig() {}

  /** The tree of {@code c}, top-level keys in the order of the sample file. */
  static Map<String, Object> of(Config c) {
    Map<String, Object> root = new LinkedHashMap<>();
    c.dataDir().ifPresent(d -> root.put("data-dir", absolute(c, d).toString()));
    c.node().ifPresent(n -> root.put("node", n));
    root.put("log", map("level", c.log().level()));
    root.put("store", store(c.store()));
    root.put("ca", ca(c.ca()));
    if (!c.acme().accounts().isEmpty() || c.acme().passphrase().isPresent()) {
      root.put("acme", acme(c.acme()));
    }
    // this node's, then the other nodes' (nodes: without this one)
    root.put("certificates", java.util.stream.Stream.concat(c.certificates().stream(),
        c.elsewhere().certificates().stream()).map(EffectiveConfig::certificate).toList());
    root.put("scheduler", scheduler(c.scheduler()));
    Map<String, Object> groups = new LinkedHashMap<>();
    List<Object> ungrouped = new ArrayList<>();
    for (EndpointConfig e : c.endpoints()) {
      if (e.group().isPresent()) {
        @SuppressWarnings("unchecked")
        Map<String, Object> g = (Map<String, Object>) groups.computeIfAbsent(e.group().get(),
            k -> map("endpoints", new ArrayList<>()));
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) g.get("endpoints");
        list.add(endpoint(e));
      } else {
        ungrouped.add(endpoint(e));
      }
    }
    if (!groups.isEmpty()) {
      root.put("groups", groups);
    }
    root.put("endpoints", ungrouped);
    if (!c.files().isEmpty()) {
      root.put("files", c.files().stream().map(EffectiveConfig::fileSet).toList());
    }
    root.put("listeners", java.util.stream.Stream.concat(c.listeners().stream(), c.elsewhere().listeners().stream())
        .map(EffectiveConfig::listener).toList());
    root.put("alerts", alerts(c.alerts()));
    root.put("smtp", smtp(c.smtp()));
    return root;
  }

  private static Path absolute(Config c, Path p) {
    Path base = c.file().map(f -> f.toAbsolutePath().getParent()).orElse(Path.of("").toAbsolutePath());
    return base.resolve(p).normalize();
  }

  private static Map<String, Object> store(StoreConfig s) {
    Map<String, Object> m = new LinkedHashMap<>();
    s.url().ifPresent(u -> m.put("url", Redaction.url(u)));
    s.user().ifPresent(u -> m.put("user", u));
    s.password().ifPresent(p -> m.put("password", p.toString()));
    m.put("pool-size", s.poolSize());
    return m;
  }

  private static Map<String, Object> hook(CertificateConfig.Hook h) {
    Map<String, Object> hook = new LinkedHashMap<>();
    hook.put("command", h.command());
    hook.put("timeout", duration(h.timeout()));
    hook.put("env", new TreeMap<>(h.env()));
    return hook;
  }

  private static Map<String, Object> acme(AcmeConfig acme) {
    Map<String, Object> m = new LinkedHashMap<>();
    acme.passphrase().ifPresent(p -> m.put("passphrase", p.toString()));
    List<Object> accounts = new ArrayList<>();
    for (AcmeConfig.Account a : acme.accounts()) {
      Map<String, Object> am = new LinkedHashMap<>();
      am.put("name", a.name());
      am.put("directory", a.directory().toString());
      am.put("contact", a.contact());
      am.put("agree-tos", a.agreeTos());
      am.put("ca-files", a.caFiles().stream().map(Path::toString).toList());
      a.eab().ifPresent(e -> {
        Map<String, Object> eab = map("key-id", e.keyId());
        eab.put("hmac-key", e.hmacKey().toString());
        am.put("eab", eab);
      });
      accounts.add(am);
    }
    m.put("accounts", accounts);
    return m;
  }

  private static Map<String, Object> ca(CaConfig ca) {
    Map<String, Object> m = new LinkedHashMap<>();
    ca.passphrase().ifPresent(p -> m.put("passphrase", p.toString()));
    ca.crlUrl().ifPresent(u -> m.put("crl-url", u));
    m.put("crl-validity", duration(ca.crlValidity()));
    m.put("validity", duration(ca.validity()));
    m.put("key-type", ca.keyType().code());
    Map<String, Object> policy = new LinkedHashMap<>();
    policy.put("max-validity", duration(ca.policy().maxValidity()));
    policy.put("key-types", codes(ca.policy().keyTypes()));
    policy.put("allowed-names", ca.policy().allowedNames());
    m.put("policy", policy);
    ca.ocspUrl().ifPresent(u -> m.put("ocsp-url", u));
    ca.issuerUrl().ifPresent(u -> m.put("issuer-url", u));
    Map<String, Object> ocsp = new LinkedHashMap<>();
    ocsp.put("validity", duration(ca.ocsp().validity()));
    ocsp.put("signer-validity", duration(ca.ocsp().signerValidity()));
    ocsp.put("sign-on-demand", ca.ocsp().signOnDemand());
    ocsp.put("rate-limit", ca.ocsp().rateLimit());
    m.put("ocsp", ocsp);
    return m;
  }

  private static Map<String, Object> certificate(CertificateConfig c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", c.name());
    if (!c.nodes().isEmpty()) {
      m.put("nodes", c.nodes());
    }
    m.put("common-name", c.commonName());
    m.put("sans", c.sans());
    c.keyType().ifPresent(k -> m.put("key-type", k.code()));
    c.validity().ifPresent(v -> m.put("validity", duration(v)));
    m.put("profile", c.profile().code());
    c.renewAt().ifPresent(r -> m.put("renew-at", fraction(r)));
    c.renewBefore().ifPresent(r -> m.put("renew-before", duration(r)));
    m.put("key", c.key().code());
    List<Object> outputs = new ArrayList<>();
    for (CertificateConfig.Output o : c.outputs()) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("type", o.type().code());
      out.put("path", o.path().toString());
      o.owner().ifPresent(v -> out.put("owner", v));
      o.group().ifPresent(v -> out.put("group", v));
      out.put("mode", CertificateConfig.octal(o.mode()));
      o.password().ifPresent(p -> out.put("password", p.toString()));
      outputs.add(out);
    }
    m.put("outputs", outputs);
    List<Object> hooks = new ArrayList<>();
    for (CertificateConfig.Hook h : c.hooks()) {
      hooks.add(hook(h));
    }
    m.put("hooks", hooks);
    m.put("owners", c.owners());
    c.acme().ifPresent(a -> {
      m.put("issuer", "acme:" + a.account());
      m.put("challenge", a.challenge().code());
      a.dnsSet().ifPresent(h -> m.put("dns-set", hook(h)));
      a.dnsClear().ifPresent(h -> m.put("dns-clear", hook(h)));
      a.webroot().ifPresent(w -> m.put("webroot", w.toString()));
    });
    return m;
  }

  /**
   * {@code 66%} when the fraction is a whole percentage, else the fraction itself ({@code 0.6667}),
   * which the loader reads back to the same number.
   */
  static String fraction(double f) {
    long percent = Math.round(f * 100);
    if (percent / 100.0 == f) {
      return percent + "%";
    }
    return Double.toString(f);
  }

  private static Map<String, Object> scheduler(SchedulerConfig s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("threads", s.threads());
    m.put("probe-concurrency", s.probeConcurrency());
    m.put("catch-up-rate", s.catchUpRate());
    m.put("retention", duration(s.retention()));
    m.put("renewal-check", duration(s.renewalCheck()));
    m.put("alert-evaluation", duration(s.alertEvaluation()));
    return m;
  }

  private static Map<String, Object> endpoint(EndpointConfig e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", e.target().toString());
    e.servername().ifPresent(s -> m.put("servername", s));
    e.starttls().ifPresent(s -> m.put("starttls", s));
    e.proxy().ifPresent(p -> m.put("proxy", Redaction.url(p)));
    m.put("ca-files", paths(e.caFiles()));
    ProbeSchedule schedule = e.schedule();
    m.put(schedule.kind().code(), switch (schedule.kind()) {
      case EVERY -> duration(schedule.every().get());
      case CRON -> schedule.cron().get();
    });
    m.put("warning", duration(e.warning()));
    m.put("critical", duration(e.critical()));
    m.put("timeout", duration(e.timeout()));
    m.put("labels", new TreeMap<>(e.labels()));
    m.put("owners", e.owners());
    if (e.checkRevocation()) {
      m.put("check-revocation", true);
    }
    return m;
  }

  private static Map<String, Object> fileSet(FileSetConfig f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("paths", f.paths());
    f.password().ifPresent(p -> m.put("password", p.toString()));
    m.put("rescan", duration(f.rescan()));
    m.put("warning", duration(f.warning()));
    m.put("critical", duration(f.critical()));
    m.put("labels", new TreeMap<>(f.labels()));
    m.put("owners", f.owners());
    m.put("endpoints", f.endpoints());
    return m;
  }

  private static Map<String, Object> listener(ListenerConfig l) {
    Map<String, Object> m = new LinkedHashMap<>();
    boolean admin = l.role() == ListenerRole.ADMIN;
    m.put("name", l.name());
    if (!l.nodes().isEmpty()) {
      m.put("nodes", l.nodes());
    }
    m.put("bind", l.bind().toString());
    m.put("role", l.role().code());
    l.backend().ifPresent(b -> m.put("backend", b.toString()));
    boolean http = l.role().isPlainHttp();
    if (l.role() == ListenerRole.ACME_HTTP) {
      m.put("redirect-to-https", l.redirectToHttps());
    } else if (!http) {
      m.put("certificate", certificateSource(l.certificate()));
      m.put("tls", tls(l.tls()));
    }
    if (admin) {
      Map<String, Object> auth = new LinkedHashMap<>();
      l.auth().token().ifPresent(t -> auth.put("token", t.toString()));
      auth.put("metrics-public", l.auth().metricsPublic());
      m.put("auth", auth);
    }
    Map<String, Object> limits = new LinkedHashMap<>();
    limits.put("max-connections", l.limits().maxConnections());
    if (admin || http) {
      limits.put("request-timeout", duration(l.limits().requestTimeout()));
      limits.put("idle-timeout", duration(l.limits().idleTimeout()));
    }
    m.put("limits", limits);
    return m;
  }

  private static Map<String, Object> certificateSource(ListenerConfig.CertificateSource s) {
    Map<String, Object> cert = new LinkedHashMap<>();
    s.managed().ifPresent(v -> cert.put("managed", v));
    s.certFile().ifPresent(v -> cert.put("cert-file", v.toString()));
    s.keyFile().ifPresent(v -> cert.put("key-file", v.toString()));
    if (s.keystore().isPresent()) {
      cert.put("keystore", s.keystore().get().toString());
      s.keystorePassword().ifPresent(p -> cert.put("password", p.toString()));
      cert.put("type", s.keystoreType().code());
    }
    return cert;
  }

  private static Map<String, Object> tls(ListenerConfig.TlsSettings t) {
    Map<String, Object> tls = new LinkedHashMap<>();
    tls.put("protocols", t.protocols().stream().map(TlsProtocol::protocolName).toList());
    tls.put("ciphers", t.ciphers());
    tls.put("client-auth", t.clientAuth().code());
    tls.put("client-ca-files", paths(t.clientCaFiles()));
    tls.put("crl-files", paths(t.crlFiles()));
    return tls;
  }

  private static Map<String, Object> alerts(AlertsConfig a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("recipients", a.recipients());
    m.put("thresholds", a.thresholds().stream().map(EffectiveConfig::duration).toList());
    m.put("failing-after", a.failingAfter());
    List<Object> routes = new ArrayList<>();
    for (AlertsConfig.Route r : a.routes()) {
      Map<String, Object> route = new LinkedHashMap<>();
      route.put("severity", r.severity());
      route.put("to", r.to());
      routes.add(route);
    }
    m.put("routes", routes);
    Map<String, Object> digest = new TreeMap<>();
    a.digest().forEach((address, mode) -> digest.put(address, mode.code()));
    m.put("digest", digest);
    return m;
  }

  private static Map<String, Object> smtp(SmtpConfig s) {
    Map<String, Object> m = new LinkedHashMap<>();
    s.host().ifPresent(h -> m.put("host", h));
    m.put("port", s.port());
    m.put("security", s.security().code());
    s.user().ifPresent(u -> m.put("user", u));
    s.password().ifPresent(p -> m.put("password", p.toString()));
    s.from().ifPresent(f -> m.put("from", f));
    m.put("ca-files", paths(s.caFiles()));
    m.put("connect-timeout", duration(s.connectTimeout()));
    m.put("read-timeout", duration(s.readTimeout()));
    return m;
  }

  private static List<String> codes(List<? extends Coded> values) {
    return values.stream().map(Coded::code).toList();
  }

  private static List<String> paths(List<Path> paths) {
    return paths.stream().map(Path::toString).toList();
  }

  private static String duration(Duration d) {
    return Durations.format(d);
  }

  private static Map<String, Object> map(String key, Object value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(key, value);
    return m;
  }
}
