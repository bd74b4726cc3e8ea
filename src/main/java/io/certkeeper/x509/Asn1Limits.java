package io.certkeeper.x509;

import java.io.IOException;
import java.io.StringReader;
import java.util.Locale;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * The gate every peer- or user-supplied ASN.1 encoding passes before Bouncy Castle or the JDK
 * parses it. Both parsers recurse once per nesting level, so a few kilobytes nested a few
 * thousand levels deep end in {@link StackOverflowError}; this class walks the encoding with an
 * explicit stack instead and refuses it, with a one-line reason, when it is larger than the
 * caller's bound, nests deeper than {@link #MAX_DEPTH}, or does not frame (a length running past
 * its parent, an indefinite length never closed, a stray end-of-contents).
 *
 * <p>What is checked is the TLV framing only (DER, and BER's indefinite lengths), not whether
 * the contents make sense: that is the parser's job. OCTET STRING and BIT STRING contents that
 * frame as ASN.1 themselves (an extension's value, an OCSP response's BasicOCSPResponse, a
 * PKCS#12 SafeContents) are walked too, one level deeper than the string, since parsers decode
 * them later; contents that do not frame are opaque bytes.
 *
 * <pre>{@code
 * Asn1Limits.check(der, Asn1Limits.MAX_CERTIFICATE_BYTES);        // throws IllegalArgumentException
 * X509Certificate c = Asn1Limits.guard(() -> parse(der));         // a stack overflow left over
 * }</pre>
 */
public final class Asn1Limits {
  /**
   * Deepest nesting accepted: the number of constructed elements around a point (a primitive
   * cannot nest further, so it does not count), where the contents of an OCTET or BIT STRING
   * that are ASN.1 themselves count as one more level. Measured on real encodings
   * (OpenSSL's, the JDK's and certkeeper's output, the system trust store): roots reach 12, a
   * certificate with a directory-name constraint or an otherName SAN 13, a CRL 9, an OCSP
   * response carrying its signer's certificate 20, a PKCS#12 bundle 17 with encrypted bags and 27
   * without. Bouncy Castle and the JDK overflow a default 1 MB thread stack at about 2,000 levels.
   * 64 leaves more than twice the deepest real encoding and thirty times below the overflow.
   */
  public static final int MAX_DEPTH = 64;

  /** A certificate larger than this is refused (the largest public ones are well under 100 KB). */
  public static final int MAX_CERTIFICATE_BYTES = 1024 * 1024;

  /** An OCSP response larger than this is refused (a TLS handshake message caps staples at 16 MB). */
  public static final int MAX_OCSP_BYTES = 1024 * 1024;

  /** A CRL larger than this is refused: large public CRLs are a few megabytes. */
  public static final int MAX_CRL_BYTES = 16 * 1024 * 1024;

  /** A PKCS#12 or JKS keystore larger than this is refused. */
  public static final int MAX_KEYSTORE_BYTES = 1024 * 1024;

  private static final int TAG_BIT_STRING = 0x03;
  private static final int TAG_OCTET_STRING = 0x04;
  private static final int MAX_TAG_OCTETS = 4;
  private static final int MAX_LENGTH_OCTETS = 4;

  private Asn1Limits() {}

  /** A parse that may throw a checked exception of its own. */
  @FunctionalInterface
  public interface Parse<T, E extends Exception> {
    T run() throws E;
  }

  /**
   * Checks that {@code der} is one or more complete ASN.1 elements, at most {@code maxBytes} long
   * and nested at most {@link #MAX_DEPTH} deep.
   *
   * @throws IllegalArgumentException saying what is wrong and at which offset
   */
  public static void check(byte[] der, int maxBytes) {
    if (der.length > maxBytes) {
      throw new IllegalArgumentException("larger than " + maxBytes + " bytes");
    }
    if (der.length == 0) {
      throw new IllegalArgumentException("empty");
    }
    new Walk(der).run();
  }

  /**
   * Checks every PEM block of {@code text} whose contents are plain DER (encrypted traditional
   * blocks, with {@code Proc-Type} headers, hold ciphertext and are left alone), so that a
   * {@code PEMParser} can read it afterwards.
   *
   * @throws IllegalArgumentException naming the block type and what is wrong
   */
  public static void checkPem(String text, int maxBytes) {
    if (text.length() > maxBytes) {
      throw new IllegalArgumentException("larger than " + maxBytes + " bytes");
    }
    try (PemReader reader = new PemReader(new StringReader(text))) {
      PemObject o;
      while ((o = reader.readPemObject()) != null) {
        if (!o.getHeaders().isEmpty()) {
          continue;
        }
        try {
          check(o.getContent(), maxBytes);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(o.getType() + ": " + e.getMessage(), e);
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException iae) {
        throw iae;
      }
      throw new IllegalArgumentException("malformed PEM: " + e.getMessage(), e);
    }
  }

  /**
   * Runs {@code parse}, turning a {@link StackOverflowError} inside it into an
   * {@link IllegalArgumentException}. A second net behind {@link #check}, for encodings it cannot
   * see into (BER strings in segments, decrypted contents); use it around the parse call only.
   */
  public static <T, E extends Exception> T guard(Parse<T, E> parse) throws E {
    try {
      return parse.run();
    } catch (StackOverflowError e) {
      throw new IllegalArgumentException("nested too deeply to parse", e);
    }
  }

  /** One pass over one encoding; frames live on an explicit stack, never on the call stack. */
  private static final class Walk {
    private static final int INDEFINITE = -1;

    private final byte[] b;
    /** Where each open frame's contents end, or {@link #INDEFINITE}. */
    private final int[] end = new int[MAX_DEPTH + 1];
    /** Whether the frame is the contents of an OCTET or BIT STRING walked on speculation. */
    private final boolean[] encapsulated = new boolean[MAX_DEPTH + 1];
    private int open;
    private int pos;

    Walk(byte[] b) {
      this.b = b;
    }

    void run() {
      while (true) {
        if (open > 0 && end[open - 1] == pos) {
          open--;
          continue;
        }
        if (open == 0 && pos == b.length) {
          return;
        }
        String problem = step();
        if (problem != null) {
          int frame = innermostEncapsulation();
          if (frame < 0) {
            throw new IllegalArgumentException(problem);
          }
          // The string's contents are not ASN.1 after all: treat them as bytes.
          pos = end[frame];
          open = frame;
        }
      }
    }

    /** Reads one header at {@code pos}; null when it framed, else what is wrong. */
    private String step() {
      int limit = limit();
      if (pos >= limit) {
        return at(pos, "indefinite length not closed before the end of its parent");
      }
      int start = pos;
      int first = b[pos++] & 0xff;
      boolean constructed = (first & 0x20) != 0;
      int tagNumber = first & 0x1f;
      if (tagNumber == 0x1f) {
        tagNumber = 0;
        for (int n = 0; ; n++) {
          if (pos >= limit) {
            return at(start, "truncated tag");
          }
          int octet = b[pos++] & 0xff;
          if (n == 0 && octet == 0x80) {
            return at(start, "tag number with a leading zero octet");
          }
          if (n == MAX_TAG_OCTETS) {
            return at(start, "tag number too large");
          }
          tagNumber = (tagNumber << 7) | (octet & 0x7f);
          if ((octet & 0x80) == 0) {
            break;
          }
        }
      }
      if (pos >= limit) {
        return at(start, "truncated length");
      }
      int lengthOctet = b[pos++] & 0xff;
      if (first == 0 && lengthOctet == 0) {
        if (open == 0 || end[open - 1] != INDEFINITE) {
          return at(start, "end-of-contents outside an indefinite length");
        }
        open--;
        return null;
      }
      int length;
      if (lengthOctet < 0x80) {
        length = lengthOctet;
      } else if (lengthOctet == 0x80) {
        if (!constructed) {
          return at(start, "indefinite length on a primitive element");
        }
        length = INDEFINITE;
      } else {
        int count = lengthOctet & 0x7f;
        if (count > MAX_LENGTH_OCTETS) {
          return at(start, "length of " + count + " octets");
        }
        long value = 0;
        for (int i = 0; i < count; i++) {
          if (pos >= limit) {
            return at(start, "truncated length");
          }
          value = (value << 8) | (b[pos++] & 0xff);
        }
        if (value > limit - pos) {
          return at(start, "length " + value + " runs past the end of its parent");
        }
        length = (int) value;
      }
      if (length != INDEFINITE && length > limit - pos) {
        return at(start, "length " + length + " runs past the end of its parent");
      }
      if (constructed) {
        push(length == INDEFINITE ? INDEFINITE : pos + length, false, start);
        return null;
      }
      int contents = pos;
      pos += length;
      if ((first == TAG_OCTET_STRING && length >= 2)
          || (first == TAG_BIT_STRING && length >= 3 && b[contents] == 0)) {
        int inner = first == TAG_BIT_STRING ? contents + 1 : contents;
        if (looksLikeHeader(inner, pos)) {
          int after = pos;
          pos = inner;
          push(after, true, start);
        }
      }
      return null;
    }

    /** Cheap test before walking a string's contents: the first header fits inside them. */
    private boolean looksLikeHeader(int at, int limit) {
      int first = b[at] & 0xff;
      if ((first & 0x1f) == 0x1f || first == 0) {
        return false;
      }
      int lengthOctet = b[at + 1] & 0xff;
      if (lengthOctet == 0x80) {
        return (first & 0x20) != 0;
      }
      if (lengthOctet < 0x80) {
        return at + 2 + lengthOctet <= limit;
      }
      int count = lengthOctet & 0x7f;
      return count <= MAX_LENGTH_OCTETS && at + 2 + count <= limit;
    }

    private void push(int frameEnd, boolean encapsulation, int start) {
      if (open == MAX_DEPTH) {
        throw new IllegalArgumentException(at(start, "nested deeper than " + MAX_DEPTH + " levels"));
      }
      end[open] = frameEnd;
      encapsulated[open] = encapsulation;
      open++;
    }

    /** Where the innermost frame with a definite end stops: the bound for what is read next. */
    private int limit() {
      for (int i = open - 1; i >= 0; i--) {
        if (end[i] != INDEFINITE) {
          return end[i];
        }
      }
      return b.length;
    }

    private int innermostEncapsulation() {
      for (int i = open - 1; i >= 0; i--) {
        if (encapsulated[i]) {
          return i;
        }
      }
      return -1;
    }

    private static String at(int offset, String what) {
      return String.format(Locale.ROOT, "ASN.1 %s (byte %d)", what, offset);
    }
  }
}
