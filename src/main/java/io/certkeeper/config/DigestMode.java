package io.certkeeper.config;

import io.certkeeper.util.Coded;

/** How one recipient gets alert mail ({@code alerts.digest.ADDRESS}). */
public enum DigestMode implements Coded {
  /** One mail per alert, at once (the default). */
  NONE("none"),
  /** One mail per hour listing everything new. */
  HOURLY("1h"),
  /** One mail per day (midnight UTC) listing everything new. */
  DAILY("daily");

  private final String code;

  DigestMode(String code) {
    this.code = code;
  }

  /** The code, as the configuration and the store write it. */
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
