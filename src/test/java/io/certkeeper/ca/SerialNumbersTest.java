package io.certkeeper.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SerialNumbersTest {
  @Test
  void serialsArePositiveRandomAndFitInTwentyOctets() {
    Set<BigInteger> seen = new HashSet<>();
    int wide = 0;
    for (int i = 0; i < 2000; i++) {
      BigInteger s = SerialNumbers.next();
      assertTrue(s.signum() > 0);
      assertTrue(s.toByteArray().length <= 20);
      if (s.bitLength() > 120) {
        wide++;
      }
      assertTrue(seen.add(s), "repeated serial");
    }
    assertTrue(wide > 1900, "serials should carry about 128 random bits, got " + wide + " wide ones");
  }

  @Test
  void userFormsOfASerialNormalizeToTheStoredForm() {
    assertEquals("abc1", SerialNumbers.normalize("0x00:AB:C1"));
    assertEquals("abc1", SerialNumbers.normalize("ABC1"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "xyz", "0", "00:00", "-1"})
  void nonSerialsAreRefused(String text) {
    assertThrows(IllegalArgumentException.class, () -> SerialNumbers.normalize(text));
  }
}
