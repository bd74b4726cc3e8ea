package io.certkeeper.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certkeeper.ca.CaPolicy;
import io.certkeeper.ca.InitRequest;
import io.certkeeper.ca.IssueRequest;
import io.certkeeper.ca.IssuedCertificate;
import io.certkeeper.ca.Issuer;
import io.certkeeper.ca.LocalCa;
import io.certkeeper.ca.Profile;
import io.certkeeper.serve.PemKeySource;
import io.certkeeper.serve.ReloadableSslContext;
import io.certkeeper.serve.Roles;
import io.certkeeper.serve.TlsListener;
import io.certkeeper.serve.TlsOptions;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.util.AtomicFiles;
import io.certkeeper.x509.Fingerprints;
import io.certkeeper.x509.KeyType;
import io.certkeeper.x509.Pem;
import io.certkeeper.x509.PrivateKeys;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A renewal under load: a {@link TlsListener} (echo role) serving a {@link ReloadableSslContext}
 * over PEM files, 8 client threads doing full handshakes without pause, and 100 renewals. Each
 * renewal writes a new key and certificate (issued by the local CA beforehand) atomically and
 * calls {@code reload()}; then we time until a handshake completes that presents the new
 * certificate. Failed handshakes are counted over the whole run.
 */
public final class ReloadLatency {
  private ReloadLatency() {}

  public static void main(String[] args) throws Exception {
    boolean quick = Bench.quick(args);
    int reloads = 100;
    int threads = 8;
    ObjectNode out = Bench.section("reload", quick);
    Path work = Files.createTempDirectory("certkeeper-bench-reload");
    try (Store store = Store.openEmbedded(work.resolve("data"), 2)) {
      IssuedCertificateRepository repo = new IssuedCertificateRepository(store);
      LocalCa ca = LocalCa.init(work.resolve("ca"), new InitRequest("certkeeper bench CA", KeyType.EC_P256,
          InitRequest.DEFAULT_ROOT_VALIDITY, Optional.empty()), "bench-passphrase-123".toCharArray(), repo,
          Clock.systemUTC());
      Issuer issuer = Issuer.forCa(ca, CaPolicy.defaults(), repo, Clock.systemUTC(), Optional.empty());
      List<IssuedCertificate> generations = new ArrayList<>();
      for (int i = 0; i <= reloads; i++) {
        generations.add(issuer.issue(IssueRequest.withNewKey("localhost", List.of(), KeyType.EC_P256,
            Duration.ofDays(30), Profile.SERVER)));
      }
      Path cert = work.resolve("cert.pem");
      Path key = work.resolve("key.pem");
      write(generations.get(0), cert, key);
      ReloadableSslContext tls = ReloadableSslContext.load(new PemKeySource(cert, key), TlsOptions.defaults(), Clock.systemUTC());
      try (TlsListener listener = TlsListener.start("bench", new InetSocketAddress("127.0.0.1", 0), tls,
          Roles.echo(), 2, Clock.systemUTC())) {
        InetSocketAddress addr = listener.address();
        SSLContext client = trustAll();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong handshakes = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        // sha of the newest certificate seen, and when (System.nanoTime) it was first seen
        AtomicReference<Object[]> seen = new AtomicReference<>(new Object[] {"", 0L});
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          Thread w = new Thread(() -> {
            while (!stop.get()) {
              try {
                String sha = handshake(client, addr);
                long at = System.nanoTime();
                handshakes.incrementAndGet();
                seen.getAndUpdate(prev -> prev[0].equals(sha) ? prev : new Object[] {sha, at});
              } catch (Exception e) {
                if (!stop.get()) {
                  failures.incrementAndGet();
                  firstFailure.compareAndSet(null, e.toString());
                }
              }
            }
          }, "bench-client-" + t);
          w.setDaemon(true);
          w.start();
          workers.add(w);
        }
        Thread.sleep(quick ? 1500 : 3000); // warm-up under load
        long h0 = handshakes.get();
        long run0 = System.nanoTime();
        List<Double> reloadMs = new ArrayList<>();
        List<Double> visibleMs = new ArrayList<>();
        List<Double> renewalToVisibleMs = new ArrayList<>();
        int failedReloads = 0;
        for (int i = 1; i <= reloads; i++) {
          IssuedCertificate g = generations.get(i);
          String sha = Fingerprints.sha256(g.certificate());
          long t0 = System.nanoTime();
          write(g, cert, key);
          long tw = System.nanoTime();
          ReloadableSslContext.Reload r = tls.reload();
          long t1 = System.nanoTime();
          if (r.failed() || !r.changed()) {
            failedReloads++;
            continue;
          }
          long deadline = t1 + 10_000_000_000L;
          while (!seen.get()[0].equals(sha) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
          }
          Object[] s = seen.get();
          long t2 = s[0].equals(sha) ? (Long) s[1] : Long.MAX_VALUE;
          reloadMs.add((t1 - tw) / 1e6);
          visibleMs.add(Math.max(0, t2 - t1) / 1e6);
          renewalToVisibleMs.add((t2 - t0) / 1e6);
          Thread.sleep(10);
        }
        double seconds = (System.nanoTime() - run0) / 1e9;
        long during = handshakes.get() - h0;
        stop.set(true);
        for (Thread w : workers) {
          w.join(15_000);
        }
        out.put("what", "TlsListener (echo, 2 event-loop threads) + ReloadableSslContext over PEM files; " + threads
            + " JDK client threads handshaking and echoing one byte without pause");
        out.put("reloads", reloads);
        out.put("failed_reloads", failedReloads);
        out.put("client_threads", threads);
        out.put("handshakes_during_reloads", during);
        out.put("handshakes_per_s", Bench.round(during / seconds, 1));
        out.put("failed_handshakes", failures.get());
        if (firstFailure.get() != null) {
          out.put("first_failure", firstFailure.get());
        }
        out.put("reload_call_ms_median", Bench.round(Bench.median(reloadMs), 2));
        out.put("reload_call_ms_max", Bench.round(Bench.percentile(reloadMs, 100), 2));
        out.put("visible_after_reload_ms_median", Bench.round(Bench.median(visibleMs), 2));
        out.put("visible_after_reload_ms_p99", Bench.round(Bench.percentile(visibleMs, 99), 2));
        out.put("visible_after_reload_ms_max", Bench.round(Bench.percentile(visibleMs, 100), 2));
        out.put("renewal_to_visible_ms_median", Bench.round(Bench.median(renewalToVisibleMs), 2));
        out.put("renewal_to_visible_ms_max", Bench.round(Bench.percentile(renewalToVisibleMs, 100), 2));
        System.out.println(out);
      }
      Bench.save(out);
    } finally {
      Bench.deleteTree(work);
    }
  }

  private static void write(IssuedCertificate g, Path cert, Path key) throws Exception {
    // key first: a reload between the two writes sees a mismatch and keeps the old context
    AtomicFiles.write(key, PrivateKeys.toPkcs8Pem(g.privateKey().get()).getBytes(StandardCharsets.US_ASCII),
        AtomicFiles.PRIVATE);
    AtomicFiles.write(cert, Pem.encodeAll(g.fullChain()).getBytes(StandardCharsets.US_ASCII), AtomicFiles.PUBLIC);
  }

  private static SSLContext trustAll() throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] c, String a) {}

      @Override
      public void checkServerTrusted(X509Certificate[] c, String a) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    return ctx;
  }

  /** Connect, full handshake, echo one byte; the SHA-256 of the leaf served. */
  private static String handshake(SSLContext client, InetSocketAddress addr) throws Exception {
    try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(addr.getAddress(), addr.getPort())) {
      s.setSoTimeout(10_000);
      s.setTcpNoDelay(true);
      s.startHandshake();
      String sha = Fingerprints.sha256((X509Certificate) s.getSession().getPeerCertificates()[0]);
      OutputStream o = s.getOutputStream();
      o.write(42);
      o.flush();
      InputStream in = s.getInputStream();
      if (in.read() != 42) {
        throw new java.io.IOException("echo failed");
      }
      return sha;
    }
  }
}
