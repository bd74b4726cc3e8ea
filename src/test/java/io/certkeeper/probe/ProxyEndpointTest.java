package io.certkeeper.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProxyEndpointTest {
  @Test
  void parsesHostPortAndCredentials() {
    ProxyEndpoint p = ProxyEndpoint.parse("http://bob:p%40ss@proxy.example:3128");
    assertEquals("proxy.example", p.host());
    assertEquals(3128, p.port());
    assertEquals(Optional.of("bob"), p.user());
    assertEquals(Optional.of("p@ss"), p.password());
  }

  @Test
  void parsesBracketedIpv6WithoutCredentials() {
    ProxyEndpoint p = ProxyEndpoint.parse("http://[::1]:8080/");
    assertEquals("::1", p.host());
    assertEquals(Optional.empty(), p.user());
  }

  @Test
  void neverPrintsThePassword() {
    ProxyEndpoint p = ProxyEndpoint.parse("http://bob:hunter2@proxy.example:3128");
    assertFalse(p.toString().contains("hunter2"), p.toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ProxyEndpoint.parse("https://bob:hunter2@proxy.example:3128"));
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({
      "https://proxy.example:3128,  only http:// proxies",
      "socks5://proxy.example:1080, only http:// proxies",
      "http://proxy.example,        missing port",
      "http://bob@proxy.example:1,  write credentials as user:password",
      "http://proxy.example:3128/x, unexpected path",
  })
  void rejectsWhatItCannotUse(String text, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ProxyEndpoint.parse(text));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
