package io.certkeeper.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CertificateConfigTest {
  @TempDir Path dir;

  private Config load(String yaml) throws Exception {
    Path f = dir.resolve("certkeeper.yaml");
    Files.writeString(f, yaml);
    return ConfigLoader.load(f);
  }

  @Test
  void readsACertificateWithOutputsHooksAndPolicy() throws Exception {
    Config c = load("certificates:\n  - name: web\n    common-name: www.example.test\n    sans: [dns:example.test]\n"
        + "    renew-at: 75%\n    key: reuse\n    outputs:\n"
        + "      - {type: key, path: out/web.key, mode: 0640}\n"
        + "      - {type: cert, path: /etc/web.crt, mode: \"0644\", group: wheel}\n"
        + "    hooks:\n      - command: [\"/usr/bin/my tool\", \"--flag=a b\"]\n        timeout: 5s\n"
        + "        env: {FOO: bar}\n");
    CertificateConfig w = c.certificate("web").orElseThrow();
    assertEquals(0.75, w.renewAt().orElseThrow(), 1e-9);
    assertEquals(KeyOnRenewal.REUSE, w.key());
    assertEquals(0640, w.outputs().get(0).mode(), "unquoted 0640 is octal as written");
    assertEquals(dir.resolve("out/web.key"), w.outputs().get(0).path());
    assertEquals(0644, w.outputs().get(1).mode());
    assertEquals(List.of("/usr/bin/my tool", "--flag=a b"), w.hooks().get(0).command());
    assertEquals(Duration.ofSeconds(5), w.hooks().get(0).timeout());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      both policies          | renew-at: 50%\\n    renew-before: 3d | 6 | give renew-at or renew-before, not both
      renew-at out of range  | renew-at: 100%                       | 5 | must be between 1% and 99% of the lifetime
      mode not octal         | outputs:\\n      - {type: cert, path: /x, mode: \"0999\"} | 6 | expected octal permission bits
      key readable by others | outputs:\\n      - {type: key, path: /x, mode: \"0644\"} | 6 | must not be readable by others
      pkcs12 needs password  | outputs:\\n      - {type: pkcs12, path: /x}  | 6 | a pkcs12 output needs 'password'
      hook as a string       | hooks:\\n      - command: systemctl reload nginx | 6 | never split on spaces
      unknown output type    | outputs:\\n      - {type: pem, path: /x}     | 6 | '''pem'' is not one of key, cert, chain, fullchain, pkcs12'
      """)
  void errorsNameFileLineAndKey(String what, String extra, int line, String message) throws Exception {
    String yaml = "certificates:\n  - name: web\n    common-name: www.example.test\n    validity: 30d\n    "
        + extra.replace("\\n", "\n") + "\n";
    ConfigException e = assertThrows(ConfigException.class, () -> load(yaml));
    assertTrue(e.getMessage().contains("certkeeper.yaml:" + line + ":"), e.getMessage());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void aListenerNamingAnUndefinedManagedCertificateIsAnError() {
    ConfigException e = assertThrows(ConfigException.class, () -> load("listeners:\n  - name: a\n    bind: 8443\n"
        + "    role: echo\n    certificate: {managed: nope}\n"));
    assertTrue(e.getMessage().contains("managed certificate 'nope' is not defined under certificates:"), e.getMessage());
  }
}
