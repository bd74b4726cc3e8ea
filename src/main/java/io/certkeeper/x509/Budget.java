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

  private int signatureChecks;
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

  boolean exhausted() {
    return signatureChecks > MAX_SIGNATURE_CHECKS || pathSteps > MAX_PATH_STEPS;
  }
}
