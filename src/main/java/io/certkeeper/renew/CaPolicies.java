package io.certkeeper.renew;

import io.certkeeper.ca.CaPolicy;
import io.certkeeper.ca.NamePattern;
import io.certkeeper.ca.Profile;
import io.certkeeper.config.CaConfig;
import io.certkeeper.config.ConfigException;
import io.certkeeper.config.LeafKeyType;
import io.certkeeper.config.LeafProfile;
import io.certkeeper.x509.KeyType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The CA's own policy from {@code ca.policy:}, as the renewer signs under it; and the key types and
 * profiles of the configuration as the CA knows them (the configuration has enums of its own,
 * because it depends on nothing but {@code util}; these switches fail to compile when one side
 * gains a constant the other lacks).
 */
public final class CaPolicies {
  private CaPolicies() {}

  /** The policy of {@code ca}, each allowed-names pattern checked with its file and line. */
  public static CaPolicy of(CaConfig ca) throws ConfigException {
    CaConfig.Policy p = ca.policy();
    Set<KeyType> types = EnumSet.noneOf(KeyType.class);
    for (LeafKeyType t : p.keyTypes()) {
      types.add(keyType(t));
    }
    List<NamePattern> names = new ArrayList<>();
    for (int i = 0; i < p.allowedNames().size(); i++) {
      try {
        names.add(NamePattern.parse(p.allowedNames().get(i)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(p.allowedNameLocations().get(i) + ": " + e.getMessage(), e);
      }
    }
    return new CaPolicy(p.maxValidity(), types, names);
  }

  /** The key type the CA generates for {@code t}. */
  public static KeyType keyType(LeafKeyType t) {
    return switch (t) {
      case EC_P256 -> KeyType.EC_P256;
      case EC_P384 -> KeyType.EC_P384;
      case RSA_2048 -> KeyType.RSA_2048;
      case RSA_3072 -> KeyType.RSA_3072;
      case RSA_4096 -> KeyType.RSA_4096;
      case ED25519 -> KeyType.ED25519;
    };
  }

  /** The profile the CA signs for {@code p}. */
  public static Profile profile(LeafProfile p) {
    return switch (p) {
      case SERVER -> Profile.SERVER;
      case CLIENT -> Profile.CLIENT;
      case SERVER_CLIENT -> Profile.SERVER_CLIENT;
    };
  }
}
