package io.certkeeper.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CipherSuitesTest {
  @ParameterizedTest(name = "{0} with DH {1} bits weak={2}")
  @CsvSource({
      "TLS_AES_128_GCM_SHA256,                    0,    false",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,     0,    false",
      "TLS_RSA_WITH_AES_128_CBC_SHA,              0,    false",
      "TLS_RSA_WITH_NULL_SHA256,                  0,    true",
      "TLS_ECDH_anon_WITH_AES_128_CBC_SHA,        0,    true",
      "TLS_DH_anon_WITH_AES_128_GCM_SHA256,       0,    true",
      "TLS_RSA_EXPORT_WITH_RC4_40_MD5,            0,    true",
      "TLS_RSA_WITH_RC4_128_SHA,                  0,    true",
      "SSL_RSA_WITH_RC4_128_MD5,                  0,    true",
      "TLS_RSA_WITH_DES_CBC_SHA,                  0,    true",
      "TLS_RSA_WITH_3DES_EDE_CBC_SHA,             0,    true",
      "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,       1024, true",
      "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,       2048, false",
      "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,       0,    false",
  })
  void classifiesWeakSuites(String suite, int dhBits, boolean weak) {
    assertEquals(weak, CipherSuites.isWeak(suite,
        dhBits == 0 ? OptionalInt.empty() : OptionalInt.of(dhBits)));
  }

  @ParameterizedTest
  @CsvSource({"TLSv1.3, false", "TLSv1.2, false", "TLSv1.1, true", "TLSv1, true", "SSLv3, true"})
  void classifiesWeakProtocols(String protocol, boolean weak) {
    assertEquals(weak, CipherSuites.isWeakProtocol(protocol));
  }

  @ParameterizedTest
  @CsvSource({"0x003B, TLS_RSA_WITH_NULL_SHA256", "0x1301, 0x1301", "0xC02F, "
      + "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"})
  void namesSuitesByIanaCode(String code, String name) {
    assertEquals(name, CipherSuites.name(Integer.decode(code)));
  }
}
