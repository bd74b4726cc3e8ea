package io.certkeeper.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
  @TempDir Path dir;

  private Path write(String yaml) throws Exception {
    Path f = dir.resolve("certkeeper.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      unknown key with suggestion | store:\\n  pool-sise: 3\\n           | 2 | unknown key 'pool-sise' in store (did you mean 'pool-size'?)
      unknown top-level key       | log:\\n  level: info\\nstroe:\\n  url: x\\n | 3 | unknown key 'stroe' (did you mean 'store'?)
      unknown key without match   | store:\\n  zzzzzz: 1\\n              | 2 | unknown key 'zzzzzz' in store (known keys: url, user, password, pool-size)
      wrong type, string for int  | store:\\n  pool-size: ten\\n         | 2 | store.pool-size: expected an integer, got 'ten'
      int out of range            | store:\\n  pool-size: 1000\\n        | 2 | store.pool-size: must be between 2 and 200, got 1000
      map where scalar expected   | log:\\n  level:\\n    a: b\\n        | 2 | log.level: expected a string, got a mapping
      bad choice with suggestion  | log:\\n  level: inof\\n              | 2 | log.level: 'inof' is not one of error, warn, info, debug, trace (did you mean 'info'?)
      section is a scalar         | store: 5\\n                          | 1 | store: expected a mapping of keys, got the number 5
      inline secret refused       | store:\\n  password: hunter2\\n      | 2 | store.password: a secret must be a reference: file:/path, env:NAME or credential:NAME (got '…')
      unsupported url             | store:\\n  url: jdbc:mysql://x/y\\n  | 2 | store.url: only jdbc:h2: and jdbc:postgresql: URLs are supported, got 'jdbc:mysql://x/y'
      duplicate key               | log:\\n  level: info\\n  level: warn\\n | 3 | duplicate key 'level' in log (first at line 2)
      top level is a list         | - a\\n- b\\n                         | 1 | the configuration must be a mapping of keys at the top level
      files without paths         | files:\\n  - rescan: 1m\\n          | 2 | files[0]: missing required key 'paths'
      files with empty paths      | files:\\n  - paths: []\\n           | 2 | files[0].paths: give at least one path or glob pattern
      files rescan too short      | files:\\n  - paths: [/a]\\n    rescan: 1s\\n | 3 | files[0].rescan: must be at least 10s
      files critical over warning | files:\\n  - paths: [/a]\\n    warning: 7d\\n    critical: 8d\\n | 4 | files[0].critical: must not be longer than warning (7d)
      files pattern with ..       | files:\\n  - paths: [/etc/../x]\\n     | 2 | files[0].paths[0]: '..' is not allowed in a pattern; write the directory out
      files unknown key           | files:\\n  - paths: [/a]\\n    passwd: x\\n | 3 | unknown key 'passwd' in files[0] (did you mean 'password'?)
      """)
  void mistakeNamesFileLineAndKey(String name, String yaml, int line, String message) throws Exception {
    Path f = write(yaml.replace("\\n", "\n"));
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
    assertEquals(f + ":" + line + ": " + message, e.getMessage());
  }

  @Tag("security")
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      alias reads as the anchor name | store:\\n  user: *r\\n                      | 2 | store.user: YAML anchors and aliases are not supported (found *r); write the value out in full
      anchor on a scalar             | log:\\n  level: &l info\\nstore:\\n  user: *l\\n | 2 | log.level: YAML anchors and aliases are not supported (found &l); write the value out in full
      anchor on a mapping            | base: &b\\n  level: info\\nlog: *b\\n          | 1 | base: YAML anchors and aliases are not supported (found &b); write the value out in full
      anchor on a list item          | store:\\n  url: [&a 1]\\n                   | 2 | store.url[0]: YAML anchors and aliases are not supported (found &a); write the value out in full
      merge key                      | log:\\n  <<: {level: info}\\n               | 2 | log: YAML merge keys are not supported (found <<); write the keys out in full
      java tag on a scalar           | store:\\n  url: !!java.net.URL x\\n         | 2 | store.url: YAML tags are not supported (found !!java.net.URL); write a plain value, quoted if it must stay a string
      standard tag on a mapping      | log: !!map\\n  level: info\\n               | 1 | log: YAML tags are not supported (found !!map); write a plain value, quoted if it must stay a string
      local tag                      | store:\\n  user: !env USER\\n               | 2 | store.user: YAML tags are not supported (found !env); write a plain value, quoted if it must stay a string
      """)
  void anchorsAliasesTagsAndMergeKeysAreRefusedWithTheirLine(String name, String yaml, int line, String message)
      throws Exception {
    Path f = write(yaml.replace("\\n", "\n"));
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
    assertEquals(f + ":" + line + ": " + message, e.getMessage());
  }

  @Tag("security")
  @Test
  void billionLaughsEndsAtTheFirstAnchor() throws Exception {
    StringBuilder y = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (char c = 'b'; c <= 'i'; c++) {
      char prev = (char) (c - 1);
      y.append(c).append(": &").append(c).append(" [");
      for (int i = 0; i < 9; i++) {
        y.append(i == 0 ? "" : ",").append('*').append(prev);
      }
      y.append("]\n");
    }
    Path f = write(y.toString());
    ConfigException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
        () -> assertThrows(ConfigException.class, () -> ConfigLoader.load(f)));
    assertEquals(f + ":1: a: YAML anchors and aliases are not supported (found &a); write the value out in full",
        e.getMessage());
  }

  @Tag("security")
  @Test
  void deepNestingEndsWithTheLine() throws Exception {
    Path f = write("store:\n  url: " + "[".repeat(200_000) + "]".repeat(200_000) + "\n");
    ConfigException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
        () -> assertThrows(ConfigException.class, () -> ConfigLoader.load(f)));
    assertEquals(f + ":2: nesting deeper than 64", e.getMessage());
  }

  @Tag("security")
  @Test
  void oversizedTextIsRefusedBeforeParsing() {
    Path f = dir.resolve("big.yaml");
    String text = "a: " + "x".repeat(YamlTree.MAX_CHARS) + "\n";
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(f, text));
    assertTrue(e.getMessage().startsWith(f + ": larger than "), e.getMessage());
  }

  @Test
  void quotedValuesThatLookLikeYamlSyntaxAreStrings() throws Exception {
    Config c = ConfigLoader.load(write("store:\n  user: \"*r\"\n  url: 'jdbc:h2:./a&b'\nlog:\n  level: 'info'\n"));
    assertEquals(Optional.of("*r"), c.store().user());
    assertEquals("info", c.log().level());
  }

  @Test
  void crlFilesWithoutClientAuthNameFileAndLine() throws Exception {
    Path f = write("listeners:\n  - name: echo\n    bind: 8443\n    role: echo\n"
        + "    certificate: {cert-file: c.pem, key-file: k.pem}\n    tls:\n      crl-files: [clients.crl]\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
    assertTrue(e.getMessage().startsWith(f + ":7: "), e.getMessage());
    assertTrue(e.getMessage().endsWith("crl-files check client certificates; set client-auth to optional or require"),
        e.getMessage());
  }

  @Test
  void crlFilesAreResolvedAgainstTheConfigFolder() throws Exception {
    Path f = write("listeners:\n  - name: echo\n    bind: 8443\n    role: echo\n"
        + "    certificate: {cert-file: c.pem, key-file: k.pem}\n"
        + "    tls: {client-auth: require, client-ca-files: [ca.pem], crl-files: [clients.crl]}\n");
    assertEquals(java.util.List.of(f.getParent().resolve("clients.crl")),
        ConfigLoader.load(f).listeners().get(0).tls().crlFiles());
  }

  @Test
  void invalidYamlNamesTheLine() throws Exception {
    Path f = write("log:\n  level: info\n store: [\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
    assertTrue(e.getMessage().startsWith(f + ":3: invalid YAML"), e.getMessage());
  }

  @Test
  void missingFileIsAnError() {
    Path f = dir.resolve("nope.yaml");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
    assertEquals(f + ": no such configuration file", e.getMessage());
  }

  @Test
  void emptyFileMeansDefaults() throws Exception {
    Config c = ConfigLoader.load(write(""));
    assertEquals(Optional.empty(), c.store().url());
    assertEquals(StoreConfig.DEFAULT_POOL_SIZE, c.store().poolSize());
    assertEquals("info", c.log().level());
  }

  @Test
  void readsEveryKey() throws Exception {
    Config c = ConfigLoader.load(write(
        "data-dir: /srv/ck\nlog:\n  level: debug\nstore:\n  url: jdbc:postgresql://db/ck\n  user: ck\n"
            + "  password: env:CK_DB\n  pool-size: 4\n"));
    assertEquals(Optional.of(Path.of("/srv/ck")), c.dataDir());
    assertEquals("debug", c.log().level());
    assertEquals(Optional.of("jdbc:postgresql://db/ck"), c.store().url());
    assertEquals(Optional.of("ck"), c.store().user());
    assertEquals("env:CK_DB", c.store().password().orElseThrow().toString());
    assertEquals(4, c.store().poolSize());
  }

  @Test
  void renderMasksPasswordsInUrlsAndKeepsReferences() throws Exception {
    Config c = ConfigLoader.load(write(
        "store:\n  url: jdbc:postgresql://db/ck?user=ck&password=s3cret\n  password: file:/run/pw\n"));
    String out = ConfigLoader.render(c);
    assertTrue(out.contains("password=****"), out);
    assertTrue(!out.contains("s3cret"), out);
    assertTrue(out.contains("password: file:/run/pw") || out.contains("password: \"file:/run/pw\""), out);
  }

  @Test
  void theSampleConfigurationIsValid() throws Exception {
    Path sample = Path.of("etc/certkeeper/certkeeper.yaml");
    Config c = ConfigLoader.load(sample);
    assertEquals("info", c.log().level());
  }

  /** One file for the whole fleet: what names other nodes only is not this node's. */
  @Test
  void nodesNamesWhoHoldsACertificateAndRunsAListener() throws Exception {
    String fleet = """
        node: web-1
        certificates:
          - {name: web, common-name: web-1.example, nodes: [web-1]}
          - {name: web, common-name: web-2.example, nodes: [web-2]}
          - {name: shared, common-name: shared.example}
          - {name: edge, common-name: edge.example, nodes: [web-2, web-3]}
        listeners:
          - {name: web, bind: 127.0.0.1:8443, role: echo, certificate: {managed: web}, nodes: [web-1]}
          - {name: edge, bind: 127.0.0.1:8443, role: echo, certificate: {managed: edge}, nodes: [web-2]}
        """;
    Config c = ConfigLoader.load(write(fleet));
    assertEquals(List.of("web-1.example", "shared.example"), c.certificates().stream().map(CertificateConfig::commonName).toList());
    assertEquals(List.of("web"), c.listeners().stream().map(ListenerConfig::name).toList());
    assertEquals(List.of("web-2.example", "edge.example"),
        c.elsewhere().certificates().stream().map(CertificateConfig::commonName).toList());
    assertEquals(List.of("edge"), c.elsewhere().listeners().stream().map(ListenerConfig::name).toList());
    assertEquals("managed certificate 'edge' is held by nodes web-2, web-3, not by this node (web-1): run this there",
        c.whyNoCertificate("edge"));
    assertEquals("no managed certificate named 'nope' in certificates:", c.whyNoCertificate("nope"));

    // the same file as web-2 sees it
    Config two = ConfigLoader.load(write(fleet.replace("node: web-1", "node: web-2")));
    assertEquals(List.of("web-2.example", "shared.example", "edge.example"),
        two.certificates().stream().map(CertificateConfig::commonName).toList());
    assertEquals(List.of("edge"), two.listeners().stream().map(ListenerConfig::name).toList(), "one bind, two nodes");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      listener runs where its certificate is not | node: a\\ncertificates:\\n  - {name: w, common-name: w.example, nodes: [b]}\\nlisteners:\\n  - {name: l, bind: 8443, role: echo, certificate: {managed: w}}\\n | 5 | listeners[0].certificate: managed certificate 'w' is held by node b only, but this listener runs on node a too: add a to the certificate's nodes: or leave it out of the listener's
      one name twice on one node       | node: a\\ncertificates:\\n  - {name: w, common-name: w.example, nodes: [a]}\\n  - {name: w, common-name: x.example}\\n | 4 | certificates[1].name: certificate name 'w' is used twice
      two binds on one node            | node: a\\nlisteners:\\n  - {name: l, bind: 8443, role: echo, certificate: {cert-file: c, key-file: k}}\\n  - {name: m, bind: 8443, role: echo, certificate: {cert-file: c, key-file: k}, nodes: [a]}\\n | 4 | listeners[1]: two listeners bind 127.0.0.1:8443
      not a node name                  | certificates:\\n  - {name: w, common-name: w.example, nodes: [web 1]}\\n | 2 | certificates[0].nodes[0]: 'web 1' is not a node name: 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit
      no node at all                   | certificates:\\n  - {name: w, common-name: w.example, nodes: []}\\n | 2 | certificates[0].nodes: name at least one node, or leave nodes out (every node holds it)
      a node twice                     | certificates:\\n  - {name: w, common-name: w.example, nodes: [a, a]}\\n | 2 | certificates[0].nodes: a node is named twice
      """)
  void nodesMistakesNameFileLineAndKey(String name, String yaml, int line, String message) throws Exception {
    Path f = write(yaml.replace("\\n", "\n"));
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
    assertEquals(f + ":" + line + ": " + message, e.getMessage());
  }

  @Test
  void acmeAccountsCertificatesAndTheAcmeHttpListenerAreRead() throws Exception {
    Config c = ConfigLoader.load(write("""
        acme:
          passphrase: env:ACME_PASS
          accounts:
            - name: le
              directory: https://acme.example/dir
              contact: [ops@example.com]
              agree-tos: true
              ca-files: [acme-root.pem]
              eab: {key-id: kid-1, hmac-key: file:/etc/certkeeper/eab}
        certificates:
          - {name: www, issuer: acme:le, common-name: www.example.com, sans: [dns:example.com]}
          - {name: inner, common-name: inner.example}
        listeners:
          - {name: http, bind: 0.0.0.0:80, role: acme-http, limits: {request-timeout: 5s}}
        """));
    AcmeConfig.Account le = c.acme().account("le").orElseThrow();
    assertEquals("https://acme.example/dir", le.directory().toString());
    assertEquals(List.of("ops@example.com"), le.contact());
    assertTrue(le.agreeTos());
    assertEquals(List.of(dir.resolve("acme-root.pem")), le.caFiles());
    assertEquals("kid-1", le.eab().orElseThrow().keyId());
    assertEquals(Optional.of(new CertificateConfig.Acme("le", AcmeChallenge.HTTP_01)), c.certificate("www").orElseThrow().acme());
    assertEquals(Optional.empty(), c.certificate("inner").orElseThrow().acme());
    assertEquals(ListenerRole.ACME_HTTP, c.listeners().get(0).role());
    assertTrue(c.listeners().get(0).certificate().isNone());
    assertEquals(Duration.ofSeconds(5), c.listeners().get(0).limits().requestTimeout());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      no such account          | certificates:\\n  - {name: w, issuer: acme:le, common-name: w.example}\\n | 2 | certificates[0].issuer: no ACME account 'le' under acme.accounts
      not an issuer            | certificates:\\n  - {name: w, issuer: letsencrypt, common-name: w.example}\\n | 2 | certificates[0].issuer: expected local or acme:ACCOUNT, got 'letsencrypt'
      dns-01 without dns-set   | acme:\\n  accounts: [{name: le, directory: 'https://a.example/dir'}]\\ncertificates:\\n  - {name: w, issuer: acme:le, common-name: w.example, challenge: dns-01}\\n | 4 | certificates[0]: challenge: dns-01 needs dns-set: the command that publishes the TXT record
      wildcard over http-01    | acme:\\n  accounts: [{name: le, directory: 'https://a.example/dir'}]\\ncertificates:\\n  - {name: w, issuer: acme:le, common-name: w.example, sans: ['dns:*.w.example']}\\n | 4 | certificates[0].sans[0]: a wildcard name is validated by dns-01 only (challenge: dns-01)
      dns-set for http-01      | acme:\\n  accounts: [{name: le, directory: 'https://a.example/dir'}]\\ncertificates:\\n  - {name: w, issuer: acme:le, common-name: w.example, dns-set: {command: [x]}}\\n | 4 | certificates[0].dns-set: only challenge: dns-01 has dns-set
      webroot for dns-01       | acme:\\n  accounts: [{name: le, directory: 'https://a.example/dir'}]\\ncertificates:\\n  - {name: w, issuer: acme:le, common-name: w.example, challenge: tls-alpn-01, webroot: /var/www}\\n | 4 | certificates[0].webroot: only challenge: http-01 has webroot
      redirect on a tls one    | listeners:\\n  - {name: l, bind: '127.0.0.1:8443', role: echo, redirect-to-https: true, certificate: {cert-file: a, key-file: b}}\\n | 2 | listeners[0].redirect-to-https: only acme-http listeners have redirect-to-https
      challenge of a local one | certificates:\\n  - {name: w, common-name: w.example, challenge: http-01}\\n | 2 | certificates[0].challenge: only certificates with issuer: acme:ACCOUNT have challenge
      validity from acme       | acme:\\n  accounts: [{name: le, directory: 'https://a.example/dir'}]\\ncertificates:\\n  - {name: w, issuer: acme:le, common-name: w.example, validity: 30d}\\n | 4 | certificates[0].validity: the ACME server decides the validity; leave validity out
      ip san from acme         | acme:\\n  accounts: [{name: le, directory: 'https://a.example/dir'}]\\ncertificates:\\n  - {name: w, issuer: acme:le, common-name: w.example, sans: ['ip:10.0.0.1']}\\n | 4 | certificates[0].sans[0]: an ACME certificate names DNS names only (dns:NAME), got 'ip:10.0.0.1'
      plain http directory     | acme:\\n  accounts: [{name: le, directory: 'http://a.example/dir'}]\\n | 2 | acme.accounts[0].directory: an ACME directory is an https:// URL, got 'http://a.example/dir'
      account twice            | acme:\\n  accounts: [{name: le, directory: 'https://a.example/dir'}, {name: le, directory: 'https://b.example/dir'}]\\n | 2 | acme.accounts[1].name: account name 'le' is used twice
      contact not a mail       | acme:\\n  accounts: [{name: le, directory: 'https://a.example/dir', contact: [ops]}]\\n | 2 | acme.accounts[0].contact[0]: a contact is an e-mail address, got 'ops'
      acme-http with a cert    | listeners:\\n  - {name: h, bind: 80, role: acme-http, certificate: {managed: w}}\\n | 2 | unknown key 'certificate' in listeners[0] (known keys: name, bind, role, limits, redirect-to-https, nodes)
      """)
  void acmeMistakesNameFileLineAndKey(String name, String yaml, int line, String message) throws Exception {
    Path f = write(yaml.replace("\\n", "\n"));
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
    assertEquals(f + ":" + line + ": " + message, e.getMessage());
  }

  @Test
  void theOcspAndPkiListenersAndTheirCaSettingsAreRead() throws Exception {
    Config c = ConfigLoader.load(write("""
        ca:
          ocsp-url: http://ocsp.example.com/
          issuer-url: http://pki.example.com/ca.der
          ocsp: {validity: 12h, sign-on-demand: true, rate-limit: 10}
        listeners:
          - {name: ocsp, bind: 8080, role: ocsp, limits: {request-timeout: 5s}}
          - {name: pki, bind: 0.0.0.0:80, role: pki}
        """));
    assertEquals(Optional.of("http://ocsp.example.com/"), c.ca().ocspUrl());
    assertEquals(Optional.of("http://pki.example.com/ca.der"), c.ca().issuerUrl());
    assertEquals(new CaConfig.Ocsp(Duration.ofHours(12), CaConfig.Ocsp.DEFAULT_SIGNER_VALIDITY, true, 10), c.ca().ocsp());
    assertEquals(ListenerRole.OCSP, c.listeners().get(0).role());
    assertTrue(c.listeners().get(0).certificate().isNone());
    assertEquals(Duration.ofSeconds(5), c.listeners().get(0).limits().requestTimeout());
    assertEquals(ListenerRole.PKI, c.listeners().get(1).role());
    assertEquals(CaConfig.Ocsp.defaults(), ConfigLoader.load(write("ca: {}\n")).ca().ocsp());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      https ocsp url         | ca:\\n  ocsp-url: https://ocsp.example.com/\\n | 2 | ca.ocsp-url: expected an absolute http: URL without query or fragment, got 'https://ocsp.example.com/'
      issuer url with query  | ca:\\n  issuer-url: 'http://pki.example.com/ca?x=1'\\n | 2 | ca.issuer-url: expected an absolute http: URL without query or fragment, got 'http://pki.example.com/ca?x=1'
      validity too short     | ca:\\n  ocsp: {validity: 5m}\\n | 2 | ca.ocsp.validity: must be between 10m and 7d
      validity over a third  | ca:\\n  ocsp: {validity: 5d, signer-validity: 10d}\\n | 2 | ca.ocsp.validity: ca.ocsp.validity must be at most a third of ca.ocsp.signer-validity
      rate limit zero        | ca:\\n  ocsp: {rate-limit: 0}\\n | 2 | ca.ocsp.rate-limit: must be between 1 and 100000, got 0
      unknown ocsp key       | ca:\\n  ocsp: {nonce: true}\\n | 2 | unknown key 'nonce' in ca.ocsp (known keys: validity, signer-validity, sign-on-demand, rate-limit)
      ocsp with a cert       | listeners:\\n  - {name: o, bind: 80, role: ocsp, certificate: {managed: w}}\\n | 2 | unknown key 'certificate' in listeners[0] (known keys: name, bind, role, limits, nodes)
      pki with a redirect    | listeners:\\n  - {name: p, bind: 80, role: pki, redirect-to-https: true}\\n | 2 | unknown key 'redirect-to-https' in listeners[0] (known keys: name, bind, role, limits, nodes)
      """)
  void ocspMistakesNameFileLineAndKey(String name, String yaml, int line, String message) throws Exception {
    Path f = write(yaml.replace("\\n", "\n"));
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
    assertEquals(f + ":" + line + ": " + message, e.getMessage());
  }
}
