package io.certkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.certkeeper.config.Config;
import io.certkeeper.config.ConfigLoader;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code config check} prints is a configuration that loads again to the same configuration. */
class ConfigCheckRoundTripTest {
  /** The sample configuration shipped with certkeeper and installed by scripts/install.sh. */
  static final Path SAMPLE = Path.of("etc/certkeeper/certkeeper.yaml");

  /**
   * Every key the loader knows (see the records under io.certkeeper.config), with values that YAML
   * would misread if they were written back unquoted.
   */
  static final String EVERY_KEY = """
      data-dir: data
      node: web-1
      log:
        level: debug
      store:
        url: jdbc:postgresql://db.example.com:5432/certkeeper
        user: certkeeper
        password: credential:store-password
        pool-size: 12
      ca:
        passphrase: file:/etc/certkeeper/ca.pass
        crl-url: http://pki.example.com/certkeeper.crl
        crl-validity: 3d
        validity: 60d
        key-type: ec-p384
        policy:
          max-validity: 200d
          key-types: [ec-p256, ec-p384, rsa-2048]
          allowed-names: ["*.internal.example", "ip:10.0.0.0/8", "email:*@example.com", "uri:spiffe://example.org/*"]
        ocsp-url: http://ocsp.example.com/
        issuer-url: http://pki.example.com/certkeeper-ca.der
        ocsp:
          validity: 12h
          signer-validity: 20d
          sign-on-demand: true
          rate-limit: 20
      certificates:
        - name: web
          common-name: www.internal.example
          sans: [dns:internal.example, ip:10.0.0.7, email:ops@example.com, uri:spiffe://example.org/web]
          key-type: ec-p256
          validity: 30d
          profile: server-client
          renew-at: 66.5%
          key: reuse
          outputs:
            - {type: fullchain, path: tls/web.pem, owner: root, group: nginx, mode: "0644"}
            - {type: key, path: tls/web.key, group: nginx, mode: 0640}
            - {type: pkcs12, path: /etc/app/web.p12, password: "file:/etc/app/p12.pass"}
            - {type: cert, path: tls/cert.pem}
            - {type: chain, path: tls/chain.pem, mode: "644"}
          hooks:
            - command: [systemctl, reload, nginx]
              timeout: 90s
              env: {MODE: "0640", FLAG: "yes", STAR: "*x", NOTHING: "null", HASH: "#x", COLON: "a: b"}
          owners: [web-team@example.com]
        - name: admin
          nodes: [web-1, web-2]
          common-name: admin.internal.example
          renew-before: 10d
        - name: edge
          nodes: [web-3]
          common-name: edge.example.com
      scheduler:
        threads: 3
        probe-concurrency: 32
        retention: 30d
        renewal-check: 5m
        alert-evaluation: 2m
      defaults:
        every: 10m
        warning: 21d
        critical: 5d
        timeout: 8s
        ca-files: [roots/internal.pem]
        labels: {env: prod}
        owners: [ops@example.com]
        proxy: http://proxy.example.com:3128
        starttls: smtp
      groups:
        web:
          defaults:
            cron: "0 */10 * * * ?"
            labels: {team: web, on: "yes"}
            owners: [web-team@example.com]
          targets-file: web-targets.txt
          endpoints:
            - shop.example.com
            - target: api.example.com:8443
              servername: api.internal.example
      endpoints:
        - www.example.com
        - target: "[2001:db8::7]:993"
          starttls: imap
          every: 1h
          warning: 14d
          critical: 2d
          timeout: 20s
          ca-files: [/etc/ssl/mail.pem]
          labels: {version: "1.10"}
          owners: [mail@example.com]
          proxy: http://10.0.0.1:8080
      files:
        - paths: ["/etc/ssl/**/*.pem", "certs/{a,b}.p12", "/opt/app/key store.jks"]
          password: file:/etc/app/ks.pass
          rescan: 10m
          warning: 20d
          critical: 3d
          labels: {team: web, on: "yes"}
          owners: [web-team@example.com]
          endpoints: [www.example.com:443]
        - paths: [/etc/partner/client.pem]
      listeners:
        - name: admin
          bind: 127.0.0.1:8443
          role: admin
          certificate: {managed: admin}
          tls: {protocols: [TLSv1.3], client-auth: optional, client-ca-files: [/etc/certkeeper/clients.pem]}
          auth: {token: env:ADMIN_TOKEN, metrics-public: true}
          limits: {max-connections: 10, request-timeout: 5s, idle-timeout: 30s}
        - name: app
          bind: "[::1]:9443"
          role: proxy
          backend: 127.0.0.1:8080
          certificate: {cert-file: tls/web.pem, key-file: tls/web.key}
          tls:
            protocols: [TLSv1.3, TLSv1.2]
            ciphers: [TLS_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256]
            client-auth: require
            client-ca-files: [clients-ca.pem]
            crl-files: [clients.crl]
          limits: {max-connections: 100}
        - name: echo
          bind: 9444
          role: echo
          certificate: {keystore: echo.jks, password: "env:ECHO_PASS", type: jks}
        - name: edge
          nodes: [web-3]
          bind: 127.0.0.1:8443
          role: echo
          certificate: {managed: edge}
        - name: ocsp
          bind: 127.0.0.1:8080
          role: ocsp
          limits: {max-connections: 200, request-timeout: 5s, idle-timeout: 20s}
        - name: pki
          bind: 0.0.0.0:80
          role: pki
      alerts:
        recipients: [ops@example.com]
        thresholds: [21d, 7d, 1d]
        failing-after: 5
        routes:
          - severity: critical
            to: [oncall@example.com, pager@example.com]
        digest:
          ops@example.com: daily
          web-team@example.com: 1h
      smtp:
        host: mail.example.com
        port: 2525
        security: smtps
        user: certkeeper
        password: credential:smtp-password
        from: certkeeper@example.com
        ca-files: [/etc/ssl/mail-ca.pem]
        connect-timeout: 5s
        read-timeout: 20s
      """;

  @TempDir Path dir;

  @Test
  void theSampleConfigurationRoundTrips() throws Exception {
    roundTrip(SAMPLE.toAbsolutePath());
  }

  @Test
  void aConfigurationWithEveryKeyRoundTrips() throws Exception {
    Path original = dir.resolve("orig/certkeeper.yaml");
    Files.createDirectories(original.getParent());
    Files.writeString(original, EVERY_KEY);
    Files.writeString(dir.resolve("orig/web-targets.txt"), "# fleet\nblog.example.com\n[::1]:8443\n");

    String printed = roundTrip(original);

    // every key of the input is in the output (defaults and targets-file are folded into the endpoints)
    TreeSet<String> in = keys(new YAMLMapper().readTree(EVERY_KEY), "");
    TreeSet<String> out = keys(new YAMLMapper().readTree(printed), "");
    in.removeIf(k -> k.startsWith("defaults") || k.startsWith("groups.web.defaults") || k.equals("groups.web.targets-file"));
    in.removeAll(out);
    assertEquals(new TreeSet<>(), in, printed);
    // in the shapes the loader reads, nothing it would refuse
    assertTrue(printed.contains("mode: \"0640\""), printed);
    assertTrue(printed.contains("mode: \"0644\""), printed);
    assertTrue(printed.contains("bind: 127.0.0.1:8443"), printed);
    assertTrue(printed.contains("bind: \"[::1]:9443\""), printed);
    assertTrue(printed.contains("bind: 127.0.0.1:9444"), printed);
    assertTrue(printed.contains("key: reuse"), printed);
    assertTrue(printed.contains("renew-at: \"0.665\""), printed);
    for (String refused : new String[] {"reuse-key", "keystore-type", "port: 8443", "port: 9443", "masked-url", "id:",
        "schedule:", "allowed-name-locations"}) {
      assertFalse(printed.contains(refused), refused + " in\n" + printed);
    }
    // relative paths are resolved against the original file's folder, so they mean the same anywhere
    assertTrue(printed.contains("data-dir: " + dir.resolve("orig/data")), printed);
    assertTrue(printed.contains("path: " + dir.resolve("orig/tls/web.key")), printed);
  }

  @Test
  void passwordsInUrlsAreMaskedTheOneValueThatDoesNotRoundTrip() throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "store:\n  url: jdbc:postgresql://db/ck?user=ck&password=s3cret\n"
        + "endpoints:\n  - {target: a.example, proxy: \"http://u:hunter2@proxy.example:3128\"}\n");
    CliRunner.Run r = CliRunner.run("--config", f.toString(), "config", "check");
    assertEquals(0, r.exitCode(), r.err());
    assertFalse(r.out().contains("s3cret") || r.out().contains("hunter2"), r.out());
    assertTrue(r.out().contains("password=****") && r.out().contains("http://u:****@proxy.example:3128"), r.out());
    Path again = dir.resolve("again.yaml");
    Files.writeString(again, r.out());
    assertEquals(0, CliRunner.run("--config", again.toString(), "config", "check", "-q").exitCode());
  }

  /**
   * Checks {@code file}, saves what was printed in another folder, checks that, and compares: the
   * printed configurations, the {@code --json} ones, and the loaded configurations section by
   * section. Returns the first printed configuration.
   */
  private String roundTrip(Path file) throws Exception {
    CliRunner.Run first = CliRunner.run("--config", file.toString(), "config", "check");
    assertEquals(0, first.exitCode(), first.err());
    Path copy = dir.resolve("elsewhere/printed.yaml");
    Files.createDirectories(copy.getParent());
    Files.writeString(copy, first.out());
    CliRunner.Run second = CliRunner.run("--config", copy.toString(), "config", "check");
    assertEquals(0, second.exitCode(), "the printed configuration does not load: " + second.err() + "\n" + first.out());
    assertEquals(body(first.out()), body(second.out()));

    JsonNode json1 = Json.mapper().readTree(CliRunner.run("--config", file.toString(), "config", "check", "--json").out());
    JsonNode json2 = Json.mapper().readTree(CliRunner.run("--config", copy.toString(), "config", "check", "--json").out());
    assertEquals(json1.get("config"), json2.get("config"));
    assertEquals(json1.get("dataDir"), json2.get("dataDir"));

    Config a = ConfigLoader.load(file);
    Config b = ConfigLoader.load(copy);
    assertEquals(a.log(), b.log());
    assertEquals(a.store(), b.store());
    assertEquals(a.scheduler(), b.scheduler());
    assertEquals(a.endpoints(), b.endpoints());
    assertEquals(a.listeners(), b.listeners());
    assertEquals(a.alerts(), b.alerts());
    assertEquals(a.smtp(), b.smtp());
    assertEquals(a.certificates(), b.certificates());
    assertEquals(a.node(), b.node());
    assertEquals(a.elsewhere(), b.elsewhere());
    assertEquals(a.ca().passphrase(), b.ca().passphrase());
    assertEquals(a.ca().crlUrl(), b.ca().crlUrl());
    assertEquals(a.ca().ocspUrl(), b.ca().ocspUrl());
    assertEquals(a.ca().issuerUrl(), b.ca().issuerUrl());
    assertEquals(a.ca().ocsp(), b.ca().ocsp());
    assertEquals(a.ca().crlValidity(), b.ca().crlValidity());
    assertEquals(a.ca().validity(), b.ca().validity());
    assertEquals(a.ca().keyType(), b.ca().keyType());
    assertEquals(a.ca().policy().maxValidity(), b.ca().policy().maxValidity());
    assertEquals(a.ca().policy().keyTypes(), b.ca().policy().keyTypes());
    assertEquals(a.ca().policy().allowedNames(), b.ca().policy().allowedNames());
    return body(first.out());
  }

  /** The printed configuration without the first comment line, which names the file checked. */
  private static String body(String printed) {
    return printed.substring(printed.indexOf('\n') + 1);
  }

  /** Every key path of {@code node}, lists as {@code []}: {@code certificates[].outputs[].mode}. */
  private static TreeSet<String> keys(JsonNode node, String prefix) {
    TreeSet<String> out = new TreeSet<>();
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
        out.add(path);
        out.addAll(keys(e.getValue(), path));
      }
    } else if (node.isArray()) {
      for (JsonNode item : node) {
        out.addAll(keys(item, prefix + "[]"));
      }
    }
    return out;
  }
}
