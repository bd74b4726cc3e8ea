package io.certkeeper.daemon;

import io.certkeeper.alert.AlertLedger;
import io.certkeeper.config.ListenerConfig;
import io.certkeeper.report.CertificateListing;
import io.certkeeper.renew.Renewer;
import io.certkeeper.report.EndpointListing;
import io.certkeeper.serve.Roles;
import io.certkeeper.store.CertificateRecord;
import io.certkeeper.store.Store;
import io.certkeeper.util.Durations;
import io.certkeeper.util.Json;
import io.certkeeper.util.Printable;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTPS API of an {@code admin} listener. {@code /healthz} and {@code /readyz} are open;
 * everything else needs a client certificate the listener verified (mTLS) or {@code Authorization:
 * Bearer TOKEN}: no credentials → 401, a wrong token → 403. JSON shapes are the CLI's {@code --json}
 * shapes (see {@link io.certkeeper.report}).
 *
 * <p>Only {@code /healthz} and the credential check run on the listener's event loop. Everything
 * that touches the store, the CA, hooks, probes or files runs on {@value #WORKERS} worker threads
 * owned by this API, with {@value #QUEUE} requests waiting at most; past that the answer is 503
 * with {@code Retry-After}. The workers stop when the listener stops.
 */
final class AdminApi implements Roles.HttpHandler {
  /** The dashboard's expiry bands (the prober's default thresholds). */
  static final Duration DASHBOARD_WARNING = io.certkeeper.probe.ExpiryThresholds.DEFAULT_WARNING;
  static final Duration DASHBOARD_CRITICAL = io.certkeeper.probe.ExpiryThresholds.DEFAULT_CRITICAL;
  /** Most items one list request returns. */
  static final int MAX_LIMIT = 100_000;
  /** Threads that run the requests touching the store, the CA, hooks, probes or files. */
  static final int WORKERS = 2;
  /** Requests waiting for a worker; one more is answered 503 with {@link #RETRY_AFTER}. */
  static final int QUEUE = 16;
  /** What a 503 asks the client to wait. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(5);
  /** How long stopping waits for requests under way before interrupting them. */
  static final Duration STOP_WAIT = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);

  private final ListenerConfig listener;
  private final Optional<byte[]> token;
  private final Store store;
  private final Clock clock;
  private final DaemonControl daemon;
  private final ThreadPoolExecutor workers;
  /** The dashboard page and its files, answered from memory. */
  private final io.certkeeper.serve.StaticFiles ui = new io.certkeeper.serve.StaticFiles("/io/certkeeper/ui",
      "index.html", "index.html", "app.js", "app.css", "favicon.svg");
  private final EventFeed feed;

  AdminApi(ListenerConfig listener, Store store, Clock clock, DaemonControl daemon) throws IOException {
    this.listener = listener;
    this.token = listener.auth().token().isPresent()
        ? Optional.of(new String(listener.auth().token().get().resolve()).getBytes(StandardCharsets.UTF_8))
        : Optional.empty();
    this.store = store;
    this.clock = clock;
    this.daemon = daemon;
    this.feed = new EventFeed(listener.name(), store, clock);
    AtomicInteger n = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE),
        r -> {
          Thread t = new Thread(r, "certkeeper-" + listener.name() + "-api-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Answers {@code /healthz} here on the event loop; checks credentials here too (cheap, so that
   * unauthenticated requests never take a worker); hands everything else to the workers.
   */
  @Override
  public CompletionStage<FullHttpResponse> handle(FullHttpRequest req, Channel channel) {
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    String path = uri.path();
    if (path.equals("/healthz")) {
      return CompletableFuture.completedFuture(json(HttpResponseStatus.OK, "{\"status\": \"ok\"}"));
    }
    // the page holds no data (it asks for the token and then calls the API), so it is open like /healthz
    Optional<FullHttpResponse> file = ui.answer(req);
    if (file.isPresent()) {
      return CompletableFuture.completedFuture(file.get());
    }
    boolean open = path.equals("/readyz") || path.equals("/metrics") && listener.auth().metricsPublic();
    if (!open) {
      Optional<FullHttpResponse> denied = authenticate(req, channel);
      if (denied.isPresent()) {
        return CompletableFuture.completedFuture(denied.get());
      }
    }
    if (path.equals("/api/v1/events")) {
      if (!req.method().equals(HttpMethod.GET)) {
        return CompletableFuture.completedFuture(error(HttpResponseStatus.BAD_REQUEST, "use GET"));
      }
      if (!feed.hasRoom()) {
        FullHttpResponse busy = error(HttpResponseStatus.SERVICE_UNAVAILABLE, "too many event streams; retry later");
        busy.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER.toSeconds());
        return CompletableFuture.completedFuture(busy);
      }
      return CompletableFuture.completedFuture(new io.certkeeper.serve.EventStream(feed::subscribe));
    }
    HttpMethod method = req.method();
    CompletableFuture<FullHttpResponse> answer = new CompletableFuture<>();
    try {
      workers.execute(() -> answer.complete(answer(method, path, uri)));
    } catch (RejectedExecutionException e) {
      log.warn("{} - {} {} refused: {} requests under way and {} waiting", listener.name(), method, path, WORKERS,
          QUEUE);
      FullHttpResponse busy = error(HttpResponseStatus.SERVICE_UNAVAILABLE, "busy; retry later");
      busy.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER.toSeconds());
      return CompletableFuture.completedFuture(busy);
    }
    return answer;
  }

  /** Runs on a worker: may touch the store, the CA, hooks and files. Never throws. */
  private FullHttpResponse answer(HttpMethod method, String path, QueryStringDecoder uri) {
    try {
      if (path.equals("/readyz")) {
        Optional<String> why = daemon.notReadyBecause();
        if (why.isEmpty()) {
          return json(HttpResponseStatus.OK, "{\"ready\": true}");
        }
        return json(HttpResponseStatus.SERVICE_UNAVAILABLE, Json.mapper().writeValueAsString(
            Map.of("ready", false, "reason", Printable.line(why.get()))));
      }
      return route(method, path, uri);
    } catch (BadRequest e) {
      return error(HttpResponseStatus.BAD_REQUEST, e.getMessage());
    } catch (BadRequestUnchecked e) {
      return error(HttpResponseStatus.BAD_REQUEST, e.getMessage());
    } catch (Exception e) {
      log.error("{} - {} {} failed: {}", listener.name(), method, Printable.line(path),
          io.certkeeper.util.ErrorText.of(e));
      log.debug("{} - request failure", listener.name(), e);
      return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error; see the daemon's log");
    }
  }

  /** Lets requests under way finish (at most {@link #STOP_WAIT}), then interrupts them. */
  @Override
  public void close() {
    feed.close();
    workers.shutdown();
    try {
      if (!workers.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("{} - admin requests still running after {}; interrupting them", listener.name(), STOP_WAIT);
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private Optional<FullHttpResponse> authenticate(FullHttpRequest req, Channel channel) {
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    if (ssl != null) {
      try {
        if (ssl.engine().getSession().getPeerCertificates().length > 0) {
          return Optional.empty(); // the TLS layer verified it against client-ca-files
        }
      } catch (SSLPeerUnverifiedException e) {
        // no client certificate
      }
    }
    String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      FullHttpResponse r = error(HttpResponseStatus.UNAUTHORIZED, "authentication required: a client certificate or a bearer token");
      r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
      return Optional.of(r);
    }
    byte[] given = auth.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    if (token.isEmpty() || !MessageDigest.isEqual(given, token.get())) {
      return Optional.of(error(HttpResponseStatus.FORBIDDEN, "wrong token"));
    }
    return Optional.empty();
  }

  private FullHttpResponse route(HttpMethod method, String path, QueryStringDecoder uri) throws Exception {
    Instant now = clock.instant();
    String[] parts = path.split("/");
    if (path.equals("/metrics")) {
      requireGet(method);
      FullHttpResponse r = Roles.text(HttpResponseStatus.OK, daemon.metricsText());
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, io.certkeeper.metrics.Exposition.CONTENT_TYPE);
      return r;
    }
    if (path.equals("/api/v1/certificates")) {
      requireGet(method);
      Optional<Instant> before = param(uri, "expiring-within").map(d -> now.plus(duration("expiring-within", d)));
      Optional<CertificateRecord.Source> source = param(uri, "source").map(AdminApi::source);
      return ok(CertificateListing.list(store, source, before, limit(uri), now));
    }
    if (path.equals("/api/v1/endpoints")) {
      requireGet(method);
      return ok(EndpointListing.list(store, now));
    }
    if (path.equals("/api/v1/dashboard")) {
      requireGet(method);
      return ok(io.certkeeper.report.DashboardTiles.of(store, now, DASHBOARD_WARNING, DASHBOARD_CRITICAL));
    }
    if (path.equals("/api/v1/inventory")) {
      requireGet(method);
      int limit = param(uri, "limit").map(AdminApi::pageSize).orElse(50);
      String sort = param(uri, "sort").orElse("expiry");
      if (!sort.equals("expiry") && !sort.equals("-expiry")) {
        throw new BadRequest("sort must be expiry (soonest first) or -expiry (latest first), got '" + sort + "'");
      }
      io.certkeeper.report.InventoryPage.Query q = new io.certkeeper.report.InventoryPage.Query(param(uri, "q"),
          param(uri, "severity"), param(uri, "source").map(AdminApi::source), param(uri, "within").map(d -> duration("within", d)),
          sort.equals("-expiry"));
      try {
        return ok(io.certkeeper.report.InventoryPage.page(store, q, param(uri, "cursor"), limit, now, DASHBOARD_WARNING,
            DASHBOARD_CRITICAL));
      } catch (IllegalArgumentException e) {
        throw new BadRequest(e.getMessage());
      }
    }
    if (parts.length == 5 && path.startsWith("/api/v1/inventory/")) {
      requireGet(method);
      String sha = parts[4].toLowerCase(java.util.Locale.ROOT);
      if (!sha.matches("[0-9a-f]{64}")) {
        throw new BadRequest("expected a SHA-256 fingerprint, 64 hex digits");
      }
      return certificateDetail(sha, now).map(this::ok)
          .orElseGet(() -> error(HttpResponseStatus.NOT_FOUND, "no certificate " + sha + " in the inventory"));
    }
    if (path.equals("/api/v1/files")) {
      requireGet(method);
      io.certkeeper.config.Config cfg = daemon.config();
      Optional<String> node = flag(uri, "all-nodes") ? Optional.empty() : Optional.of(cfg.nodeName());
      return ok(io.certkeeper.report.FileListing.list(store, node, cfg.nodeName(), now));
    }
    if (path.equals("/api/v1/managed")) {
      requireGet(method);
      io.certkeeper.config.Config cfg = daemon.config();
      return ok(io.certkeeper.renew.ManagedView.of(store, cfg.nodeName()).all(cfg.certificates(), now));
    }
    if (path.equals("/api/v1/alerts")) {
      requireGet(method);
      List<String> statuses = param(uri, "status").map(List::of).orElse(List.of());
      return ok(new AlertLedger(store).list(statuses, limit(uri)));
    }
    if (parts.length >= 5 && parts[1].equals("api") && parts[2].equals("v1") && parts[3].equals("endpoints")) {
      String id = URLDecoder.decode(parts[4], StandardCharsets.UTF_8);
      if (parts.length == 5) {
        requireGet(method);
        return EndpointListing.show(store, id, now).map(this::ok)
            .orElseGet(() -> error(HttpResponseStatus.NOT_FOUND, "no endpoint " + id));
      }
      if (parts.length == 6 && parts[5].equals("chain")) {
        requireGet(method);
        return ok(EndpointListing.chain(store, id));
      }
      if (parts.length == 6 && parts[5].equals("history")) {
        requireGet(method);
        return ok(EndpointListing.history(store, id, limit(uri)));
      }
      if (parts.length == 6 && parts[5].equals("probe")) {
        requirePost(method);
        if (EndpointListing.show(store, id, now).isEmpty()) {
          return error(HttpResponseStatus.NOT_FOUND, "no endpoint " + id);
        }
        daemon.probeNow(id);
        return json(HttpResponseStatus.ACCEPTED, "{\"endpoint\": " + Json.mapper().writeValueAsString(id)
            + ", \"probe\": \"started\"}");
      }
    }
    if (parts.length == 6 && path.startsWith("/api/v1/certificates/") && parts[5].equals("renew")) {
      requirePost(method);
      String name = URLDecoder.decode(parts[4], StandardCharsets.UTF_8);
      boolean force = flag(uri, "force");
      Optional<Renewer.Outcome> result = daemon.renewNow(name, force);
      return result.map(o -> json(renewalStatus(o.kind()), Json.pretty(o)))
          .orElseGet(() -> error(HttpResponseStatus.NOT_FOUND, "no managed certificate " + name));
    }
    return error(HttpResponseStatus.NOT_FOUND, "no such resource: " + path);
  }

  /**
   * One certificate for the dashboard's detail view: the table's row, its PEM, the managed
   * generations that had it, and the renewal explanation of each managed certificate of this node
   * it is in force for.
   */
  private Optional<Map<String, Object>> certificateDetail(String sha, Instant now) throws Exception {
    Optional<io.certkeeper.store.CertificateRecord> c = new io.certkeeper.store.CertificateRepository(store).find(sha);
    if (c.isEmpty()) {
      return Optional.empty();
    }
    // from the record itself: a search for the fingerprint could find another certificate naming it
    io.certkeeper.report.InventoryPage.Row row = io.certkeeper.report.InventoryPage.rowOf(store, c.get(), now,
        DASHBOARD_WARNING, DASHBOARD_CRITICAL);
    io.certkeeper.config.Config cfg = daemon.config();
    io.certkeeper.store.ManagedCertificateRepository managed =
        new io.certkeeper.store.ManagedCertificateRepository(store, cfg.nodeName());
    List<Object> explanations = new java.util.ArrayList<>();
    for (io.certkeeper.store.ManagedState m : managed.list()) {
      if (m.sha256().equals(sha)) {
        Optional<io.certkeeper.config.CertificateConfig> cc = cfg.certificate(m.name());
        if (cc.isPresent()) {
          explanations.add(io.certkeeper.renew.ManagedView.of(store, cfg.nodeName()).explain(cc.get(), now));
        }
      }
    }
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    out.put("certificate", row);
    out.put("signatureAlgorithm", c.get().info().signatureAlgorithm());
    out.put("keyAlgorithm", c.get().info().keyAlgorithm());
    out.put("keySize", c.get().info().keySize());
    out.put("pem", c.get().pem());
    out.put("generations", managed.generationsWith(sha));
    out.put("managed", explanations);
    out.put("sameKey", io.certkeeper.report.InventoryPage.sameKey(store, c.get(), now, DASHBOARD_WARNING,
        DASHBOARD_CRITICAL));
    return Optional.of(out);
  }

  /** A page size for the dashboard's table: 1 to {@link io.certkeeper.report.InventoryPage#MAX_LIMIT}. */
  private static int pageSize(String s) {
    try {
      int n = Integer.parseInt(s);
      if (n >= 1 && n <= io.certkeeper.report.InventoryPage.MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new BadRequestUnchecked("limit must be between 1 and " + io.certkeeper.report.InventoryPage.MAX_LIMIT);
  }

  /**
   * The answer to a renewal: 200 renewed; 409 refused by the storm guard's minimum interval (the
   * certificate in force stays; retry later or with {@code ?force=true}); 500 failed (recorded,
   * retried with backoff and alerted like a scheduled renewal).
   */
  static HttpResponseStatus renewalStatus(Renewer.Kind kind) {
    switch (kind) {
      case RENEWED: return HttpResponseStatus.OK;
      case REFUSED: return HttpResponseStatus.CONFLICT;
      default: return HttpResponseStatus.INTERNAL_SERVER_ERROR;
    }
  }

  /** A boolean query parameter: absent or {@code false} is false, {@code true} is true, anything else 400. */
  private static boolean flag(QueryStringDecoder uri, String name) throws BadRequest {
    Optional<String> v = param(uri, name);
    if (v.isEmpty() || v.get().equals("false")) {
      return false;
    }
    if (v.get().equals("true")) {
      return true;
    }
    throw new BadRequest(name + " must be true or false, got '" + v.get() + "'");
  }

  private static void requireGet(HttpMethod m) throws BadRequest {
    if (!m.equals(HttpMethod.GET)) {
      throw new BadRequest("use GET");
    }
  }

  private static void requirePost(HttpMethod m) throws BadRequest {
    if (!m.equals(HttpMethod.POST)) {
      throw new BadRequest("use POST");
    }
  }

  private static Optional<String> param(QueryStringDecoder uri, String name) {
    List<String> v = uri.parameters().get(name);
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  private static int limit(QueryStringDecoder uri) throws BadRequest {
    Optional<String> l = param(uri, "limit");
    if (l.isEmpty()) {
      return 1000;
    }
    try {
      int n = Integer.parseInt(l.get());
      if (n < 1 || n > MAX_LIMIT) {
        throw new BadRequest("limit must be between 1 and " + MAX_LIMIT);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new BadRequest("limit must be a number, got '" + l.get() + "'");
    }
  }

  private static Duration duration(String parameter, String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new BadRequestUnchecked(parameter + ": " + e.getMessage());
    }
  }

  private static CertificateRecord.Source source(String s) {
    switch (s) {
      case "issued": return CertificateRecord.Source.ISSUED;
      case "observed": return CertificateRecord.Source.OBSERVED;
      case "file": return CertificateRecord.Source.FILE;
      default: throw new BadRequestUnchecked("source must be issued, observed or file, got '" + s + "'");
    }
  }

  private FullHttpResponse ok(Object body) {
    return json(HttpResponseStatus.OK, Json.pretty(body));
  }

  private static FullHttpResponse json(HttpResponseStatus status, String body) {
    FullHttpResponse r = Roles.text(status, body.endsWith("\n") ? body : body + "\n");
    io.certkeeper.serve.StaticFiles.securityHeaders(r.headers());
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return r;
  }

  private static FullHttpResponse error(HttpResponseStatus status, String message) {
    try {
      return json(status, "{\"error\": " + Json.mapper().writeValueAsString(message) + "}");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  /** A request the client can fix; answered with 400 and the message. */
  static final class BadRequest extends Exception {
    private static final long serialVersionUID = 1L;

    BadRequest(String message) {
      super(message);
    }
  }

  /** {@link BadRequest} from inside lambdas. */
  static final class BadRequestUnchecked extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadRequestUnchecked(String message) {
      super(message);
    }
  }
}
