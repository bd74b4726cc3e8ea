package io.certkeeper.renew;

import io.certkeeper.ca.CaPolicy;
import io.certkeeper.ca.NamePattern;
import io.certkeeper.ca.Profile;
import io.certkeeper.config.CaConfig;
import io.certkeeper.config.ConfigException;
import io.certkeeper.config.LeafProfile;
import io.certkeeper.x509.KeyType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The CA's own policy from {@code ca.policy:}, as the renewer signs under it; and the profiles of
 * the configuration as the CA knows them (the configuration cannot use {@code ca}'s own enum; the
 * switch fails to compile when one side gains a constant the other lacks).
 */
public final class CaPolicies {
  private CaPolicies() {}

  /** The policy of {@code ca}, each allowed-names pattern checked with its file and line. */
  public static CaPolicy of(CaConfig ca) throws ConfigException {
    CaConfig.Policy p = ca.policy();
    Set<KeyType> types = EnumSet.noneOf(KeyType.class);
    types.addAll(p.keyTypes());
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

  /** The profile the CA signs for {@code p}. */
  public static Profile profile(LeafProfile p) {
    return switch (p) {
      case SERVER -> Profile.SERVER;
      case CLIENT -> Profile.CLIENT;
      case SERVER_CLIENT -> Profile.SERVER_CLIENT;
    };
  }
}
