package io.certkeeper.ca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x509.Time;
import org.junit.jupiter.api.Test;

class CertificateTimesTest {
  @Test
  void encodesAsBouncyCastleDoesOnBothSidesOfEachBoundary() throws Exception {
    for (String s : List.of("1949-12-31T23:59:59Z", "1950-01-01T00:00:00Z", "1999-12-31T23:59:59Z",
        "2026-12-01T10:30:07Z", "2049-12-31T23:59:59Z", "2050-01-01T00:00:00Z", "9999-12-31T23:59:59Z")) {
      Instant at = Instant.parse(s);
      assertArrayEquals(new Time(Date.from(at)).getEncoded(), CertificateTimes.of(at).getEncoded(), s);
      assertEquals(at, CertificateTimes.of(at).getDate().toInstant(), s);
    }
  }

  @Test
  void picksUtcTimeOnlyFrom1950To2049() throws Exception {
    assertEquals(0x18, CertificateTimes.of(Instant.parse("1949-12-31T23:59:59Z")).getEncoded()[0]);
    assertEquals(0x17, CertificateTimes.of(Instant.parse("1950-01-01T00:00:00Z")).getEncoded()[0]);
    assertEquals(0x17, CertificateTimes.of(Instant.parse("2049-12-31T23:59:59Z")).getEncoded()[0]);
    assertEquals(0x18, CertificateTimes.of(Instant.parse("2050-01-01T00:00:00Z")).getEncoded()[0]);
  }

  @Test
  void dropsFractionsOfASecond() {
    Instant at = Instant.parse("2026-12-01T10:30:07.999Z");
    assertEquals(Instant.parse("2026-12-01T10:30:07Z"), CertificateTimes.of(at).getDate().toInstant());
  }

  @Test
  void refusesYearsGeneralizedTimeCannotHold() {
    assertThrows(IllegalArgumentException.class, () -> CertificateTimes.of(Instant.parse("+10000-01-01T00:00:00Z")));
  }
}
