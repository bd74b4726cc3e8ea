package io.certkeeper.alert;

import java.util.Locale;

/** What an alert is about. */
public enum AlertKind {
  /** A certificate crossed an expiry threshold, or expired (detail {@code 7d}, {@code expired}). */
  EXPIRY,
  /** A probe found problems the endpoint did not have (detail: the new codes). */
  PROBLEM,
  /** An endpoint failed several probes in a row. */
  FAILING,
  /** An endpoint that was alerted about is healthy again. */
  RESOLVED,
  /** The certificate an endpoint serves changed, and certkeeper did not issue the new one. */
  CHANGED,
  /** Renewing a managed certificate failed. */
  RENEWAL_FAILED,
  /** A deploy hook failed after a renewal. */
  HOOK_FAILED,
  /** A listener still serves the old certificate after a renewal. */
  STALE_LISTENER,
  /**
   * A managed certificate was not renewed by its overdue time, or an endpoint still serves a
   * generation that should have been replaced by then (once per certificate generation).
   */
  RENEWAL_OVERDUE,
  /**
   * A watched file holds another certificate than an endpoint it is linked to (or that uses its key)
   * serves: a deploy that was not reloaded, or a file left behind.
   */
  STALE_DEPLOY,
  /** {@code certkeeper mail test}; never stored. */
  TEST;

  /** The lowercase name used in the store and JSON. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  static AlertKind ofCode(String code) {
    return valueOf(code.toUpperCase(Locale.ROOT));
  }
}
