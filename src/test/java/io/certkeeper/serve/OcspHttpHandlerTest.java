package io.certkeeper.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How a GET carries its OCSP request (RFC 5019 5), read however clients spell it. */
class OcspHttpHandlerTest {
  /** A DER SEQUENCE whose base64 holds '/', '+' and padding in the standard alphabet. */
  static final byte[] DER = {0x30, 0x05, (byte) 0xfb, (byte) 0xff, (byte) 0xbf, 0x3e, 0x01};

  @Test
  void theStandardAlphabetIsReadWithOrWithoutPercentEncodingAndUnderAnyPrefix() {
    String standard = Base64.getEncoder().encodeToString(DER);
    assertTrue(standard.contains("/") && standard.contains("+") && standard.endsWith("="), standard);
    String encoded = URLEncoder.encode(standard, StandardCharsets.US_ASCII);
    for (String uri : new String[] {"/" + encoded, "/" + standard, "/ocsp/" + encoded, "/a/b/" + standard,
        "/" + encoded + "?x=1"}) {
      assertArrayEquals(DER, OcspHttpHandler.fromPath(uri).orElseThrow(), uri);
    }
  }

  @Test
  void theUrlSafeAlphabetIsReadWithOrWithoutPadding() {
    assertArrayEquals(DER, OcspHttpHandler.fromPath("/" + Base64.getUrlEncoder().encodeToString(DER)).orElseThrow());
    assertArrayEquals(DER,
        OcspHttpHandler.fromPath("/" + Base64.getUrlEncoder().withoutPadding().encodeToString(DER)).orElseThrow());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/favicon.ico", "/%zz", "/%", "/AAAA", "/MAA%FF", "/\u00e9t\u00e9", "/////"})
  void whatIsNotOneDerSequenceIsNothing(String uri) {
    assertEquals(Optional.empty(), OcspHttpHandler.fromPath(uri));
  }

  @Test
  void oneDerSequenceIsFramedExactly() {
    assertTrue(OcspHttpHandler.isOneDerSequence(new byte[] {0x30, 0x00}));
    assertTrue(OcspHttpHandler.isOneDerSequence(new byte[] {0x30, (byte) 0x81, 0x01, 0x05}));
    assertFalse(OcspHttpHandler.isOneDerSequence(new byte[] {0x30, 0x01}));
    assertFalse(OcspHttpHandler.isOneDerSequence(new byte[] {0x30, 0x00, 0x00}));
    assertFalse(OcspHttpHandler.isOneDerSequence(new byte[] {0x31, 0x00}));
    assertFalse(OcspHttpHandler.isOneDerSequence(new byte[] {0x30, (byte) 0x85, 0, 0, 0, 0, 0}));
  }
}
