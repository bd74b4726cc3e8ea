package io.certkeeper.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointsConfigTest {
  @TempDir Path dir;

  private Config load(String yaml) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, yaml);
    return ConfigLoader.load(f);
  }

  @Test
  void settingsResolveEndpointThenGroupThenTopLevelThenBuiltIn() throws Exception {
    Files.writeString(dir.resolve("web.txt"), "# web servers\nw1.example.com\n\nw2.example.com:8443  # canary\n");
    Config c = load("""
        defaults:
          every: 1m
          warning: 20d
          labels: {env: prod}
        groups:
          web:
            defaults:
              owners: [web@example.com]
              labels: {team: web}
            targets-file: web.txt
            endpoints:
              - target: shop.example.com
                warning: 10d
        endpoints:
          - target: mail.example.com:25
            starttls: smtp
            cron: "0 */10 * * * ?"
          - https://api.example.com
        """);
    Map<String, EndpointConfig> byId = new java.util.HashMap<>();
    c.endpoints().forEach(e -> byId.put(e.id(), e));
    assertEquals(List.of("shop.example.com:443", "w1.example.com:443", "w2.example.com:8443",
        "mail.example.com:25;starttls=smtp", "api.example.com:443"), c.endpoints().stream().map(EndpointConfig::id).toList());
    EndpointConfig shop = byId.get("shop.example.com:443");
    assertEquals(Duration.ofDays(10), shop.warning());
    assertEquals(ProbeSchedule.every(Duration.ofMinutes(1)), shop.schedule());
    assertEquals(List.of("web@example.com"), shop.owners());
    assertEquals(Map.of("env", "prod", "team", "web"), shop.labels());
    assertEquals(Optional.of("web"), shop.group());
    EndpointConfig w2 = byId.get("w2.example.com:8443");
    assertEquals(Duration.ofDays(20), w2.warning());
    assertEquals(EndpointConfig.DEFAULT_CRITICAL, w2.critical());
    EndpointConfig mail = byId.get("mail.example.com:25;starttls=smtp");
    assertEquals(ProbeSchedule.cron("0 */10 * * * ?"), mail.schedule());
    assertEquals(List.of(), mail.owners());
    assertEquals(Optional.empty(), mail.group());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      bad target         | endpoints:\\n  - target: 'bad host:1'\\n                   | 2 | endpoints[0].target: target 'bad host:1': 'bad host' is not a valid host name
      both schedules     | endpoints:\\n  - target: a.example\\n    every: 1m\\n    cron: '0 * * * * ?'\\n | 4 | endpoints[0].cron: give either 'every' or 'cron', not both
      bad cron           | defaults:\\n  cron: 'every minute'\\n                      | 2 | defaults.cron: not a valid Quartz cron expression: 'every minute' (six or seven fields: seconds minutes hours day-of-month month day-of-week [year], e.g. "0 */10 * * * ?")
      too frequent       | defaults:\\n  every: 500ms\\n                             | 2 | defaults.every: every must be at least 1s, got 500ms
      unknown key        | endpoints:\\n  - target: a.example\\n    servrname: x\\n     | 3 | unknown key 'servrname' in endpoints[0] (did you mean 'servername'?)
      bad starttls       | endpoints:\\n  - target: a.example\\n    starttls: smpt\\n     | 3 | endpoints[0].starttls: 'smpt' is not one of smtp, imap, pop3, ftp, ldap, postgres (did you mean 'smtp'?)
      owner not a mail   | defaults:\\n  owners: [ops]\\n                            | 2 | defaults.owners[0]: an owner is an e-mail address, got 'ops'
      declared twice     | endpoints:\\n  - a.example:443\\n  - https://A.example\\n  | 3 | endpoint a.example:443 is declared twice (first at FILE:2)
      """)
  void mistakesNameFileLineAndKey(String name, String yaml, int line, String message) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, yaml.replace("\\n", "\n"));
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
    assertEquals(f + ":" + line + ": " + message.replace("FILE", f.toString()), e.getMessage());
  }

  @Test
  void aBadLineInATargetsFileNamesThatFileAndLine() throws Exception {
    Files.writeString(dir.resolve("t.txt"), "ok.example\nnot a target\n");
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "groups:\n  g:\n    targets-file: t.txt\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
    assertEquals(dir.resolve("t.txt") + ":2: target 'not a target': 'not a target' is not a valid host name", e.getMessage());
  }

  @Test
  void endpointsRoundTripThroughTheStoredJson() throws Exception {
    Config c = load("endpoints:\n  - target: '[::1]:8443'\n    servername: api.example\n    ca-files: [root.pem]\n"
        + "    proxy: http://proxy:3128\n    labels: {a: b}\n    owners: [x@y.z]\n");
    EndpointConfig e = c.endpoints().get(0);
    assertEquals("[::1]:8443;sni=api.example", e.id());
    assertEquals(List.of(dir.resolve("root.pem")), e.caFiles());
    assertEquals(e, EndpointCodec.fromJson(EndpointCodec.toJson(e)));
  }
}
