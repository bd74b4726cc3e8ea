package io.certkeeper.x509;

import java.util.Objects;
import java.util.Set;

/**
 * The certificate-policy inputs of RFC 5280 section 6.1.1 (c), (e), (f) and (g).
 *
 * @param initialPolicies user-initial-policy-set as dotted OIDs; empty means any-policy
 * @param requireExplicitPolicy initial-explicit-policy: the path must be valid for some policy
 *     of the set
 * @param inhibitPolicyMapping initial-policy-mapping-inhibit
 * @param inhibitAnyPolicy initial-any-policy-inhibit: anyPolicy in a certificate matches nothing
 */
public record PolicyInputs(Set<String> initialPolicies, boolean requireExplicitPolicy,
    boolean inhibitPolicyMapping, boolean inhibitAnyPolicy) {
  /** anyPolicy (2.5.29.32.0). */
  public static final String ANY_POLICY = "2.5.29.32.0";

  private static final PolicyInputs DEFAULTS = new PolicyInputs(Set.of(), false, false, false);

  public PolicyInputs {
    initialPolicies = Set.copyOf(initialPolicies);
    for (String oid : initialPolicies) {
      Objects.requireNonNull(oid, "policy");
      if (!oid.matches("[0-2](\\.(0|[1-9][0-9]{0,18}))+")) {
        throw new IllegalArgumentException("not a policy OID: '" + oid + "'");
      }
    }
  }

  /** RFC 5280's defaults: any policy, nothing required, nothing inhibited. */
  public static PolicyInputs defaults() {
    return DEFAULTS;
  }

  /** Whether the user-initial-policy-set is {anyPolicy}. */
  boolean anyInitialPolicy() {
    return initialPolicies.isEmpty() || initialPolicies.contains(ANY_POLICY);
  }
}
