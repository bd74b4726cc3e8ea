package io.certkeeper.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProbeTargetTest {
  @ParameterizedTest(name = "{0} -> {1} port {2}")
  @CsvSource({
      "example.com:8443,        example.com,  8443",
      "example.com,             example.com,  443",
      "Example.COM:443,         example.com,  443",
      "192.0.2.7:25,            192.0.2.7,    25",
      "[2001:db8::1]:993,       2001:db8::1,  993",
      "[::1],                   ::1,          443",
      "https://example.com,     example.com,  443",
      "https://example.com:8443/path?q=1, example.com, 8443",
      "HTTPS://[::1]:4443,      ::1,          4443",
      "'  mail.example.org:587 ', mail.example.org, 587",
  })
  void parsesEveryAcceptedForm(String text, String host, int port) {
    ProbeTarget target = ProbeTarget.parse(text);
    assertEquals(host, target.host());
    assertEquals(port, target.port());
  }

  @ParameterizedTest(name = "{0} fails with ''{1}''")
  @CsvSource({
      "'',                        empty target",
      "example.com:0,             port out of range: 0",
      "example.com:65536,         port out of range: 65536",
      "example.com:https,         port 'https' is not a number",
      "example.com:,              port '' is not a number",
      "2001:db8::1,               write IPv6 addresses in brackets",
      "[2001:db8::1,              missing ']'",
      "[example.com]:443,         is not an IPv6 address",
      "http://example.com,        only https:// URLs are accepted",
      "https://user@example.com,  user info is not allowed",
      "exa mple.com:443,          is not a valid host name",
      ":443,                      empty host",
  })
  void rejectsBadTargetsNamingTheProblem(String text, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ProbeTarget.parse(text));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"192.0.2.1, true", "[::1], true", "localhost, false", "1.2.3.example, false"})
  void knowsIpLiterals(String text, boolean literal) {
    assertEquals(literal, ProbeTarget.parse(text).isIpLiteral());
  }

  @ParameterizedTest
  @CsvSource({"[::1]:8443, [::1]:8443", "https://Example.com, example.com:443"})
  void printsHostAndPortWithBracketsForIpv6(String text, String printed) {
    assertEquals(printed, ProbeTarget.parse(text).hostAndPort());
  }
}
