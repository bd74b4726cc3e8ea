package io.certkeeper.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.OpenSsl;
import io.certkeeper.util.AtomicFiles;
import io.certkeeper.x509.Fingerprints;
import io.certkeeper.x509.Pem;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.time.Clock;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListenerReloadTest {
  @TempDir Path dir;

  /** A fresh self-signed EC certificate for localhost, as PEM bytes {cert, key}. */
  private byte[][] newCertificate(int i) throws Exception {
    Path d = Files.createDirectories(dir.resolve("gen" + i));
    OpenSsl.selfSigned(d, "c", "localhost", 30);
    return new byte[][] {Files.readAllBytes(d.resolve("c.pem")), Files.readAllBytes(d.resolve("c.key"))};
  }

  private static SSLContext trustAll() throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      public void checkClientTrusted(X509Certificate[] c, String a) {}
      public void checkServerTrusted(X509Certificate[] c, String a) {}
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    return ctx;
  }

  /** Connects, handshakes, echoes one byte; returns the SHA-256 of the leaf served. */
  private static String handshake(SSLContext client, InetSocketAddress addr) throws Exception {
    try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(addr.getAddress(), addr.getPort())) {
      s.setSoTimeout(10_000);
      s.setTcpNoDelay(true);
      s.startHandshake();
      String sha = Fingerprints.sha256((X509Certificate) s.getSession().getPeerCertificates()[0]);
      s.getOutputStream().write(42);
      s.getOutputStream().flush();
      assertEquals(42, s.getInputStream().read());
      return sha;
    }
  }

  @Test
  void fiftyRenewalsUnderEightThreadsOfHandshakesLoseNone() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    List<byte[][]> generations = new ArrayList<>();
    for (int i = 0; i <= 50; i++) {
      generations.add(newCertificate(i));
    }
    AtomicFiles.write(cert, generations.get(0)[0], AtomicFiles.PUBLIC);
    AtomicFiles.write(key, generations.get(0)[1], AtomicFiles.PRIVATE);
    ReloadableSslContext tls = ReloadableSslContext.load(new PemKeySource(cert, key), TlsOptions.defaults(), Clock.systemUTC());
    SSLContext client = trustAll();
    try (TlsListener listener = TlsListener.start("echo", new InetSocketAddress("127.0.0.1", 0), tls, Roles.echo(), 2, Clock.systemUTC())) {
      InetSocketAddress addr = listener.address();

      // a connection opened before the first swap, used again after the last
      SSLSocket longLived = (SSLSocket) client.getSocketFactory().createSocket(addr.getAddress(), addr.getPort());
      longLived.setSoTimeout(10_000);
      longLived.startHandshake();
      String firstSha = Fingerprints.sha256((X509Certificate) longLived.getSession().getPeerCertificates()[0]);

      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger ok = new AtomicInteger();
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      // certificates swapped out: a connection opened after a swap completed must never see one
      List<String> retired = new java.util.concurrent.CopyOnWriteArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        workers.add(pool.submit(() -> {
          while (running.get()) {
            List<String> retiredBefore = List.copyOf(retired);
            try {
              String sha = handshake(client, addr);
              if (retiredBefore.contains(sha)) {
                failures.add(new AssertionError("a connection opened after a swap saw the old certificate " + sha));
              }
              ok.incrementAndGet();
            } catch (Throwable e) {
              failures.add(e);
            }
          }
        }));
      }
      for (int i = 1; i <= 50; i++) {
        String before = tls.current().material().sha256();
        AtomicFiles.write(cert, generations.get(i)[0], AtomicFiles.PUBLIC);
        AtomicFiles.write(key, generations.get(i)[1], AtomicFiles.PRIVATE);
        ReloadableSslContext.Reload r = tls.reload();
        assertTrue(r.changed(), "reload " + i + ": " + r);
        retired.add(before);
        Thread.sleep(20);
      }
      running.set(false);
      for (Future<?> f : workers) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertEquals(List.of(), List.copyOf(failures));
      assertTrue(ok.get() > 100, "handshakes: " + ok.get());
      String last = Fingerprints.sha256(Pem.parseCertificates(generations.get(50)[0]).get(0));
      assertEquals(last, handshake(client, addr));

      // the connection from before the swaps still works, with its original certificate
      OutputStream out = longLived.getOutputStream();
      InputStream in = longLived.getInputStream();
      out.write(7);
      out.flush();
      assertEquals(7, in.read());
      assertEquals(firstSha, Fingerprints.sha256((X509Certificate) longLived.getSession().getPeerCertificates()[0]));
      longLived.close();
    }
  }

  @Test
  void aCorruptOrHalfWrittenReplacementKeepsTheOldCertificateServing() throws Exception {
    byte[][] good = newCertificate(1);
    byte[][] other = newCertificate(2);
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Files.write(cert, good[0]);
    Files.write(key, good[1]);
    ReloadableSslContext tls = ReloadableSslContext.load(new PemKeySource(cert, key), TlsOptions.defaults(), Clock.systemUTC());
    String goodSha = tls.current().material().sha256();
    try (TlsListener listener = TlsListener.start("echo", new InetSocketAddress("127.0.0.1", 0), tls, Roles.echo(), 1, Clock.systemUTC())) {
      // half-written certificate
      Files.write(cert, java.util.Arrays.copyOf(other[0], other[0].length / 2));
      ReloadableSslContext.Reload r = tls.reload();
      assertTrue(r.failed(), r.toString());
      assertEquals(goodSha, handshake(trustAll(), listener.address()));
      // new certificate, old key: they do not belong together
      Files.write(cert, other[0]);
      r = tls.reload();
      assertTrue(r.error().contains("does not belong"), r.error());
      assertEquals(goodSha, handshake(trustAll(), listener.address()));
      // garbage keystore-like bytes in the key file
      Files.write(key, new byte[] {1, 2, 3});
      assertTrue(tls.reload().failed());
      assertEquals(goodSha, handshake(trustAll(), listener.address()));
      // finally the matching key arrives: the new certificate is served
      Files.write(key, other[1]);
      r = tls.reload();
      assertTrue(r.changed(), r.toString());
      assertEquals(r.sha256(), handshake(trustAll(), listener.address()));
    }
  }

  @Test
  void aFileWatcherSeesASymlinkSwapAndReloads() throws Exception {
    byte[][] a = newCertificate(1);
    byte[][] b = newCertificate(2);
    Path v1 = Files.createDirectories(dir.resolve("v1"));
    Path v2 = Files.createDirectories(dir.resolve("v2"));
    Files.write(v1.resolve("cert.pem"), a[0]);
    Files.write(v1.resolve("key.pem"), a[1]);
    Files.write(v2.resolve("cert.pem"), b[0]);
    Files.write(v2.resolve("key.pem"), b[1]);
    Path live = dir.resolve("live");
    Files.createSymbolicLink(live, v1.getFileName());
    Path cert = live.resolve("cert.pem");
    Path key = live.resolve("key.pem");
    ReloadableSslContext tls = ReloadableSslContext.load(new PemKeySource(cert, key), TlsOptions.defaults(), Clock.systemUTC());
    AtomicReference<ReloadableSslContext.Reload> last = new AtomicReference<>();
    java.util.concurrent.CountDownLatch reloaded = new java.util.concurrent.CountDownLatch(1);
    try (FileWatcher w = new FileWatcher();
        TlsListener listener = TlsListener.start("echo", new InetSocketAddress("127.0.0.1", 0), tls, Roles.echo(), 1, Clock.systemUTC())) {
      w.watch(List.of(cert, key, live), () -> {
        ReloadableSslContext.Reload r = tls.reload();
        last.set(r);
        if (r.changed()) {
          reloaded.countDown();
        }
      });
      Path tmp = dir.resolve("live.tmp");
      Files.createSymbolicLink(tmp, v2.getFileName());
      Files.move(tmp, live, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      assertTrue(reloaded.await(10, TimeUnit.SECONDS), "no reload after the symlink swap: " + last.get());
      assertEquals(Fingerprints.sha256(Pem.parseCertificates(b[0]).get(0)), handshake(trustAll(), listener.address()));
    }
  }
}
