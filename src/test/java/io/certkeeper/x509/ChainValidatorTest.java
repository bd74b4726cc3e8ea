package io.certkeeper.x509;

import static io.certkeeper.x509.TestCa.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.x509.TestCa.Issued;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;

/** One test per reason code, on chains built with {@link TestCa}. */
class ChainValidatorTest {
  private static final String HOST = "www.example.com";

  private final Issued root = TestCa.root("Test Root").issue();
  private final Issued intermediate = TestCa.intermediate("Test Intermediate", root).issue();
  private final Issued leaf = TestCa.leaf(HOST, intermediate).issue();

  private static ValidationResult validate(X509Certificate leaf, List<X509Certificate> untrusted,
      Issued... anchors) {
    return validate(ValidationRequest.builder(leaf, anchors(anchors), NOW).untrusted(untrusted)
        .peerName(PeerName.parse(HOST)).build());
  }

  private static ValidationResult validate(ValidationRequest request) {
    return ChainValidator.strict().validate(request);
  }

  private static TrustAnchors anchors(Issued... anchors) {
    return TrustAnchors.of(java.util.Arrays.stream(anchors).map(Issued::cert).toList());
  }

  private static void assertProblems(ValidationResult result, Problem... expected) {
    assertFalse(result.valid(), result.message());
    assertEquals(Set.of(expected), result.problems(), result.message());
  }

  @Test
  void validChainGivesThePathFromLeafToAnchor() {
    ValidationResult result = validate(leaf.cert(), List.of(intermediate.cert()), root);

    assertTrue(result.valid(), result.message());
    assertEquals(List.of(leaf.cert(), intermediate.cert(), root.cert()), result.path());
    assertEquals(Optional.empty(), result.worst());
  }

  @Test
  void intermediatesMayComeInAnyOrderWithDuplicatesAndStrangers() {
    Issued stranger = TestCa.root("Someone Else").issue();
    ValidationResult result = validate(leaf.cert(), List.of(stranger.cert(), intermediate.cert(),
        leaf.cert(), intermediate.cert(), root.cert()), root);

    assertTrue(result.valid(), result.message());
    assertEquals(3, result.path().size());
  }

  @Test
  void leafThatIsItselfTrustedIsValid() {
    Issued selfSigned = TestCa.root(HOST).dnsNames(HOST)
        .extendedKeyUsage(KeyPurposeId.id_kp_serverAuth).issue();

    ValidationResult result = validate(selfSigned.cert(), List.of(), selfSigned);

    assertTrue(result.valid(), result.message());
  }

  @Test
  void everyProblemIsReportedNotJustTheFirst() {
    Issued expired = TestCa.leaf("other.example.com", intermediate)
        .validity(NOW.minus(Duration.ofDays(90)), NOW.minus(Duration.ofDays(1))).issue();

    ValidationResult result = validate(expired.cert(), List.of(intermediate.cert()), root);

    assertProblems(result, Problem.EXPIRED, Problem.HOSTNAME_MISMATCH);
    assertEquals(Optional.of(Problem.EXPIRED), result.worst());
    assertEquals(3, result.path().size(), "the best path is still given");
  }

  @Test
  void expiredIntermediateIsExpired() {
    Issued old = TestCa.intermediate("Old Intermediate", root)
        .validity(NOW.minus(Duration.ofDays(400)), NOW.minus(Duration.ofSeconds(1))).issue();
    Issued child = TestCa.leaf(HOST, old).issue();

    assertProblems(validate(child.cert(), List.of(old.cert()), root), Problem.EXPIRED);
  }

  @Test
  void leafBeforeItsNotBeforeIsNotYetValid() {
    Issued future = TestCa.leaf(HOST, intermediate)
        .validity(NOW.plusSeconds(1), NOW.plus(Duration.ofDays(30))).issue();

    assertProblems(validate(future.cert(), List.of(intermediate.cert()), root),
        Problem.NOT_YET_VALID);
  }

  @Test
  void untrustedSelfSignedLeafIsSelfSigned() {
    Issued selfSigned = TestCa.root(HOST).dnsNames(HOST)
        .extendedKeyUsage(org.bouncycastle.asn1.x509.KeyPurposeId.id_kp_serverAuth).issue();

    ValidationResult result = validate(selfSigned.cert(), List.of(), root);

    assertProblems(result, Problem.SELF_SIGNED);
    assertEquals(List.of(selfSigned.cert()), result.path());
  }

  @Test
  void chainEndingAtAnotherRootIsUntrustedRoot() {
    Issued otherRoot = TestCa.root("Other Root").issue();

    assertProblems(validate(leaf.cert(), List.of(intermediate.cert(), root.cert()), otherRoot),
        Problem.UNTRUSTED_ROOT);
  }

  @Test
  void missingIntermediateIsIncompleteChain() {
    ValidationResult result = validate(leaf.cert(), List.of(), root);

    assertProblems(result, Problem.INCOMPLETE_CHAIN);
    assertEquals(List.of(leaf.cert()), result.path());
  }

  @Test
  void nameOnlyInCommonNameIsHostnameMismatch() {
    Issued cnOnly = TestCa.leaf(HOST, intermediate).noSubjectAltName().issue();

    assertProblems(validate(cnOnly.cert(), List.of(intermediate.cert()), root),
        Problem.HOSTNAME_MISMATCH);
  }

  @Test
  void clientCertificateOfferedAsServerIsWrongEku() {
    Issued client = TestCa.leaf(HOST, intermediate)
        .extendedKeyUsage(KeyPurposeId.id_kp_clientAuth).issue();

    assertProblems(validate(client.cert(), List.of(intermediate.cert()), root), Problem.WRONG_EKU);
  }

  @Test
  void rsa1024LeafIsWeakKey() {
    Issued weak = TestCa.leaf(HOST, intermediate).key(TestCa.rsaKey(1024)).issue();

    assertProblems(validate(weak.cert(), List.of(intermediate.cert()), root), Problem.WEAK_KEY);
  }

  @Test
  void sha1SignedIntermediateIsWeakSignature() {
    Issued rsaRoot = TestCa.root("RSA Root").key(TestCa.rsaKey(2048)).issue();
    Issued sha1 = TestCa.intermediate("SHA-1 Intermediate", rsaRoot)
        .signatureAlgorithm("SHA1withRSA").issue();
    Issued child = TestCa.leaf(HOST, sha1).issue();

    assertProblems(validate(child.cert(), List.of(sha1.cert()), rsaRoot), Problem.WEAK_SIGNATURE);
  }

  @Test
  void sha1SelfSignatureOfTheAnchorDoesNotMatter() {
    Issued sha1Root = TestCa.root("Old Root").key(TestCa.rsaKey(2048))
        .signatureAlgorithm("SHA1withRSA").issue();
    Issued child = TestCa.leaf(HOST, sha1Root).issue();

    assertTrue(validate(child.cert(), List.of(), sha1Root).valid());
  }

  @Test
  void leafOnTheIssuersCrlIsRevoked() throws Exception {
    X509CRL crl = TestCa.crl(intermediate, leaf.cert());

    ValidationResult result = validate(ValidationRequest.builder(leaf.cert(), anchors(root), NOW)
        .untrusted(List.of(intermediate.cert())).crls(List.of(crl)).build());

    assertProblems(result, Problem.REVOKED);
  }

  @Test
  void crlOfAnotherIssuerIsIgnored() throws Exception {
    X509CRL crl = TestCa.crl(TestCa.root("Unrelated").issue(), leaf.cert());

    ValidationResult result = validate(ValidationRequest.builder(leaf.cert(), anchors(root), NOW)
        .untrusted(List.of(intermediate.cert())).crls(List.of(crl)).build());

    assertTrue(result.valid(), result.message());
  }

  @Test
  void nameConstraintOnTheTrustAnchorIsEnforced() {
    Issued constrained = TestCa.root("Constrained Root").permittedDns("example.org").issue();
    Issued child = TestCa.leaf(HOST, constrained).issue();

    assertProblems(validate(child.cert(), List.of(), constrained),
        Problem.NAME_CONSTRAINT_VIOLATION);
  }

  @Test
  void issuerThatIsNotACaIsInvalidBasicConstraints() {
    Issued notCa = TestCa.intermediate("Not A CA", root).notCa().issue();
    Issued child = TestCa.leaf(HOST, notCa).issue();

    assertProblems(validate(child.cert(), List.of(notCa.cert()), root),
        Problem.INVALID_BASIC_CONSTRAINTS);
  }

  @Test
  void caBelowAPathLenZeroCaIsPathLenExceeded() {
    Issued zero = TestCa.intermediate("Path Length Zero", root).ca(0).issue();
    Issued below = TestCa.intermediate("Below Zero", zero).issue();
    Issued child = TestCa.leaf(HOST, below).issue();

    assertProblems(validate(child.cert(), List.of(zero.cert(), below.cert()), root),
        Problem.PATH_LEN_EXCEEDED);
  }

  @Test
  void moreIntermediatesThanTheMaximumDepthIsPathLenExceeded() {
    ValidationResult result = validate(ValidationRequest.builder(leaf.cert(), anchors(root), NOW)
        .untrusted(List.of(intermediate.cert())).maxDepth(0).build());

    assertProblems(result, Problem.PATH_LEN_EXCEEDED);
  }

  @Test
  void signatureByAnotherKeyUnderTheSameNameIsBadSignature() {
    Issued impostor = TestCa.intermediate("Test Intermediate", root).key(TestCa.freshEcKey())
        .issue();
    Issued forged = TestCa.leaf(HOST, impostor).withoutAuthorityKeyId().issue();

    ValidationResult result = validate(forged.cert(), List.of(intermediate.cert()), root);

    assertTrue(result.problems().contains(Problem.BAD_SIGNATURE), result.message());
    assertEquals(Optional.of(Problem.BAD_SIGNATURE), result.worst());
  }

  @Test
  void unknownCriticalExtensionIsUnsupported() throws Exception {
    Issued odd = TestCa.leaf(HOST, intermediate)
        .extension("1.3.6.1.4.1.55738.666.1", true, TestCa.emptySequence()).issue();

    assertProblems(validate(odd.cert(), List.of(intermediate.cert()), root),
        Problem.UNSUPPORTED_CRITICAL_EXTENSION);
  }

  @Test
  void unknownNonCriticalExtensionIsFine() throws Exception {
    Issued odd = TestCa.leaf(HOST, intermediate)
        .extension("1.3.6.1.4.1.55738.666.1", false, TestCa.emptySequence()).issue();

    assertTrue(validate(odd.cert(), List.of(intermediate.cert()), root).valid());
  }

  @Test
  void leafWithoutAuthorityKeyIdentifierIsMalformed() {
    Issued bare = TestCa.leaf(HOST, intermediate).withoutAuthorityKeyId().issue();

    assertProblems(validate(bare.cert(), List.of(intermediate.cert()), root), Problem.MALFORMED);
  }

  @Test
  void backtracksPastAnExpiredCrossSignToAnotherTrustedRoot() {
    Issued oldRoot = TestCa.root("Old Root").issue();
    Issued expiredCross = TestCa.intermediate("Test Root", oldRoot).key(root.key())
        .validity(NOW.minus(Duration.ofDays(900)), NOW.minus(Duration.ofDays(1))).issue();

    ValidationResult result = validate(leaf.cert(),
        List.of(expiredCross.cert(), intermediate.cert()), oldRoot, root);

    assertTrue(result.valid(), result.message());
    assertEquals(root.cert(), result.path().get(2));
  }

  @Test
  void ipPeerNameNeverMatchesADnsNameSpellingIt() {
    Issued dnsIp = TestCa.leaf("192.0.2.7.example", intermediate).dnsNames("192.0.2.7.example")
        .issue();
    Issued ipLeaf = TestCa.leaf("ip", intermediate).noSubjectAltName().ipAddresses("192.0.2.7")
        .issue();

    ValidationRequest.Builder dns = ValidationRequest.builder(dnsIp.cert(), anchors(root), NOW)
        .untrusted(List.of(intermediate.cert())).peerName(PeerName.parse("192.0.2.7"));
    ValidationRequest.Builder ip = ValidationRequest.builder(ipLeaf.cert(), anchors(root), NOW)
        .untrusted(List.of(intermediate.cert())).peerName(PeerName.parse("192.0.2.7"));

    assertProblems(validate(dns.build()), Problem.HOSTNAME_MISMATCH);
    assertTrue(validate(ip.build()).valid());
  }

  @Test
  void noTrustAnchorsMeansNothingValidates() {
    ValidationResult result = validate(ValidationRequest.builder(leaf.cert(), TrustAnchors.none(),
        NOW).untrusted(List.of(intermediate.cert(), root.cert())).build());

    assertProblems(result, Problem.UNTRUSTED_ROOT);
  }
}
