package io.certkeeper.x509;

/**
 * How much work one validation may do, so that hostile input (hundreds of look-alike
 * intermediates, thousands of names and constraints) cannot make it slow. When a budget runs
 * out the chain is rejected.
 */
final class Budget {
  /** Signature verifications per validation (rustls-webpki and Go use the same bound). */
  static final int MAX_SIGNATURE_CHECKS = 100;
  /** Candidate issuers looked at during path building. */
  static final int MAX_PATH_STEPS = 2_000;
  /** Name-versus-constraint comparisons per validation. */
  static final int MAX_CONSTRAINT_CHECKS = 250_000;

  /** Nodes of one path's certificate-policy tree (RFC 5280 6.1); see {@link PolicyTree}. */
  static final int MAX_POLICY_NODES = 10_000;
  /** Policy-tree nodes over every candidate path of one validation. */
  static final int MAX_POLICY_NODES_TOTAL = 100_000;

  private int signatureChecks;
  private int policyNodes;
  private int pathSteps;
  private int constraintChecks;

  boolean spendSignatureCheck() {
    return ++signatureChecks <= MAX_SIGNATURE_CHECKS;
  }

  boolean spendPathStep() {
    return ++pathSteps <= MAX_PATH_STEPS;
  }

  boolean spendConstraintCheck() {
    return ++constraintChecks <= MAX_CONSTRAINT_CHECKS;
  }

  boolean spendPolicyNode() {
    return ++policyNodes <= MAX_POLICY_NODES_TOTAL;
  }

  boolean exhausted() {
    return signatureChecks > MAX_SIGNATURE_CHECKS || pathSteps > MAX_PATH_STEPS;
  }
}
