package io.certkeeper.config;

import io.certkeeper.util.Coded;

/**
 * The key type of a certificate the local CA issues, as {@code ca.key-type},
 * {@code ca.policy.key-types} and {@code certificates[].key-type} name it. The same codes, in the
 * same order, as {@code io.certkeeper.x509.KeyType}, which generates the keys (the configuration
 * depends on nothing but {@code util}); {@code renew.CaPolicies} maps one onto the other.
 */
public enum LeafKeyType implements Coded {
  EC_P256("ec-p256"),
  EC_P384("ec-p384"),
  RSA_2048("rsa-2048"),
  RSA_3072("rsa-3072"),
  RSA_4096("rsa-4096"),
  ED25519("ed25519");

  /** The key type when nothing is configured. */
  public static final LeafKeyType DEFAULT = EC_P256;

  private final String code;

  LeafKeyType(String code) {
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
