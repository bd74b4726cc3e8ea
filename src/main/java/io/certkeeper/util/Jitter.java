package io.certkeeper.util;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;

/**
 * Deterministic spreading of work: each endpoint gets a fixed phase derived from its id, so a
 * thousand endpoints on a 5-minute schedule fire evenly across the five minutes, and at the same
 * phase after every restart.
 */
public final class Jitter {
  private Jitter() {}

  /** A stable fraction in [0, 1) for {@code key}. */
  public static double fraction(String key) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      long v = 0;
      for (int i = 0; i < 7; i++) {
        v = (v << 8) | (h[i] & 0xff);
      }
      return (double) v / (double) (1L << 56);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** {@code key}'s offset within {@code period}: a whole number of milliseconds in [0, period). */
  public static Duration offset(String key, Duration period) {
    return Duration.ofMillis((long) (fraction(key) * period.toMillis()));
  }

  /**
   * The first instant at or after {@code now} that lies on {@code key}'s grid: epoch + offset + k ×
   * period.
   */
  public static Instant nextSlot(String key, Duration period, Instant now) {
    long p = period.toMillis();
    long off = offset(key, period).toMillis();
    long t = now.toEpochMilli();
    long k = Math.floorDiv(t - off + p - 1, p);
    return Instant.ofEpochMilli(k * p + off);
  }
}
