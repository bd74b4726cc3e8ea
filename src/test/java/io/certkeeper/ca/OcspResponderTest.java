package io.certkeeper.ca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.config.CaConfig;
import io.certkeeper.store.IssuedCertificateRepository;
import io.certkeeper.store.Store;
import io.certkeeper.testing.TestClock;
import io.certkeeper.x509.KeyType;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The responder's policy on a moving clock: one response per certificate until half its validity
 * has passed, a revocation seen at the next check, the delegated signer renewed when a third of its
 * life is left and recorded like any issued certificate, nonces echoed only when signing on demand
 * and within the rate limit. Real store and CA.
 */
@Tag("security")
class OcspResponderTest {
  private static final char[] PASS = "ocsp responder passphrase".toCharArray();

  @TempDir Path dir;

  private final TestClock clock = new TestClock(Instant.parse("2030-03-01T00:00:00Z"));
  private Store store;
  private IssuedCertificateRepository repo;
  private LocalCa ca;
  private Path caDir;
  private X509Certificate leaf;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private OcspResponder responder(CaConfig.Ocsp settings, Optional<CrlRefresh.Passphrase> passphrase) throws Exception {
    store = Store.openEmbedded(dir.resolve("data"), 2);
    repo = new IssuedCertificateRepository(store);
    caDir = dir.resolve("data/ca");
    ca = LocalCa.init(caDir, new InitRequest("Responder CA", KeyType.EC_P256, Duration.ofDays(3650),
        Optional.of(Duration.ofDays(1000))), PASS, repo, clock);
    CrlPublisher.forCa(ca, repo, clock, Duration.ofDays(7)).publish();
    leaf = Issuer.forCa(ca, CaPolicy.defaults(), repo, clock, LeafUrls.NONE).issue(IssueRequest.withNewKey(
        "leaf.test", List.of(), KeyType.EC_P256, Duration.ofDays(90), Profile.SERVER)).certificate();
    OcspSigner signer = new OcspSigner(caDir, repo, passphrase, clock, settings.signerValidity());
    assertEquals(OcspSigner.Outcome.ISSUED, signer.refreshIfDue());
    OcspResponder r = OcspResponder.forIssuer(ca.issuer(), signer, repo, clock, settings);
    r.checkForRevocations();
    return r;
  }

  private OcspResponder responder() throws Exception {
    return responder(CaConfig.Ocsp.defaults(), Optional.of(PASS::clone));
  }

  private byte[] request(BigInteger serial, Optional<byte[]> nonce) throws Exception {
    CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
        new JcaX509CertificateHolder(ca.issuer()), serial);
    OCSPReqBuilder b = new OCSPReqBuilder().addRequest(id);
    if (nonce.isPresent()) {
      b.setRequestExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
          new DEROctetString(nonce.get()))));
    }
    return b.build().getEncoded();
  }

  private static BasicOCSPResp basic(OcspResponder.Answer a) throws Exception {
    OCSPResp resp = new OCSPResp(a.der());
    assertEquals(OCSPResp.SUCCESSFUL, resp.getStatus());
    return (BasicOCSPResp) resp.getResponseObject();
  }

  @Test
  void oneResponseIsServedUntilHalfItsValidityHasPassed() throws Exception {
    OcspResponder r = responder();
    OcspResponder.Answer first = r.respond(request(leaf.getSerialNumber(), Optional.empty()));
    assertEquals(OcspResponder.Status.GOOD, first.status());
    assertTrue(first.cacheable());
    assertEquals(first.thisUpdate().get().plus(Duration.ofDays(1)), first.nextUpdate().get());
    SingleResp single = basic(first).getResponses()[0];
    assertNull(single.getCertStatus(), "good");
    X509CertificateHolder signer = basic(first).getCerts()[0];
    assertTrue(basic(first).isSignatureValid(new JcaContentVerifierProviderBuilder().build(signer)));

    clock.advance(Duration.ofHours(11));
    assertArrayEquals(first.der(), r.respond(request(leaf.getSerialNumber(), Optional.empty())).der());
    clock.advance(Duration.ofHours(2));
    OcspResponder.Answer fresh = r.respond(request(leaf.getSerialNumber(), Optional.empty()));
    assertEquals(first.thisUpdate().get().plus(Duration.ofHours(13)), fresh.thisUpdate().get());
  }

  @Test
  void aResponseAskedForIsSignedAgainAheadOfItsRefreshAndOneNobodyAskedForIsLetGo() throws Exception {
    OcspResponder r = responder();
    byte[] req = request(leaf.getSerialNumber(), Optional.empty());
    Instant first = r.respond(req).thisUpdate().get();
    assertEquals(0, r.refreshAhead(Duration.ofMinutes(1), 100), "not due yet");

    clock.advance(Duration.ofHours(12).minusSeconds(30));
    assertEquals(1, r.refreshAhead(Duration.ofMinutes(1), 100));
    Instant ahead = clock.instant();
    clock.advance(Duration.ofMinutes(1));
    assertEquals(ahead, r.respond(req).thisUpdate().get(), "signed before it was asked for");
    assertNotEquals(first, ahead);

    // asked for once since: refreshed once more; then nobody asks, and it is let go
    clock.advance(Duration.ofHours(12));
    assertEquals(1, r.refreshAhead(Duration.ofMinutes(1), 100));
    clock.advance(Duration.ofHours(12));
    assertEquals(0, r.refreshAhead(Duration.ofMinutes(1), 100));
    assertEquals(clock.instant(), r.respond(req).thisUpdate().get(), "signed when asked");
  }

  @Test
  void aRevocationIsSignedAheadOnceACheckSawTheNewCrl() throws Exception {
    OcspResponder r = responder();
    byte[] req = request(leaf.getSerialNumber(), Optional.empty());
    assertEquals(OcspResponder.Status.GOOD, r.respond(req).status());
    clock.advance(Duration.ofSeconds(10));
    CrlPublisher.forCa(ca, repo, clock, Duration.ofDays(7)).revoke(leaf.getSerialNumber().toString(16),
        RevocationReason.KEY_COMPROMISE);
    assertTrue(r.checkForRevocations());
    assertEquals(1, r.refreshAhead(Duration.ofMinutes(1), 100));
    Instant signed = clock.instant();
    clock.advance(Duration.ofSeconds(10));
    OcspResponder.Answer a = r.respond(req);
    assertEquals(OcspResponder.Status.REVOKED, a.status());
    assertEquals(signed, a.thisUpdate().get(), "the watch signed it, not the request");
  }

  @Test
  void aRevocationIsAnsweredOnceACheckSawTheNewCrl() throws Exception {
    OcspResponder r = responder();
    assertEquals(OcspResponder.Status.GOOD, r.respond(request(leaf.getSerialNumber(), Optional.empty())).status());
    CrlPublisher.forCa(ca, repo, clock, Duration.ofDays(7)).revoke(leaf.getSerialNumber().toString(16),
        RevocationReason.SUPERSEDED);
    assertTrue(r.checkForRevocations());
    OcspResponder.Answer revoked = r.respond(request(leaf.getSerialNumber(), Optional.empty()));
    assertEquals(OcspResponder.Status.REVOKED, revoked.status());
    RevokedStatus status = (RevokedStatus) basic(revoked).getResponses()[0].getCertStatus();
    assertEquals(RevocationReason.SUPERSEDED.crlReason(), status.getRevocationReason());
    assertEquals(clock.instant(), status.getRevocationTime().toInstant());
    assertFalse(r.checkForRevocations(), "nothing new");
  }

  @Test
  void unknownSerialsAreNotCachedAndShareTheRateLimit() throws Exception {
    OcspResponder r = responder(new CaConfig.Ocsp(Duration.ofDays(1), Duration.ofDays(30), false, 2),
        Optional.of(PASS::clone));
    assertEquals(OcspResponder.Status.UNKNOWN, r.respond(request(BigInteger.valueOf(12345), Optional.empty())).status());
    OcspResponder.Answer second = r.respond(request(BigInteger.valueOf(12345), Optional.empty()));
    assertEquals(OcspResponder.Status.UNKNOWN, second.status());
    assertFalse(second.cacheable());
    assertEquals(OcspResponder.Status.TRY_LATER, r.respond(request(BigInteger.valueOf(12345), Optional.empty())).status());
    assertEquals(OcspResponder.Status.GOOD, r.respond(request(leaf.getSerialNumber(), Optional.empty())).status(),
        "known certificates do not wait for the rate limit");
    clock.advance(Duration.ofSeconds(1));
    assertEquals(OcspResponder.Status.UNKNOWN, r.respond(request(BigInteger.valueOf(12345), Optional.empty())).status());
  }

  @Test
  void aNonceIsEchoedOnlyWhenSigningOnDemandAndWithinTheRateLimit() throws Exception {
    byte[] nonce = {1, 2, 3, 4, 5, 6, 7, 8};
    OcspResponder r = responder(new CaConfig.Ocsp(Duration.ofDays(1), Duration.ofDays(30), true, 1),
        Optional.of(PASS::clone));
    OcspResponder.Answer echoed = r.respond(request(leaf.getSerialNumber(), Optional.of(nonce)));
    assertFalse(echoed.cacheable());
    assertArrayEquals(nonce, basic(echoed).getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce).getExtnValue().getOctets());
    OcspResponder.Answer overLimit = r.respond(request(leaf.getSerialNumber(), Optional.of(nonce)));
    assertEquals(OcspResponder.Status.GOOD, overLimit.status());
    assertNull(basic(overLimit).getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce), "the pre-signed one");
  }

  @Test
  void aNonceIsIgnoredByDefault() throws Exception {
    OcspResponder r = responder();
    OcspResponder.Answer a = r.respond(request(leaf.getSerialNumber(), Optional.of(new byte[] {9, 9, 9})));
    assertTrue(a.cacheable());
    assertNull(basic(a).getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce));
  }

  @Test
  void malformedAndForeignRequestsGetErrorStatuses() throws Exception {
    OcspResponder r = responder();
    assertEquals(OcspResponder.Status.MALFORMED_REQUEST, r.respond(new byte[] {0x30, 0x00}).status());
    assertEquals(OcspResponder.Status.MALFORMED_REQUEST, r.respond(new byte[0]).status());
    assertEquals(OcspResponder.Status.MALFORMED_REQUEST, r.respond(new byte[OcspResponder.MAX_REQUEST_BYTES + 1]).status());
    assertEquals(OCSPResp.MALFORMED_REQUEST, new OCSPResp(r.respond("garbage".getBytes()).der()).getStatus());
    CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
        new JcaX509CertificateHolder(ca.issuer()), leaf.getSerialNumber());
    byte[] two = new OCSPReqBuilder().addRequest(id).addRequest(id).build().getEncoded();
    assertEquals(OcspResponder.Status.MALFORMED_REQUEST, r.respond(two).status(), "RFC 5019: one certificate a request");
    CertificateID root = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
        new JcaX509CertificateHolder(ca.root()), leaf.getSerialNumber());
    OcspResponder.Answer other = r.respond(new OCSPReqBuilder().addRequest(root).build().getEncoded());
    assertEquals(OcspResponder.Status.UNAUTHORIZED, other.status());
    assertEquals(OCSPResp.UNAUTHORIZED, new OCSPResp(other.der()).getStatus());
  }

  @Test
  void theSignerIsRenewedWhenAThirdOfItsLifeIsLeftAndRecorded() throws Exception {
    OcspResponder r = responder();
    OcspSigner signer = new OcspSigner(caDir, repo, Optional.of(PASS::clone), clock, Duration.ofDays(30));
    assertEquals(OcspSigner.Outcome.FRESH, signer.refreshIfDue(), "the one on disk is fresh");
    X509Certificate first = signer.current().orElseThrow().certificate();
    assertEquals(OcspSigner.PROFILE, repo.find(first.getSerialNumber().toString(16)).orElseThrow().profile());
    assertTrue(first.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.9"), "id-kp-OCSPSigning");
    assertTrue(first.getNonCriticalExtensionOIDs().contains(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck.getId()));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(caDir.resolve(OcspSigner.KEY))));

    clock.advance(Duration.ofDays(19));
    assertEquals(OcspSigner.Outcome.FRESH, signer.refreshIfDue());
    clock.advance(Duration.ofDays(2));
    assertEquals(OcspSigner.Outcome.ISSUED, signer.refreshIfDue());
    X509Certificate second = signer.current().orElseThrow().certificate();
    assertNotEquals(first.getSerialNumber(), second.getSerialNumber());
    assertTrue(repo.find(second.getSerialNumber().toString(16)).isPresent());
    assertEquals(second, OcspSigner.read(caDir, ca.issuer()).orElseThrow().certificate());
    assertEquals(OcspResponder.Status.GOOD, r.respond(request(leaf.getSerialNumber(), Optional.empty())).status());
  }

  @Test
  void aMissingSignerWithoutAPassphraseIsOneClearError() throws Exception {
    responder();
    Files.delete(caDir.resolve(OcspSigner.CERT));
    CaException e = assertThrows(CaException.class,
        () -> new OcspSigner(caDir, repo, Optional.empty(), clock, Duration.ofDays(30)).refreshIfDue());
    assertTrue(e.getMessage().contains("is missing and ca.passphrase is not set"), e.getMessage());
  }

  @Test
  void renewalTimeLeavesAThird() {
    Instant from = Instant.parse("2030-01-01T00:00:00Z");
    assertEquals(Instant.parse("2030-01-21T00:00:00Z"), OcspSigner.renewalTime(from, from.plus(Duration.ofDays(30))));
  }
}
