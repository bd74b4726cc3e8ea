package io.certkeeper.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.certkeeper.x509.KeyType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every setting with a fixed set of values is read once into its type: an unknown value is one line
 * naming the file, the line, the key and every value allowed; a known one, written in any case,
 * reads as its constant.
 */
class SettingChoicesTest {
  @TempDir Path dir;

  private Path write(String yaml) throws Exception {
    Path f = dir.resolve("certkeeper.yaml");
    Files.writeString(f, yaml.replace("\\n", "\n"));
    return f;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      listener role     | listeners:\\n  - name: a\\n    bind: 8443\\n    role: proxi\\n | 4 | listeners[0].role: 'proxi' is not one of echo, proxy, admin, acme-http, ocsp, pki (did you mean 'proxy'?)
      client-auth       | listeners:\\n  - name: a\\n    bind: 8443\\n    role: echo\\n    tls:\\n      client-auth: requried\\n | 6 | listeners[0].tls.client-auth: 'requried' is not one of none, optional, require (did you mean 'require'?)
      tls protocol      | listeners:\\n  - name: a\\n    bind: 8443\\n    role: echo\\n    tls:\\n      protocols: [tlsv1.3, sslv3]\\n | 6 | listeners[0].tls.protocols[1]: 'sslv3' is not one of tlsv1.3, tlsv1.2
      keystore type     | listeners:\\n  - name: a\\n    bind: 8443\\n    role: echo\\n    certificate: {keystore: k.p12, password: 'env:P', type: pfx}\\n | 5 | listeners[0].certificate.type: 'pfx' is not one of pkcs12, jks
      smtp security     | smtp:\\n  security: tls\\n | 2 | smtp.security: 'tls' is not one of none, starttls, smtps
      ca key type       | ca:\\n  key-type: ec-p521\\n | 2 | ca.key-type: 'ec-p521' is not one of ec-p256, ec-p384, rsa-2048, rsa-3072, rsa-4096, ed25519 (did you mean 'ec-p256'?)
      policy key type   | ca:\\n  policy:\\n    key-types: [ec-p256, rsa-1024]\\n | 3 | ca.policy.key-types[1]: 'rsa-1024' is not one of ec-p256, ec-p384, rsa-2048, rsa-3072, rsa-4096, ed25519
      certificate key   | certificates:\\n  - name: web\\n    common-name: web.test\\n    key-type: rsa-1024\\n | 4 | certificates[0].key-type: 'rsa-1024' is not one of ec-p256, ec-p384, rsa-2048, rsa-3072, rsa-4096, ed25519
      profile           | certificates:\\n  - name: web\\n    common-name: web.test\\n    profile: serveur\\n | 4 | certificates[0].profile: 'serveur' is not one of server, client, server-client (did you mean 'server'?)
      key on renewal    | certificates:\\n  - name: web\\n    common-name: web.test\\n    key: keep\\n | 4 | certificates[0].key: 'keep' is not one of rotate, reuse
      output type       | certificates:\\n  - name: web\\n    common-name: web.test\\n    outputs:\\n      - {type: crt, path: /x}\\n | 5 | certificates[0].outputs[0].type: 'crt' is not one of key, cert, chain, fullchain, pkcs12 (did you mean 'cert'?)
      digest mode       | alerts:\\n  digest:\\n    ops@example.com: weekly\\n | 3 | alerts.digest.ops@example.com: 'weekly' is not one of none, 1h, daily
      """)
  void anUnknownValueNamesFileLineKeyAndTheAllowedValues(String name, String yaml, int line, String message)
      throws Exception {
    Path f = write(yaml);
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
    assertEquals(f + ":" + line + ": " + message, e.getMessage());
  }

  @Test
  void knownValuesInAnyCaseReadAsTheirConstants() throws Exception {
    Config c = ConfigLoader.load(write("""
        ca:
          key-type: RSA-3072
          policy:
            key-types: [rsa-3072, Ed25519]
        certificates:
          - name: web
            common-name: web.test
            profile: Server-Client
            key: REUSE
            outputs:
              - {type: FullChain, path: /tmp/web.pem}
        listeners:
          - name: admin
            bind: 8443
            role: Admin
            certificate: {keystore: k.jks, password: 'env:P', type: JKS}
            tls:
              protocols: [TLSv1.2]
              client-auth: Optional
              client-ca-files: [clients.pem]
        smtp:
          security: SMTPS
        alerts:
          digest:
            ops@example.com: Daily
        """));
    assertEquals(KeyType.RSA_3072, c.ca().keyType());
    assertEquals(List.of(KeyType.RSA_3072, KeyType.ED25519), c.ca().policy().keyTypes());
    CertificateConfig web = c.certificate("web").orElseThrow();
    assertEquals(LeafProfile.SERVER_CLIENT, web.profile());
    assertEquals(KeyOnRenewal.REUSE, web.key());
    assertEquals(OutputType.FULLCHAIN, web.outputs().get(0).type());
    ListenerConfig admin = c.listeners().get(0);
    assertEquals(ListenerRole.ADMIN, admin.role());
    assertEquals(KeystoreType.JKS, admin.certificate().keystoreType());
    assertEquals(List.of(TlsProtocol.TLS_1_2), admin.tls().protocols());
    assertEquals(ClientAuthMode.OPTIONAL, admin.tls().clientAuth());
    assertEquals(SmtpSecurity.SMTPS, c.smtp().security());
    assertEquals(465, c.smtp().port());
    assertEquals(DigestMode.DAILY, c.alerts().digestOf("ops@example.com"));
    assertEquals(DigestMode.NONE, c.alerts().digestOf("dev@example.com"));
  }

  @Test
  void theDefaultsAreTheDocumentedOnes() throws Exception {
    Config c = ConfigLoader.load(write("""
        certificates:
          - name: web
            common-name: web.test
        listeners:
          - name: echo
            bind: 8443
            role: echo
            certificate: {keystore: k.p12, password: 'env:P'}
        """));
    assertEquals(KeyType.EC_P256, c.ca().keyType());
    assertEquals(List.of(KeyType.values()), c.ca().policy().keyTypes());
    CertificateConfig web = c.certificate("web").orElseThrow();
    assertEquals(LeafProfile.SERVER, web.profile());
    assertEquals(KeyOnRenewal.ROTATE, web.key());
    ListenerConfig echo = c.listeners().get(0);
    assertEquals(KeystoreType.PKCS12, echo.certificate().keystoreType());
    assertEquals(List.of(TlsProtocol.TLS_1_3, TlsProtocol.TLS_1_2), echo.tls().protocols());
    assertEquals(ClientAuthMode.NONE, echo.tls().clientAuth());
    assertEquals(SmtpSecurity.STARTTLS, c.smtp().security());
    assertEquals(587, c.smtp().port());
  }
}
