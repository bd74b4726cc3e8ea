package io.certkeeper.ca;

import io.certkeeper.util.Durations;
import io.certkeeper.x509.KeyType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the CA agrees to sign: how long a leaf may live, which key types it may have, and which
 * names it may carry. A pure function of the request; {@link #check} gives the first reason to
 * refuse.
 *
 * @param maxValidity the longest leaf lifetime (default {@link #DEFAULT_MAX_VALIDITY})
 * @param keyTypes the key types a leaf may have (default: all)
 * @param allowedNames the SANs a leaf may carry; empty allows any well-formed name
 */
public record CaPolicy(Duration maxValidity, Set<KeyType> keyTypes, List<NamePattern> allowedNames) {
  /** 398 days: the CA/Browser Forum's limit for TLS server certificates since 2020. */
  public static final Duration DEFAULT_MAX_VALIDITY = Duration.ofDays(398);

  public CaPolicy {
    Objects.requireNonNull(maxValidity, "maxValidity");
    if (maxValidity.isNegative() || maxValidity.isZero()) {
      throw new IllegalArgumentException("maximum validity must be positive, got " + Durations.format(maxValidity));
    }
    if (keyTypes.isEmpty()) {
      throw new IllegalArgumentException("a policy must allow at least one key type");
    }
    keyTypes = Set.copyOf(keyTypes);
    allowedNames = List.copyOf(allowedNames);
  }

  /** The default policy: up to 398 days, any key type, any name. */
  public static CaPolicy defaults() {
    return new CaPolicy(DEFAULT_MAX_VALIDITY, EnumSet.allOf(KeyType.class), List.of());
  }

  /**
   * Refuses a leaf of {@code keyType} valid for {@code validity} carrying {@code sans}, naming the
   * first rule it breaks.
   */
  public void check(KeyType keyType, Duration validity, List<San> sans) throws PolicyException {
    if (validity.isNegative() || validity.isZero()) {
      throw new PolicyException("validity must be positive, got " + Durations.format(validity));
    }
    if (validity.compareTo(maxValidity) > 0) {
      throw new PolicyException("validity " + Durations.format(validity) + " exceeds the policy's maximum of "
          + Durations.format(maxValidity) + " (ca.policy.max-validity)");
    }
    if (!keyTypes.contains(keyType)) {
      throw new PolicyException("key type " + keyType.code() + " is not allowed by policy (allowed: "
          + keyTypes.stream().sorted().map(KeyType::code).collect(Collectors.joining(", ")) + ")");
    }
    if (sans.isEmpty()) {
      throw new PolicyException("a certificate needs at least one name");
    }
    if (allowedNames.isEmpty()) {
      return;
    }
    for (San san : sans) {
      if (allowedNames.stream().noneMatch(p -> p.matches(san))) {
        throw new PolicyException("name " + san + " is not allowed by policy (ca.policy.allowed-names: "
            + allowedNames.stream().map(NamePattern::toString).collect(Collectors.joining(", ")) + ")");
      }
    }
  }
}
