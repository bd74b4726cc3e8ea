package io.certkeeper.config;

import io.certkeeper.util.Coded;

/**
 * What a managed certificate is for ({@code certificates[].profile}): the same codes as
 * {@code io.certkeeper.ca.Profile}, which sets the extended key usage (the configuration may not
 * use {@code ca}); {@code renew.CaPolicies} maps one onto the other.
 */
public enum LeafProfile implements Coded {
  SERVER("server"),
  CLIENT("client"),
  SERVER_CLIENT("server-client");

  /** The profile when none is configured. */
  public static final LeafProfile DEFAULT = SERVER;

  private final String code;

  LeafProfile(String code) {
    this.code = code;
  }

  @Override
  public String code() {
    return code;
  }

  /** The code, as the configuration writes it. */
  @Override
  public String toString() {
    return code;
  }
}
