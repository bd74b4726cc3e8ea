package io.certkeeper.config;

import io.certkeeper.util.Coded;

/** What a renewal does with the private key ({@code certificates[].key}). */
public enum KeyOnRenewal implements Coded {
  /** A new key for each certificate (the default). */
  ROTATE("rotate"),
  /** Keep the current key while it is of the configured type (for pinned keys). */
  REUSE("reuse");

  /** What {@code key} is when not set. */
  public static final KeyOnRenewal DEFAULT = ROTATE;

  private final String code;

  KeyOnRenewal(String code) {
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
