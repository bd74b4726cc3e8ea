package io.certkeeper.x509;

import static io.certkeeper.x509.TestCa.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.x509.TestCa.Issued;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.PolicyConstraints;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.bouncycastle.asn1.x509.PolicyQualifierInfo;
import org.junit.jupiter.api.Test;

/**
 * Certificate policies (RFC 5280 6.1), unparsed extensions, name constraints of every type, and
 * the strict TLS purposes of the Web PKI profile, on chains built with {@link TestCa}.
 */
class PoliciesAndPurposesTest {
  private static final String HOST = "www.example.com";
  private static final String P1 = "1.3.6.1.4.1.55555.1";
  private static final String P2 = "1.3.6.1.4.1.55555.2";

  private final Issued root = TestCa.root("Test Root").issue();

  private static CertificatePolicies policies(String... oids) {
    PolicyInformation[] infos = new PolicyInformation[oids.length];
    for (int i = 0; i < oids.length; i++) {
      infos[i] = new PolicyInformation(new ASN1ObjectIdentifier(oids[i]));
    }
    return new CertificatePolicies(infos);
  }

  private ValidationResult validate(Issued leaf, List<Issued> intermediates, Profile profile, PolicyInputs policy) {
    return ChainValidator.strict().validate(ValidationRequest.builder(leaf.cert(),
            TrustAnchors.of(List.of(root.cert())), NOW)
        .untrusted(intermediates.stream().map(Issued::cert).toList())
        .profile(profile).policy(policy).peerName(PeerName.parse(HOST)).build());
  }

  private ValidationResult validate(Issued leaf, Issued intermediate) {
    return validate(leaf, List.of(intermediate), Profile.WEBPKI, PolicyInputs.defaults());
  }

  private static void assertProblems(ValidationResult result, Problem... expected) {
    assertFalse(result.valid(), result.message());
    assertEquals(Set.of(expected), result.problems(), result.message());
  }

  @Test
  void requireExplicitPolicyOnACaNeedsAPolicyTheLeafAsserts() throws Exception {
    Issued ca = TestCa.intermediate("Policy CA", root)
        .extension("2.5.29.32", false, policies(P1))
        .extension("2.5.29.36", true, new PolicyConstraints(java.math.BigInteger.ZERO, null)).issue();
    Issued without = TestCa.leaf(HOST, ca).issue();
    assertProblems(validate(without, ca), Problem.POLICY_VIOLATION);
    Issued other = TestCa.leaf(HOST, ca).extension("2.5.29.32", false, policies(P2)).issue();
    assertProblems(validate(other, ca), Problem.POLICY_VIOLATION);
    Issued same = TestCa.leaf(HOST, ca).extension("2.5.29.32", false, policies(P1)).issue();
    assertTrue(validate(same, ca).valid(), validate(same, ca).message());
  }

  @Test
  void theUserInitialPolicySetIsIntersectedWhenAPolicyIsRequired() throws Exception {
    Issued ca = TestCa.intermediate("Policy CA", root).extension("2.5.29.32", false, policies(P1)).issue();
    Issued leaf = TestCa.leaf(HOST, ca).extension("2.5.29.32", false, policies(P1)).issue();
    assertTrue(validate(leaf, List.of(ca), Profile.WEBPKI,
        new PolicyInputs(Set.of(P1), true, false, false)).valid());
    assertProblems(validate(leaf, List.of(ca), Profile.WEBPKI,
        new PolicyInputs(Set.of(P2), true, false, false)), Problem.POLICY_VIOLATION);
    // Without initial-explicit-policy, a path valid for no acceptable policy still validates.
    assertTrue(validate(leaf, List.of(ca), Profile.WEBPKI,
        new PolicyInputs(Set.of(P2), false, false, false)).valid());
  }

  @Test
  void aCriticalPoliciesExtensionWithAnUnknownQualifierIsRefused() throws Exception {
    PolicyQualifierInfo odd = new PolicyQualifierInfo(new ASN1ObjectIdentifier("1.3.6.1.4.1.55555.9"),
        new DERIA5String("?"));
    CertificatePolicies cp = new CertificatePolicies(new PolicyInformation(new ASN1ObjectIdentifier(P1),
        new DERSequence(odd)));
    Issued leaf = TestCa.leaf(HOST, root).extension("2.5.29.32", true, cp).issue();
    assertProblems(validate(leaf, List.of(), Profile.WEBPKI, PolicyInputs.defaults()),
        Problem.UNSUPPORTED_CRITICAL_EXTENSION);
    Issued known = TestCa.leaf(HOST, root).extension("2.5.29.32", true, new CertificatePolicies(
        new PolicyInformation(new ASN1ObjectIdentifier(P1), new DERSequence(
            new PolicyQualifierInfo("https://example.com/cps"))))).issue();
    assertTrue(validate(known, List.of(), Profile.WEBPKI, PolicyInputs.defaults()).valid());
  }

  @Test
  void aPolicyTreeBuiltToExplodeIsRefusedWithinTheBudget() throws Exception {
    int width = 30;
    String[] oids = new String[width];
    ASN1EncodableVector mappings = new ASN1EncodableVector();
    for (int i = 0; i < width; i++) {
      oids[i] = "1.3.6.1.4.1.55555.100." + i;
    }
    for (String from : oids) {
      for (String to : oids) {
        mappings.add(new DERSequence(new ASN1ObjectIdentifier[] {
            new ASN1ObjectIdentifier(from), new ASN1ObjectIdentifier(to)}));
      }
    }
    List<Issued> cas = new ArrayList<>();
    Issued issuer = root;
    for (int d = 0; d < 4; d++) {
      Issued ca = TestCa.intermediate("Mapping CA " + d, issuer)
          .extension("2.5.29.32", false, policies(oids))
          .extension("2.5.29.33", false, new DERSequence(mappings)).issue();
      cas.add(0, ca);
      issuer = ca;
    }
    Issued leaf = TestCa.leaf(HOST, issuer).extension("2.5.29.32", false, policies(oids)).issue();
    ValidationResult result = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> validate(leaf, cas, Profile.WEBPKI, PolicyInputs.defaults()));
    assertProblems(result, Problem.POLICY_VIOLATION);
    assertTrue(result.message().contains("larger than " + Budget.MAX_POLICY_NODES), result.message());
  }

  @Test
  void aNonCriticalExtensionIsIgnoredWhateverItsValueHolds() {
    byte[] garbage = {(byte) 0xDE, (byte) 0xAD, (byte) 0xBE, (byte) 0xEF};
    Issued ca = TestCa.intermediate("Odd CA", root).rawExtension("1.3.6.1.4.1.55555.7", false, garbage).issue();
    Issued leaf = TestCa.leaf(HOST, ca)
        .rawExtension("1.3.6.1.4.1.311.21.10", false, garbage).issue(); // Microsoft application policies
    ValidationResult result = validate(leaf, ca);
    assertTrue(result.valid(), result.message());
    Issued critical = TestCa.leaf(HOST, ca).rawExtension("1.3.6.1.4.1.55555.8", true, garbage).issue();
    assertProblems(validate(critical, ca), Problem.UNSUPPORTED_CRITICAL_EXTENSION);
  }

  @Test
  void eachNameIsCheckedAgainstTheConstraintsOfItsOwnType() throws Exception {
    GeneralSubtree[] permitted = {
        new GeneralSubtree(new GeneralName(GeneralName.dNSName, "example.com")),
        new GeneralSubtree(new GeneralName(GeneralName.iPAddress,
            new org.bouncycastle.asn1.DEROctetString(new byte[] {10, 0, 0, 0, (byte) 255, 0, 0, 0}))),
        new GeneralSubtree(new GeneralName(GeneralName.rfc822Name, "example.com")),
        new GeneralSubtree(new GeneralName(GeneralName.uniformResourceIdentifier, ".example.com")),
        new GeneralSubtree(new GeneralName(new X500Name("C=US,O=Example")))};
    Issued ca = TestCa.intermediate("Constrained CA", root)
        .nameConstraints(new NameConstraints(permitted, null)).issue();
    Issued leaf = TestCa.leaf(HOST, ca).subject("C=US,O=Example,CN=" + HOST)
        .sans(new GeneralName(GeneralName.iPAddress, "10.1.2.3"),
            new GeneralName(GeneralName.rfc822Name, "ops@example.com"),
            new GeneralName(GeneralName.uniformResourceIdentifier, "https://api.example.com/x"),
            new GeneralName(new X500Name("C=US,O=Example,OU=Ops")))
        .issue();
    ValidationResult result = validate(leaf, ca);
    assertTrue(result.valid(), result.message());
    Issued outside = TestCa.leaf(HOST, ca).subject("C=US,O=Example,CN=" + HOST)
        .sans(new GeneralName(GeneralName.uniformResourceIdentifier, "https://example.org/")).issue();
    assertProblems(validate(outside, ca), Problem.NAME_CONSTRAINT_VIOLATION);
  }

  @Test
  void aUriWhoseHostCannotBeJudgedIsRefusedByAnExcludedUriSubtree() throws Exception {
    GeneralSubtree[] excluded = {new GeneralSubtree(new GeneralName(GeneralName.uniformResourceIdentifier, ".evil.com"))};
    Issued ca = TestCa.intermediate("Excluding CA", root).nameConstraints(new NameConstraints(null, excluded)).issue();
    for (String uri : List.of("http://a_b.evil.com/", "https://x.evil.com./", "https://10.0.0.1/", "urn:x")) {
      Issued leaf = TestCa.leaf(HOST, ca).sans(new GeneralName(GeneralName.uniformResourceIdentifier, uri)).issue();
      assertProblems(validate(leaf, ca), Problem.NAME_CONSTRAINT_VIOLATION);
    }
    Issued fine = TestCa.leaf(HOST, ca)
        .sans(new GeneralName(GeneralName.uniformResourceIdentifier, "https://good.example/")).issue();
    assertTrue(validate(fine, ca).valid(), validate(fine, ca).message());
  }

  @Test
  void theWebPkiProfileWantsServerAuthExplicitlyAndAlone() {
    Issued ca = TestCa.intermediate("CA", root).issue();
    Issued none = TestCa.leaf(HOST, ca).extendedKeyUsage((KeyPurposeId[]) null).issue();
    assertProblems(validate(none, ca), Problem.WRONG_EKU);
    assertTrue(validate(none, List.of(ca), Profile.RFC5280, PolicyInputs.defaults()).valid());
    Issued any = TestCa.leaf(HOST, ca).extendedKeyUsage(KeyPurposeId.anyExtendedKeyUsage).issue();
    assertProblems(validate(any, ca), Problem.WRONG_EKU);
    assertTrue(validate(any, List.of(ca), Profile.RFC5280, PolicyInputs.defaults()).valid());
    Issued mixed = TestCa.leaf(HOST, ca)
        .extendedKeyUsage(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_codeSigning).issue();
    assertProblems(validate(mixed, ca), Problem.WRONG_EKU);
    Issued anyCa = TestCa.intermediate("Any CA", root).extendedKeyUsage(KeyPurposeId.anyExtendedKeyUsage).issue();
    Issued leaf = TestCa.leaf(HOST, anyCa).issue();
    assertProblems(validate(leaf, anyCa), Problem.WRONG_EKU);
    assertTrue(validate(leaf, List.of(anyCa), Profile.RFC5280, PolicyInputs.defaults()).valid());
  }
}
