package io.certkeeper.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ListenerLimitsTest {
  @TempDir Path dir;

  private ListenerConfig load(String role, String limits) throws Exception {
    Path f = dir.resolve("certkeeper.yaml");
    Files.writeString(f, "listeners:\n  - name: l\n    bind: 8443\n    role: " + role + "\n"
        + (role.equals("admin") ? "    auth: {token: 'env:T'}\n" : "")
        + "    certificate: {cert-file: c.pem, key-file: c.key}\n" + limits);
    return ConfigLoader.load(f).listeners().get(0);
  }

  @Test
  void defaultsAreSixtyFourConnectionsTenSecondsPerRequestAMinuteIdle() throws Exception {
    assertEquals(new ListenerConfig.Limits(64, Duration.ofSeconds(10), Duration.ofSeconds(60)),
        load("admin", "").limits());
  }

  @Test
  void readsEachLimit() throws Exception {
    ListenerConfig.Limits l = load("admin",
        "    limits: {max-connections: 8, request-timeout: 5s, idle-timeout: 2m}\n").limits();
    assertEquals(new ListenerConfig.Limits(8, Duration.ofSeconds(5), Duration.ofMinutes(2)), l);
    assertEquals(500, load("echo", "    limits: {max-connections: 500}\n").limits().maxConnections());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      no connections      | admin | max-connections: 0    | between 1 and 100000
      request timeout 0   | admin | request-timeout: 500ms | must be at least 1s
      timeout on a proxy  | echo  | request-timeout: 5s    | only admin and plain-HTTP (acme-http, ocsp, pki) listeners have 'request-timeout'
      a typo              | admin | max-conections: 5      | max-conections
      """)
  void errorsNameTheKey(String what, String role, String limit, String message) throws Exception {
    ConfigException e = assertThrows(ConfigException.class, () -> load(role, "    limits: {" + limit + "}\n"));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }
}
