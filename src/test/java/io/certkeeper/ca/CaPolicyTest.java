package io.certkeeper.ca;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.x509.KeyType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CaPolicyTest {

  @ParameterizedTest(name = "{0} vs {1} -> {2}")
  @CsvSource({
    "dns:*.internal.example,    dns:a.internal.example,     true",
    "dns:*.internal.example,    dns:A.Internal.Example,     true",
    "dns:*.internal.example,    dns:*.internal.example,     true",
    "dns:*.internal.example,    dns:a.b.internal.example,   false",
    "dns:*.internal.example,    dns:internal.example,       false",
    "dns:*.internal.example,    dns:evilinternal.example,   false",
    "dns:*.internal.example,    dns:a.internal.example.com, false",
    "dns:**.internal.example,   dns:a.b.internal.example,   true",
    "dns:**.internal.example,   dns:internal.example,       false",
    "dns:host.example,          dns:host.example,           true",
    "dns:host.example,          dns:www.host.example,       false",
    "*.internal.example,        dns:x.internal.example,     true",
    "dns:*.internal.example,    ip:10.0.0.1,                false",
    "ip:10.0.0.0/8,             ip:10.255.3.4,              true",
    "ip:10.0.0.0/8,             ip:11.0.0.1,                false",
    "10.0.0.0/8,                ip:10.1.2.3,                true",
    "ip:192.168.1.0/25,         ip:192.168.1.127,           true",
    "ip:192.168.1.0/25,         ip:192.168.1.128,           false",
    "ip:192.0.2.7,              ip:192.0.2.7,               true",
    "ip:192.0.2.7,              ip:192.0.2.8,               false",
    "ip:fd00::/8,               ip:fd12::1,                 true",
    "ip:fd00::/8,               ip:fe80::1,                 false",
    "ip:10.0.0.0/8,             ip:fd00::1,                 false",
    "ip:0.0.0.0/0,              ip:203.0.113.9,             true",
    "email:*@example.com,       email:ops@example.com,      true",
    "email:*@example.com,       email:ops@evil.com,         false",
    "email:ops@example.com,     email:dev@example.com,      false",
    "email:*@*.example.com,     email:a@mail.example.com,   true",
    "uri:spiffe://example.org/*, uri:spiffe://example.org/ns/a, true",
    "uri:spiffe://example.org/*, uri:spiffe://evil.org/ns/a, false",
    "uri:spiffe://example.org/a, uri:spiffe://example.org/a, true",
  })
  void namePatternsMatchAsDocumented(String pattern, String san, boolean expected) {
    assertEquals(expected, NamePattern.parse(pattern).matches(San.parse(san)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"dns:", "dns:-bad.example", "ip:10.0.0.0/33", "ip:10.0.0.1/8", "ip:300.1.1.1",
      "email:nobody", "uri:", "ftp:x", "dns:a..b", "ip:10.0.0.0/x"})
  void malformedPatternsAreRefused(String pattern) {
    assertThrows(IllegalArgumentException.class, () -> NamePattern.parse(pattern));
  }

  @ParameterizedTest
  @ValueSource(strings = {"dns:*", "dns:*.com", "dns:a.*.example", "dns:under_score.example", "dns:a b",
      "ip:1.2.3", "ip:01.2.3.4", "ip:example.com", "email:@example.com", "uri:relative/path", "x:y"})
  void malformedSansAreRefused(String san) {
    assertThrows(IllegalArgumentException.class, () -> San.parse(san));
  }

  @ParameterizedTest(name = "CN {0} -> {1}")
  @CsvSource({"host.example, dns:host.example", "10.1.2.3, ip:10.1.2.3", "::1, ip:0:0:0:0:0:0:0:1",
      "ops@example.com, email:ops@example.com", "Host.Example, dns:host.example"})
  void theCommonNameBecomesASan(String cn, String san) {
    assertEquals(San.parse(san), San.forCommonName(cn));
  }

  @Test
  void aCommonNameThatIsNoNameIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> San.forCommonName("Alice Smith"));
    assertTrue(e.getMessage().contains("also a SAN"), e.getMessage());
  }

  private static final CaPolicy STRICT = new CaPolicy(Duration.ofDays(30), EnumSet.of(KeyType.EC_P256, KeyType.ED25519),
      List.of(NamePattern.parse("*.internal.example"), NamePattern.parse("10.0.0.0/8")));

  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @CsvSource({
    "ec-p256,  30d, dns:a.internal.example,  ",
    "ed25519,  1d,  ip:10.9.9.9,             ",
    "ec-p256,  31d, dns:a.internal.example,  exceeds the policy's maximum of 30d",
    "rsa-2048, 1d,  dns:a.internal.example,  key type rsa-2048 is not allowed",
    "ec-p256,  1d,  dns:a.example,           name dns:a.example is not allowed",
    "ec-p256,  1d,  ip:192.168.0.1,          name ip:192.168.0.1 is not allowed",
  })
  void policyRefusesWithTheReason(String keyType, String validity, String san, String reason) {
    if (reason == null) {
      assertDoesNotThrow(() -> STRICT.check(KeyType.parse(keyType), io.certkeeper.util.Durations.parse(validity),
          List.of(San.parse(san))));
      return;
    }
    PolicyException e = assertThrows(PolicyException.class, () -> STRICT.check(KeyType.parse(keyType),
        io.certkeeper.util.Durations.parse(validity), List.of(San.parse(san))));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  @Test
  void theDefaultPolicyAllowsAnyNameForUpTo398Days() throws Exception {
    CaPolicy.defaults().check(KeyType.RSA_4096, Duration.ofDays(398), List.of(San.parse("dns:anything.example")));
    assertThrows(PolicyException.class,
        () -> CaPolicy.defaults().check(KeyType.EC_P256, Duration.ofDays(399), List.of(San.parse("dns:a.example"))));
  }
}
