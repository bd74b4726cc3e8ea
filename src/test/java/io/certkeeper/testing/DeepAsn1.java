package io.certkeeper.testing;

import java.io.ByteArrayOutputStream;
import java.util.Base64;

/**
 * Hostile ASN.1 for tests: a NULL wrapped in SEQUENCEs thousands of levels deep, the shape that
 * makes a recursive parser overflow its stack while staying a few hundred kilobytes. Built in
 * one pass (lengths are computed from the inside out), so even 100,000 levels are instant.
 */
public final class DeepAsn1 {
  private static final byte SEQUENCE = 0x30;
  private static final byte[] NULL = {0x05, 0x00};

  private DeepAsn1() {}

  /** {@code depth} SEQUENCEs with definite lengths around a NULL. */
  public static byte[] definite(int depth) {
    byte[][] headers = new byte[depth][];
    long inner = NULL.length;
    for (int i = depth - 1; i >= 0; i--) {
      headers[i] = header(SEQUENCE, inner);
      inner += headers[i].length;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) inner);
    for (byte[] h : headers) {
      out.writeBytes(h);
    }
    out.writeBytes(NULL);
    return out.toByteArray();
  }

  /** {@code depth} SEQUENCEs with BER indefinite lengths around a NULL. */
  public static byte[] indefinite(int depth) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(depth * 4 + 2);
    for (int i = 0; i < depth; i++) {
      out.write(SEQUENCE);
      out.write(0x80);
    }
    out.writeBytes(NULL);
    for (int i = 0; i < depth; i++) {
      out.write(0);
      out.write(0);
    }
    return out.toByteArray();
  }

  /**
   * A successful OCSPResponse whose BasicOCSPResponse (the OCTET STRING that parsers decode in a
   * second step) is {@code nested}. OpenSSL loads it as a staple: it never looks inside.
   */
  public static byte[] ocspResponse(byte[] nested) {
    byte[] status = {0x0a, 0x01, 0x00};
    byte[] basicOid = {0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01};
    byte[] responseBytes = tlv(SEQUENCE, concat(basicOid, tlv((byte) 0x04, nested)));
    return tlv(SEQUENCE, concat(status, tlv((byte) 0xa0, responseBytes)));
  }

  /** {@code der} as a PEM block of {@code type}. */
  public static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  public static byte[] tlv(byte tag, byte[] contents) {
    return concat(header(tag, contents.length), contents);
  }

  private static byte[] header(byte tag, long length) {
    ByteArrayOutputStream h = new ByteArrayOutputStream(6);
    h.write(tag);
    if (length < 0x80) {
      h.write((int) length);
    } else {
      int octets = (64 - Long.numberOfLeadingZeros(length) + 7) / 8;
      h.write(0x80 | octets);
      for (int i = octets - 1; i >= 0; i--) {
        h.write((int) (length >>> (8 * i)));
      }
    }
    return h.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
