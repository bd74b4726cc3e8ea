package io.certkeeper.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SerialNumbersTest {
  private static final Instant NOW = Instant.parse("2026-12-02T08:30:00.123Z");

  @Test
  void serialsArePositiveUniqueCarryNinetySixRandomBitsAndFitInTwentyOctets() {
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    Set<BigInteger> seen = new HashSet<>();
    int wide = 0;
    for (int i = 0; i < 2000; i++) {
      BigInteger s = SerialNumbers.next(clock);
      assertTrue(s.signum() > 0);
      assertTrue(s.toByteArray().length <= 18, "DER octets: " + s.toByteArray().length);
      assertEquals(NOW.toEpochMilli(), s.shiftRight(96).longValueExact(), "the issuing millisecond in front");
      if (s.subtract(s.shiftRight(96).shiftLeft(96)).bitLength() > 88) {
        wide++;
      }
      assertTrue(seen.add(s), "repeated serial");
    }
    assertTrue(wide > 1900, "serials should carry about 96 random bits, got " + wide + " wide ones");
  }

  @Test
  void inTheStoresFormSerialsOfALaterMillisecondSortAfterEveryEarlierOne() {
    // the store keys issued certificates by this text: later serials must land at the end of its index
    for (Instant t : List.of(NOW, Instant.parse("2099-01-01T00:00:00Z"), Instant.parse("2527-06-01T00:00:00Z"))) {
      List<String> earlier = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        earlier.add(SerialNumbers.hex(SerialNumbers.next(Clock.fixed(t, ZoneOffset.UTC))));
      }
      for (int i = 0; i < 200; i++) {
        String later = SerialNumbers.hex(SerialNumbers.next(Clock.fixed(t.plusMillis(1), ZoneOffset.UTC)));
        for (String e : earlier) {
          assertTrue(e.compareTo(later) < 0, e + " should sort before " + later);
        }
      }
    }
  }

  @Test
  void anyClockGivesSerialsOfAtMostTwentyOctets() {
    BigInteger s = SerialNumbers.next(Clock.fixed(Instant.ofEpochMilli(Long.MAX_VALUE), ZoneOffset.UTC));
    assertTrue(s.toByteArray().length <= 20, "DER octets: " + s.toByteArray().length);
    assertEquals(Long.MAX_VALUE, s.shiftRight(96).longValueExact());
  }

  @Test
  void aClockBefore1970StillGivesPositiveRandomSerials() {
    // a negative moment in front would never give a positive serial: fail rather than loop forever
    BigInteger s = assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> SerialNumbers.next(Clock.fixed(Instant.parse("1960-01-01T00:00:00Z"), ZoneOffset.UTC)));
    assertTrue(s.signum() > 0);
    assertTrue(s.bitLength() <= 96);
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
