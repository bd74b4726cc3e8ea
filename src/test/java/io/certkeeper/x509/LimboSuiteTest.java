package io.certkeeper.x509;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every case of the x509-limbo suite (src/test/resources/x509-limbo) through
 * {@link ChainValidator}. A case whose verdict differs fails the build unless it is listed in
 * {@link #KNOWN_FAILURES} with the reason; the summary writes target/limbo-results.json and fails
 * when the number of passing cases drops below {@link #FLOOR}.
 */
class LimboSuiteTest {
  /** Raise this as the validator improves; the build fails below it. */
  static final int FLOOR = 201;

  /**
   * Features of cases this validator deliberately does not support. Each names a rule that
   * conflicts with another case of the suite, and the other side was chosen.
   */
  static final Map<String, String> SKIPPED_FEATURES = Map.of(
      "rfc5280-incompatible-with-webpki", "a non-critical nameConstraints extension is honoured"
          + " (CA/Browser Forum exception to RFC 5280)",
      "pedantic-rfc5280", "a trust anchor need not carry authorityKeyIdentifier (cve-2024-0567"
          + " trusts a cross-signed root without one)");

  private static final String CN_NOT_IN_SAN = "the subject CN names a host that is not in the"
      + " SAN; the CN is never used for matching, and only a CN that spells a SAN entry"
      + " differently is refused, because requiring CN in SAN would reject seven valid cases of"
      + " the suite whose leaves carry CN=example.com beside other SANs";

  private static final String RFC5280_SECTION_6 = "the rfc5280 profile follows RFC 5280 section 6"
      + " path validation, which does not look at the criticality of basicConstraints or"
      + " policyConstraints (the CA profile of section 4 requires it); NIST PKITS expects 27 such"
      + " chains to validate (4.6.4 and the policy sections); the webpki profile refuses them";

  /** Cases known to fail, with why; anything else that fails breaks the build. */
  static final Map<String, String> KNOWN_FAILURES = Map.of(
      "webpki::cn::not-in-san", CN_NOT_IN_SAN,
      "rfc5280::pc::ica-noncritical-pc", RFC5280_SECTION_6,
      "rfc5280::root-non-critical-basic-constraints", RFC5280_SECTION_6,
      "webpki::cn::punycode-not-in-san", CN_NOT_IN_SAN,
      "webpki::cn::utf8-vs-punycode-mismatch", CN_NOT_IN_SAN);

  enum Outcome { PASS, FAIL, SKIP }

  record CaseResult(String id, String expected, String actual, Outcome outcome, String note,
      Set<Problem> problems, String message) {}

  private static final class Results {
    static final List<CaseResult> ALL = runAll();
  }

  @TestFactory
  Stream<DynamicTest> limboCase() {
    return Results.ALL.stream().map(r -> DynamicTest.dynamicTest(r.id(), () -> {
      switch (r.outcome()) {
        case PASS -> { }
        case SKIP -> Assumptions.abort(r.note());
        case FAIL -> {
          String known = KNOWN_FAILURES.get(r.id());
          if (known != null) {
            Assumptions.abort("known failure: " + known);
          }
          fail(r.id() + ": expected " + r.expected() + " but got " + r.actual() + " "
              + r.problems() + " " + r.message());
        }
        default -> throw new AssertionError(r.outcome());
      }
    }));
  }

  @Test
  void summaryMeetsTheFloorAndIsWrittenToTarget() throws IOException {
    List<CaseResult> all = Results.ALL;
    long passed = all.stream().filter(r -> r.outcome() == Outcome.PASS).count();
    long failed = all.stream().filter(r -> r.outcome() == Outcome.FAIL).count();
    long skipped = all.stream().filter(r -> r.outcome() == Outcome.SKIP).count();
    String line = "limbo: " + passed + " passed, " + failed + " failed, " + skipped
        + " skipped of " + all.size();
    System.out.println(line);
    System.err.println(line);
    writeResults(all, passed, failed, skipped);
    assertTrue(passed >= FLOOR, line + "; the floor is " + FLOOR);
  }

  private static void writeResults(List<CaseResult> all, long passed, long failed, long skipped)
      throws IOException {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("passed", passed).put("failed", failed).put("skipped", skipped)
        .put("total", all.size());
    ArrayNode cases = root.putArray("cases");
    for (CaseResult r : all) {
      ObjectNode node = cases.addObject();
      node.put("id", r.id()).put("expected", r.expected()).put("actual", r.actual())
          .put("outcome", r.outcome().name().toLowerCase(java.util.Locale.ROOT));
      if (r.note() != null) {
        node.put("note", r.note());
      }
      ArrayNode problems = node.putArray("problems");
      r.problems().forEach(p -> problems.add(p.code()));
      node.put("message", r.message());
    }
    Path target = Path.of("target");
    Files.createDirectories(target);
    mapper.writeValue(target.resolve("limbo-results.json").toFile(), root);
  }

  static JsonNode suite() {
    try (InputStream in = LimboSuiteTest.class.getResourceAsStream("/x509-limbo/limbo.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<CaseResult> runAll() {
    List<CaseResult> out = new ArrayList<>();
    for (JsonNode testcase : suite().get("testcases")) {
      out.add(run(testcase));
    }
    return out;
  }

  static CaseResult run(JsonNode testcase) {
    String id = testcase.get("id").asText();
    String expected = testcase.get("expected_result").asText();
    for (JsonNode feature : testcase.get("features")) {
      String reason = SKIPPED_FEATURES.get(feature.asText());
      if (reason != null) {
        return new CaseResult(id, expected, "SKIPPED", Outcome.SKIP,
            "feature " + feature.asText() + ": " + reason, Set.of(), "");
      }
    }
    ValidationResult result;
    try {
      result = ChainValidator.strict().validate(request(testcase));
    } catch (InputException e) {
      String actual = "FAILURE";
      return new CaseResult(id, expected, actual,
          actual.equals(expected) ? Outcome.PASS : Outcome.FAIL, null,
          Set.of(Problem.MALFORMED), e.getMessage());
    }
    String actual = result.valid() ? "SUCCESS" : "FAILURE";
    return new CaseResult(id, expected, actual,
        actual.equals(expected) ? Outcome.PASS : Outcome.FAIL, null, result.problems(),
        result.message());
  }

  /** The case's inputs could not even be read (so the chain is rejected). */
  static final class InputException extends Exception {
    private static final long serialVersionUID = 1L;

    InputException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  static ValidationRequest request(JsonNode testcase) throws InputException {
    X509Certificate leaf;
    try {
      leaf = TestPem.certificate(testcase.get("peer_certificate").asText());
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new InputException("leaf does not parse: " + e.getMessage(), e);
    }
    List<X509CRL> crls = new ArrayList<>();
    for (JsonNode crl : testcase.get("crls")) {
      try {
        crls.add(TestPem.crl(crl.asText()));
      } catch (GeneralSecurityException | RuntimeException e) {
        throw new InputException("CRL does not parse: " + e.getMessage(), e);
      }
    }
    JsonNode time = testcase.get("validation_time");
    Instant at = time == null || time.isNull()
        ? Instant.now() : OffsetDateTime.parse(time.asText()).toInstant();
    ValidationRequest.Builder builder = ValidationRequest.builder(leaf,
            TrustAnchors.of(parseAll(testcase.get("trusted_certs"))), at)
        .untrusted(parseAll(testcase.get("untrusted_intermediates")))
        .purpose(testcase.get("validation_kind").asText().equals("CLIENT")
            ? Purpose.CLIENT : Purpose.SERVER)
        .crls(crls)
        .profile(profile(testcase.get("id").asText()));
    JsonNode depth = testcase.get("max_chain_depth");
    if (depth != null && !depth.isNull()) {
      builder.maxDepth(depth.asInt());
    }
    JsonNode peer = testcase.get("expected_peer_name");
    if (peer != null && !peer.isNull()) {
      String value = peer.get("value").asText();
      try {
        builder.peerName(switch (peer.get("kind").asText()) {
          case "DNS" -> new PeerName.Dns(value);
          case "IP" -> PeerName.Ip.parse(value);
          case "RFC822" -> new PeerName.Email(value);
          default -> throw new IllegalArgumentException("unknown kind " + peer);
        });
      } catch (IllegalArgumentException e) {
        throw new InputException("peer name: " + e.getMessage(), e);
      }
    }
    return builder.build();
  }

  /** The case's namespace decides the profile: {@code webpki::} cases the Web PKI's, the others RFC 5280's. */
  static Profile profile(String id) {
    return id.startsWith("webpki::") ? Profile.WEBPKI : Profile.RFC5280;
  }

  /** Certificates that do not parse are left out, as a TLS client would ignore them. */
  private static List<X509Certificate> parseAll(JsonNode pems) {
    List<X509Certificate> out = new ArrayList<>();
    for (JsonNode pem : pems) {
      try {
        out.add(TestPem.certificate(pem.asText()));
      } catch (GeneralSecurityException | RuntimeException e) {
        // ignored on purpose
      }
    }
    return out;
  }

  static Map<String, JsonNode> casesById() {
    Map<String, JsonNode> byId = new LinkedHashMap<>();
    suite().get("testcases").forEach(t -> byId.put(t.get("id").asText(), t));
    return byId;
  }
}
