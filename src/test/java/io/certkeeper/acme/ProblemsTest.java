package io.certkeeper.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.exception.AcmeRateLimitedException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.toolbox.JSON;

/** A server's problem document (RFC 8555 6.7) becomes one bounded, printable line. */
class ProblemsTest {
  private static Problem problem(String json) throws Exception {
    return new Problem(JSON.parse(json), URI.create("https://acme.test/acme/order/1").toURL());
  }

  @Test
  void aProblemWithSubproblemsIsOneLineNamingEachIdentifier() throws Exception {
    Problem p = problem("""
        {"type": "urn:ietf:params:acme:error:rejectedIdentifier",
         "detail": "Some identifiers were rejected",
         "subproblems": [
           {"type": "urn:ietf:params:acme:error:caa", "detail": "CAA forbids issuance",
            "identifier": {"type": "dns", "value": "www.example.com"}},
           {"type": "urn:ietf:params:acme:error:dns", "detail": "NXDOMAIN\\nlooking up A",
            "identifier": {"type": "dns", "value": "api.example.com"}}]}""");
    assertEquals("rejectedIdentifier: Some identifiers were rejected (www.example.com: caa: CAA forbids issuance;"
        + " api.example.com: dns: NXDOMAIN\\nlooking up A)", Problems.describe(p), "a line break is escaped");
  }

  @Test
  void aHostileDetailIsCutAndKeptOnOneLine() throws Exception {
    Problem p = problem("{\"type\": \"about:blank\", \"detail\": \"" + "x\\u001b[31m".repeat(400) + "\"}");
    String line = Problems.describe(p);
    assertTrue(line.length() <= Problems.MAX, line.length() + "");
    assertTrue(line.chars().noneMatch(c -> c < 0x20), line);
  }

  @Test
  void aRateLimitSaysWhenToComeBack() throws Exception {
    Instant after = Instant.parse("2030-01-01T00:10:00Z");
    AcmeRateLimitedException e = new AcmeRateLimitedException(problem(
        "{\"type\": \"urn:ietf:params:acme:error:rateLimited\", \"detail\": \"too many new orders\"}"), after, List.of());
    AcmeFailure f = Problems.failure("new order for www.example.com", e);
    assertEquals("new order for www.example.com: rateLimited: too many new orders (the server says retry after "
        + after + ")", f.getMessage());
    assertEquals(Optional.of(after), f.retryAfter());
    AcmeFailure plain = Problems.failure("finalize", new AcmeServerException(problem(
        "{\"type\": \"urn:ietf:params:acme:error:badCSR\", \"detail\": \"key too small\"}")));
    assertEquals("finalize: badCSR: key too small", plain.getMessage());
    assertEquals(Optional.empty(), plain.retryAfter());
  }
}
