package io.certkeeper.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.testing.ExternalTool;
import io.certkeeper.testing.OpenSsl;
import io.certkeeper.x509.Fingerprints;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tls-alpn-01 on a real listener: a ClientHello for {@code acme-tls/1} and a name with a published
 * answer gets the RFC 8737 validation certificate and nothing else; every other client, the
 * listener's own certificate. openssl is the second judge.
 */
class AcmeTlsAlpnTest {
  static final String KEY_AUTHORIZATION = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";

  @TempDir Path dir;

  private final Map<String, String> published = new ConcurrentHashMap<>();

  private TlsListener listener() throws Exception {
    OpenSsl.selfSigned(dir, "own", "own.test", 30);
    ReloadableSslContext tls = ReloadableSslContext.load(new PemKeySource(dir.resolve("own.pem"), dir.resolve("own.key")),
        TlsOptions.defaults(), Clock.systemUTC());
    AcmeTlsAlpn acme = new AcmeTlsAlpn("web", name -> Optional.ofNullable(published.get(name)), Clock.systemUTC());
    return TlsListener.start("web", new InetSocketAddress("127.0.0.1", 0), tls, Roles.echo(), 1, 16, Optional.of(acme),
        Clock.systemUTC());
  }

  private record Seen(X509Certificate leaf, String protocol, boolean closedAfterHandshake) {}

  private static Seen connect(InetSocketAddress a, String name, String... protocols) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      public void checkClientTrusted(X509Certificate[] c, String t) {}

      public void checkServerTrusted(X509Certificate[] c, String t) {}

      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(a.getAddress(), a.getPort())) {
      s.setSoTimeout(10_000);
      SSLParameters p = s.getSSLParameters();
      p.setServerNames(List.of(new SNIHostName(name)));
      p.setApplicationProtocols(protocols);
      s.setSSLParameters(p);
      s.startHandshake();
      X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
      String protocol = s.getApplicationProtocol();
      s.getOutputStream().write(42);
      s.getOutputStream().flush();
      int echoed;
      try {
        echoed = s.getInputStream().read();
      } catch (java.io.IOException e) {
        echoed = -1;
      }
      return new Seen(leaf, protocol, echoed == -1);
    }
  }

  @Test
  void aValidatorForAPublishedNameGetsTheValidationCertificateAndNothingElse() throws Exception {
    published.put("www.acme.test", KEY_AUTHORIZATION);
    try (TlsListener l = listener()) {
      Seen v = connect(l.address(), "WWW.acme.test", "acme-tls/1");
      assertEquals("acme-tls/1", v.protocol());
      assertTrue(v.closedAfterHandshake(), "the validation connection carries no data");
      assertEquals(List.of(List.of(2, "www.acme.test")), List.copyOf(v.leaf().getSubjectAlternativeNames()));
      assertTrue(v.leaf().getCriticalExtensionOIDs().contains("1.3.6.1.5.5.7.1.31"));
      byte[] ext = v.leaf().getExtensionValue("1.3.6.1.5.5.7.1.31");
      // the extnValue OCTET STRING holds Authorization ::= OCTET STRING (SIZE (32))
      assertEquals(36, ext.length);
      assertArrayEquals(new byte[] {4, 34, 4, 32}, Arrays.copyOf(ext, 4));
      assertArrayEquals(java.security.MessageDigest.getInstance("SHA-256").digest(
          KEY_AUTHORIZATION.getBytes(java.nio.charset.StandardCharsets.US_ASCII)), Arrays.copyOfRange(ext, 4, 36));
      v.leaf().verify(v.leaf().getPublicKey());

      // everyone else sees the listener's own certificate: other names, other protocols, no ALPN
      String own = Fingerprints.sha256(connect(l.address(), "own.test").leaf());
      Seen other = connect(l.address(), "other.acme.test", "acme-tls/1");
      assertEquals(own, Fingerprints.sha256(other.leaf()));
      assertFalse(other.closedAfterHandshake(), "served and echoed as usual");
      Seen h2 = connect(l.address(), "www.acme.test", "h2", "http/1.1");
      assertEquals(own, Fingerprints.sha256(h2.leaf()));
      assertFalse(h2.closedAfterHandshake());

      // openssl agrees
      ExternalTool.Result r = ExternalTool.run(dir, "/bin/sh", "-c", "openssl s_client -connect 127.0.0.1:"
          + l.address().getPort() + " -servername www.acme.test -alpn acme-tls/1 </dev/null 2>/dev/null"
          + " | tee s_client.out | openssl x509 -noout -text");
      assertTrue(r.output().contains("1.3.6.1.5.5.7.1.31: critical"), r.output());
      assertTrue(java.nio.file.Files.readString(dir.resolve("s_client.out")).contains("ALPN protocol: acme-tls/1"));

      // withdrawn: the listener's own certificate again, without acme-tls/1
      published.clear();
      Seen after = connect(l.address(), "www.acme.test", "acme-tls/1");
      assertEquals(own, Fingerprints.sha256(after.leaf()));
      assertTrue(after.protocol() == null || after.protocol().isEmpty(), after.protocol());
    }
  }

  @Test
  void aLookupThatFailsServesTheListenersOwnCertificate() throws Exception {
    OpenSsl.selfSigned(dir, "own", "own.test", 30);
    ReloadableSslContext tls = ReloadableSslContext.load(new PemKeySource(dir.resolve("own.pem"), dir.resolve("own.key")),
        TlsOptions.defaults(), Clock.systemUTC());
    AcmeTlsAlpn acme = new AcmeTlsAlpn("web", name -> {
      throw new java.sql.SQLException("store down");
    }, Clock.systemUTC());
    try (TlsListener l = TlsListener.start("web", new InetSocketAddress("127.0.0.1", 0), tls, Roles.echo(), 1, 16,
        Optional.of(acme), Clock.systemUTC())) {
      Seen s = connect(l.address(), "www.acme.test", "acme-tls/1");
      assertEquals(tls.current().material().sha256(), Fingerprints.sha256(s.leaf()));
    }
  }

  @Test
  void aClientThatSendsNoHelloIsClosedAfterTheHandshakeTimeout() {
    AcmeTlsAlpn acme = new AcmeTlsAlpn("web", name -> Optional.empty(), Clock.systemUTC());
    try {
      // the channel's clock stands still but for advanceTimeBy: the test does not depend on how fast it runs
      EmbeddedChannel ch = new EmbeddedChannel();
      ch.freezeTime();
      ch.pipeline().addLast(acme.handler(() -> {
        throw new AssertionError("no hello, no handshake");
      }, 1_000));
      ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {22, 3, 1}));
      assertTrue(ch.isOpen());
      ch.advanceTimeBy(999, TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
      assertTrue(ch.isOpen());
      ch.advanceTimeBy(2, TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
      assertFalse(ch.isOpen());
    } finally {
      acme.close();
    }
  }

  /** The ClientHello body (from client_version on) a JDK client sends for {@code name} offering {@code protocols}. */
  private static byte[] clientHello(String name, String... protocols) throws Exception {
    SSLEngine e = SSLContext.getDefault().createSSLEngine(name, 443);
    e.setUseClientMode(true);
    SSLParameters p = e.getSSLParameters();
    p.setServerNames(List.of(new SNIHostName(name)));
    p.setApplicationProtocols(protocols);
    e.setSSLParameters(p);
    ByteBuffer out = ByteBuffer.allocate(64 * 1024);
    e.wrap(ByteBuffer.allocate(0), out);
    out.flip();
    byte[] record = new byte[out.remaining()];
    out.get(record);
    return Arrays.copyOfRange(record, 5 + 4, record.length); // record header, handshake header
  }

  @Test
  void readsTheNameAndProtocolsOfARealClientHello() throws Exception {
    ByteBuf b = Unpooled.wrappedBuffer(clientHello("Www.Acme.Test", "h2", "acme-tls/1"));
    ClientHelloFields f = ClientHelloFields.read(b);
    assertEquals(Optional.of("www.acme.test"), f.serverName());
    assertEquals(List.of("h2", "acme-tls/1"), f.protocols());
    assertTrue(f.offers(AcmeTlsAlpn.PROTOCOL));
    assertEquals(0, b.readerIndex(), "the buffer is left as it was");
    assertEquals(ClientHelloFields.NONE, ClientHelloFields.read(null));
  }

  @Test
  void garbageAndTruncatedHellosReadAsNothingAndNeverThrow() throws Exception {
    byte[] hello = clientHello("www.acme.test", "acme-tls/1");
    for (int n = 0; n < hello.length; n++) {
      ClientHelloFields f = ClientHelloFields.read(Unpooled.wrappedBuffer(hello, 0, n));
      assertTrue(f.protocols().size() <= 1, "cut at " + n);
    }
    Random random = new Random(20261201);
    for (int i = 0; i < 20_000; i++) {
      byte[] b = hello.clone();
      for (int k = 0; k < 1 + random.nextInt(8); k++) {
        b[random.nextInt(b.length)] = (byte) random.nextInt(256);
      }
      ClientHelloFields f = ClientHelloFields.read(Unpooled.wrappedBuffer(b));
      assertTrue(f.protocols().size() <= ClientHelloFields.MAX_PROTOCOLS);
      f.serverName().ifPresent(s -> assertTrue(s.chars().allMatch(c -> c > 0x20 && c < 0x7f), s));
      byte[] noise = new byte[random.nextInt(300)];
      random.nextBytes(noise);
      ClientHelloFields.read(Unpooled.wrappedBuffer(noise));
    }
  }
}
