package io.certkeeper.renew;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.certkeeper.util.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RenewalPolicyTest {
  static final Instant NB = Instant.parse("2030-01-01T00:00:00Z");

  static RenewalPolicy policy(String text) {
    if (text.equals("default")) {
      return RenewalPolicy.defaults();
    }
    if (text.endsWith("%")) {
      return RenewalPolicy.at(Double.parseDouble(text.substring(0, text.length() - 1)) / 100);
    }
    return RenewalPolicy.before(Durations.parse(text));
  }

  @ParameterizedTest(name = "{0} of {1}: window starts {2} after notBefore")
  @CsvSource({
    "default, 90d, 60d",
    "50%,     90d, 45d",
    "75%,     1h,  45m",
    "30d,     90d, 60d",
    "1d,      90d, 89d",
    // renew-before longer than the lifetime: at once, never before notBefore
    "100d,    90d, 0s",
  })
  void windowStartsAtTheConfiguredShareOfTheLifetime(String p, String lifetime, String expected) {
    Instant na = NB.plus(Durations.parse(lifetime));
    assertEquals(NB.plus(Durations.parse(expected)), policy(p).windowStart(NB, na));
  }

  @ParameterizedTest(name = "lifetime {0}: jitter at most {1}")
  @CsvSource({
    "90d, 6h",
    "10d, 2h24m",
    "1d,  14m24s",
    "1h,  36s",
  })
  void jitterIsAtMostOnePercentOfTheLifetimeAndSixHours(String lifetime, String max) {
    Instant na = NB.plus(Durations.parse(lifetime));
    for (String name : new String[] {"web", "api", "mail", "a", "zzz", "db-01"}) {
      Duration j = RenewalPolicy.jitter(name, NB, na);
      assertFalse(j.isNegative(), name);
      assertTrue(j.compareTo(Durations.parse(max)) <= 0, name + ": " + j);
    }
  }

  @Test
  void jitterIsFixedForANameAndDiffersBetweenNames() {
    Instant na = NB.plus(Duration.ofDays(90));
    assertEquals(RenewalPolicy.jitter("web", NB, na), RenewalPolicy.jitter("web", NB, na));
    assertTrue(!RenewalPolicy.jitter("web", NB, na).equals(RenewalPolicy.jitter("api", NB, na)));
  }

  @Test
  void jitterNeverPushesTheRenewalPastTheSafetyMargin() {
    // renew-before 30m on a 90d certificate: the window starts after notAfter - 1h, jitter is dropped
    Instant na = NB.plus(Duration.ofDays(90));
    assertEquals(na.minus(Duration.ofMinutes(30)), RenewalPolicy.before(Duration.ofMinutes(30)).renewalTime("web", NB, na));
    // renew-before 2h: jitter (up to 6h) is capped at notAfter - 1h
    Instant t = RenewalPolicy.before(Duration.ofHours(2)).renewalTime("web", NB, na);
    assertTrue(!t.isBefore(na.minus(Duration.ofHours(2))) && !t.isAfter(na.minus(Duration.ofHours(1))), t.toString());
  }

  @ParameterizedTest(name = "failure {0} with {1} left: wait {2}")
  @CsvSource({
    "1,  60d, 5m",
    "2,  60d, 10m",
    "3,  60d, 20m",
    "7,  60d, 5h20m",
    "8,  60d, 6h",
    "30, 60d, 6h",
    // close to expiry: a tenth of what is left ...
    "8,  10h, 1h",
    "2,  50m, 5m",
    // ... but at least a minute, also after expiry
    "5,  5m,  1m",
    "5,  0s,  1m",
  })
  void backoffDoublesIsCappedAndShrinksNearExpiry(int failures, String left, String expected) {
    assertEquals(Durations.parse(expected), RenewalBackoff.delay(failures, Durations.parse(left)));
  }

  @org.junit.jupiter.api.Test
  void aServersRetryAfterDelaysTheNextAttemptButNeverHastensIt() {
    java.time.Instant now = java.time.Instant.parse("2030-01-01T00:00:00Z");
    java.time.Duration left = Durations.parse("60d");
    // first failure: 5 minutes of our own
    assertEquals(now.plus(Durations.parse("5m")), RenewalBackoff.next(now, 1, left, java.util.Optional.empty()));
    java.time.Instant limited = now.plus(Durations.parse("3h")).plusMillis(400);
    assertEquals(now.plus(Durations.parse("3h")).plusSeconds(0), RenewalBackoff.next(now, 1, left,
        java.util.Optional.of(limited)), "the server's time, in whole seconds");
    assertEquals(now.plus(Durations.parse("5m")), RenewalBackoff.next(now, 1, left,
        java.util.Optional.of(now.plusSeconds(10))), "an earlier time than ours does not hasten the attempt");
    assertEquals(now.plus(Durations.parse("7d")), RenewalBackoff.next(now, 1, left,
        java.util.Optional.of(now.plus(Durations.parse("400d")))), "a week at most");
  }

  @ParameterizedTest(name = "last renewal {0} ago, lifetime {1}, force {2}: refused {3}")
  @CsvSource({
    "2h,  90d, false, false",
    "30m, 90d, false, true",
    "30m, 90d, true,  false",
    "59m, 90d, false, true",
    // short lifetimes: a tenth of the lifetime
    "7m,  1h,  false, false",
    "5m,  1h,  false, true",
  })
  void stormGuardRefusesASecondRenewalWithinTheMinimumInterval(String ago, String lifetime, boolean force,
      boolean refused) {
    Instant now = NB.plus(Duration.ofDays(30));
    Instant currentNotAfter = now.plus(Duration.ofDays(10));
    Optional<String> r = StormGuard.refusal(currentNotAfter, currentNotAfter.plusSeconds(1),
        now.minus(Durations.parse(ago)), Durations.parse(lifetime), now, force);
    assertEquals(refused, r.isPresent(), r.toString());
  }

  @Test
  void stormGuardRefusesANewCertificateThatDoesNotOutliveTheCurrentOneEvenWhenForced() {
    Instant now = NB;
    Instant current = NB.plus(Duration.ofDays(90));
    assertTrue(StormGuard.refusal(current, current, NB.minus(Duration.ofDays(30)), Duration.ofDays(90), now, true)
        .orElseThrow().contains("not after the current one"));
    assertTrue(StormGuard.refusal(current, current.minusSeconds(1), NB.minus(Duration.ofDays(30)), Duration.ofDays(90),
        now, true).isPresent());
  }

  @ParameterizedTest(name = "{0} of {1}: overdue a day after the renewal time: {2}")
  @CsvSource({
    "default, 90d, true",
    "default, 30d, true",
    "30d,     90d, true",
    // short lifetimes, or a renewal close to notAfter: halfway from the renewal time to notAfter
    "default, 1d,  false",
    "default, 2h,  false",
    "2h,      90d, false",
    "75%,     4h,  false",
  })
  void aRenewalIsOverdueADayAfterItsTimeOrHalfwayToNotAfter(String p, String lifetime, boolean aDay) {
    Instant na = NB.plus(Durations.parse(lifetime));
    RenewalPolicy policy = policy(p);
    Instant renew = policy.renewalTime("web", NB, na);
    Instant overdue = policy.overdueAt("web", NB, na);
    Duration grace = Duration.between(renew, overdue);
    if (aDay) {
      assertEquals(Duration.ofDays(1), grace, renew + " .. " + overdue);
    } else {
      Duration half = Duration.between(renew, na).dividedBy(2);
      assertTrue(grace.compareTo(Duration.ofDays(1)) < 0 && half.minus(grace).abs().compareTo(Duration.ofSeconds(1)) <= 0,
          renew + " .. " + overdue + " .. " + na);
    }
    assertTrue(overdue.isBefore(na), overdue.toString());
  }

  @Test
  void renewalTimesAreWholeSeconds() {
    // a lifetime of 100 s: two thirds is 66.666 s
    Instant na = NB.plusSeconds(100);
    for (String name : new String[] {"web", "api", "mail"}) {
      assertEquals(0, RenewalPolicy.defaults().renewalTime(name, NB, na).getNano(), name);
      assertEquals(0, RenewalPolicy.defaults().overdueAt(name, NB, na).getNano(), name);
    }
    assertEquals(NB.plusSeconds(66), RenewalPolicy.defaults().windowStart(NB, na));
  }

  @ParameterizedTest(name = "{0} reads ''{1}''")
  @CsvSource({
    "default, renew-at two thirds of the lifetime (default)",
    "66%,     renew-at 66% of the lifetime",
    "60%,     renew-at 60% of the lifetime",
    "30d,     renew-before 30d",
  })
  void thePolicyReadsAsTheConfigurationAndTheDocumentationSayIt(String p, String text) {
    assertEquals(text, policy(p).describe());
  }

  @Test
  void theDefaultIsTwoThirdsFromOneConstant() {
    assertEquals(2.0 / 3.0, RenewalPolicy.DEFAULT_RENEW_AT);
    assertEquals(io.certkeeper.config.CertificateConfig.DEFAULT_RENEW_AT, RenewalPolicy.DEFAULT_RENEW_AT);
    assertEquals("66.67%", RenewalPolicy.percent(2.0 / 3.0));
  }

  @Test
  void aStormGuardRefusalReadsInWholeUnitsWithoutMilliseconds() {
    Instant now = NB.plus(Duration.ofDays(30)).plusMillis(987);
    Instant last = now.minus(Duration.ofMinutes(12)).minusSeconds(5).minusMillis(321);
    String r = StormGuard.refusal(now.plus(Duration.ofDays(10)), now.plus(Duration.ofDays(40)), last,
        Duration.ofDays(90), now, false).orElseThrow();
    assertEquals("renewed 12m 5s ago; at most one renewal per 1h", r);
    String notLater = StormGuard.refusal(NB.plus(Duration.ofDays(90)), NB.plus(Duration.ofDays(90)).plusMillis(0),
        NB.minus(Duration.ofDays(30)), Duration.ofDays(90), NB.plusMillis(5), true).orElseThrow();
    assertEquals("the new certificate would expire at 2030-04-01T00:00:00Z, not after the current one"
        + " (2030-04-01T00:00:00Z)", notLater);
  }
}
