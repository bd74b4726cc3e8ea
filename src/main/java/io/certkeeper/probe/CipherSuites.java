package io.certkeeper.probe;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * TLS cipher suites by IANA code and name, and the policy for which are weak.
 *
 * <p>The table is what the legacy ClientHello offers, strongest first and anonymous last (an
 * anonymous suite shows no certificate), so that a server which honours the client's order still
 * picks a suite with a certificate.
 */
final class CipherSuites {
  /** Finite-field DH groups smaller than this are weak (Logjam and its successors). */
  static final int MIN_DH_GROUP_BITS = 2048;

  private static final Map<Integer, String> LEGACY_OFFER = new LinkedHashMap<>();

  static {
    add(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    add(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    add(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
    add(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    add(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
    add(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    add(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256");
    add(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384");
    add(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256");
    add(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256");
    add(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384");
    add(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384");
    add(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA");
    add(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
    add(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA");
    add(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
    add(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256");
    add(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256");
    add(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA");
    add(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA");
    add(0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA");
    add(0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA");
    add(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256");
    add(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384");
    add(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256");
    add(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256");
    add(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA");
    add(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA");
    add(0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA");
    add(0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA");
    add(0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA");
    add(0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA");
    add(0x0096, "TLS_RSA_WITH_SEED_CBC_SHA");
    add(0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA");
    add(0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA");
    add(0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA");
    add(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA");
    add(0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA");
    add(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
    add(0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA");
    add(0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA");
    add(0x0005, "TLS_RSA_WITH_RC4_128_SHA");
    add(0x0004, "TLS_RSA_WITH_RC4_128_MD5");
    add(0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA");
    add(0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA");
    add(0x0009, "TLS_RSA_WITH_DES_CBC_SHA");
    add(0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA");
    add(0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA");
    add(0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA");
    add(0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5");
    add(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5");
    add(0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA");
    add(0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA");
    add(0x003B, "TLS_RSA_WITH_NULL_SHA256");
    add(0x0002, "TLS_RSA_WITH_NULL_SHA");
    add(0x0001, "TLS_RSA_WITH_NULL_MD5");
    add(0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256");
    add(0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA");
    add(0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA");
    add(0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA");
    add(0x0018, "TLS_DH_anon_WITH_RC4_128_MD5");
    add(0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA");
    add(0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA");
    add(0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA");
    add(0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA");
    add(0xC015, "TLS_ECDH_anon_WITH_NULL_SHA");
  }

  private CipherSuites() {}

  private static void add(int code, String name) {
    LEGACY_OFFER.put(code, name);
  }

  /** The suites the legacy ClientHello offers, in order, as IANA codes. */
  static int[] legacyOffer() {
    return LEGACY_OFFER.keySet().stream().mapToInt(Integer::intValue).toArray();
  }

  /** The IANA name of a suite code, or {@code 0xNNNN} for one not in the table. */
  static String name(int code) {
    String name = LEGACY_OFFER.get(code);
    return name != null ? name : String.format(Locale.ROOT, "0x%04X", code);
  }

  /** True for suites that use finite-field Diffie-Hellman (whose group size matters). */
  static boolean usesFiniteFieldDh(String suite) {
    String s = suite.toUpperCase(Locale.ROOT);
    return s.startsWith("TLS_DHE_") || s.startsWith("TLS_DH_") || s.startsWith("SSL_DHE_")
        || s.startsWith("SSL_DH_");
  }

  /**
   * Whether a negotiated suite is weak: no encryption (NULL), no authentication (anonymous),
   * export grade, RC4, single DES or 3DES, or finite-field DH with a group under
   * {@value #MIN_DH_GROUP_BITS} bits.
   */
  static boolean isWeak(String suite, OptionalInt dhGroupBits) {
    String s = suite.toUpperCase(Locale.ROOT);
    boolean weakName = s.contains("_NULL_") || s.endsWith("_NULL") || s.contains("_ANON_")
        || s.contains("EXPORT") || s.contains("RC4") || s.contains("_DES_")
        || s.contains("DES40") || s.contains("3DES") || s.contains("DES_EDE") || s.contains("RC2");
    boolean weakGroup = usesFiniteFieldDh(s) && dhGroupBits.isPresent()
        && dhGroupBits.getAsInt() < MIN_DH_GROUP_BITS;
    return weakName || weakGroup;
  }

  /** Whether a negotiated protocol is weak: TLS 1.1 or older, or any SSL. */
  static boolean isWeakProtocol(String protocol) {
    String p = protocol.strip();
    return p.equals("TLSv1") || p.equals("TLSv1.0") || p.equals("TLSv1.1") || p.startsWith("SSL");
  }
}
