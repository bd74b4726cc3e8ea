package io.certkeeper.probe;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * The seam to the strict chain validator ({@code io.certkeeper.x509.ChainValidator}): validates
 * a captured chain, in the order received, for an expected name at an instant, against the trust
 * anchors the judge was built with. Pure: no network, no clock of its own.
 */
interface ChainJudge {
  ChainVerdict judge(List<X509Certificate> chain, String expectedName, Instant now);

  /**
   * Stand-in until the validator is wired: judges nothing, so results carry only the probe's
   * own problems and {@code validPath} false.
   *
   * <p>TODO(x509): replace with an adapter over {@code ChainValidator.strict().validate(
   * ValidationRequest)} using {@code TrustAnchors.system()} plus {@code --ca-file} anchors (and
   * the local CA root), {@code PeerName.parse(expectedName)}, mapping each {@code Problem} to
   * {@link ProbeProblem#ofCode} and {@code ValidationResult.valid()} to {@code validPath}.
   */
  static ChainJudge notWired() {
    return (chain, expectedName, now) ->
        new ChainVerdict(false, List.of(), "chain not validated (validator not wired yet)");
  }
}
