package io.certkeeper.probe;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * A hand-built TLS ClientHello that old or weakly configured servers answer: TLS 1.0 record
 * version, client version TLS 1.2, the wide suite list of {@link CipherSuites#legacyOffer()}
 * (NULL, export, RC4, DES, 3DES, DHE and anonymous included), SNI, a request for an OCSP staple,
 * and signature algorithms down to MD5. The server's first flight is sent in the clear up to
 * TLS 1.2, so its chain and choices can be read without completing the handshake.
 */
final class LegacyClientHello {
  private static final SecureRandom RANDOM = new SecureRandom();

  private static final int EXT_SERVER_NAME = 0x0000;
  private static final int EXT_STATUS_REQUEST = 0x0005;
  private static final int EXT_SUPPORTED_GROUPS = 0x000A;
  private static final int EXT_EC_POINT_FORMATS = 0x000B;
  private static final int EXT_SIGNATURE_ALGORITHMS = 0x000D;
  private static final int EXT_RENEGOTIATION_INFO = 0xFF01;

  /** x25519, secp256r1, secp384r1, secp521r1, ffdhe2048, ffdhe3072. */
  private static final int[] GROUPS = {0x001D, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101};
  /** From RSA-PSS and ECDSA with SHA-256 down to RSA with MD5. */
  private static final int[] SIGNATURE_ALGORITHMS = {
      0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0603, 0x0806, 0x0601,
      0x0303, 0x0301, 0x0302, 0x0203, 0x0201, 0x0202, 0x0101};

  private LegacyClientHello() {}

  /** The complete record (header included) to write; {@code sniName} may be null. */
  static byte[] build(String sniName) {
    ByteArrayOutputStream body = new ByteArrayOutputStream(512);
    u16(body, 0x0303);
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    body.writeBytes(random);
    body.write(0);
    int[] suites = CipherSuites.legacyOffer();
    u16(body, suites.length * 2);
    for (int s : suites) {
      u16(body, s);
    }
    body.write(1);
    body.write(0);

    ByteArrayOutputStream ext = new ByteArrayOutputStream(256);
    if (sniName != null) {
      byte[] name = sniName.getBytes(StandardCharsets.US_ASCII);
      u16(ext, EXT_SERVER_NAME);
      u16(ext, name.length + 5);
      u16(ext, name.length + 3);
      ext.write(0);
      u16(ext, name.length);
      ext.writeBytes(name);
    }
    u16(ext, EXT_STATUS_REQUEST);
    u16(ext, 5);
    ext.write(1);
    u16(ext, 0);
    u16(ext, 0);
    u16(ext, EXT_SUPPORTED_GROUPS);
    u16(ext, GROUPS.length * 2 + 2);
    u16(ext, GROUPS.length * 2);
    for (int g : GROUPS) {
      u16(ext, g);
    }
    u16(ext, EXT_EC_POINT_FORMATS);
    u16(ext, 2);
    ext.write(1);
    ext.write(0);
    u16(ext, EXT_SIGNATURE_ALGORITHMS);
    u16(ext, SIGNATURE_ALGORITHMS.length * 2 + 2);
    u16(ext, SIGNATURE_ALGORITHMS.length * 2);
    for (int a : SIGNATURE_ALGORITHMS) {
      u16(ext, a);
    }
    u16(ext, EXT_RENEGOTIATION_INFO);
    u16(ext, 1);
    ext.write(0);
    u16(body, ext.size());
    body.writeBytes(ext.toByteArray());

    ByteArrayOutputStream record = new ByteArrayOutputStream(body.size() + 9);
    record.write(22);
    u16(record, 0x0301);
    u16(record, body.size() + 4);
    record.write(1);
    u24(record, body.size());
    record.writeBytes(body.toByteArray());
    return record.toByteArray();
  }

  private static void u16(ByteArrayOutputStream out, int v) {
    out.write((v >>> 8) & 0xFF);
    out.write(v & 0xFF);
  }

  private static void u24(ByteArrayOutputStream out, int v) {
    out.write((v >>> 16) & 0xFF);
    u16(out, v & 0xFFFF);
  }
}
