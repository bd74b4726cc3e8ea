package io.certkeeper.probe;

import io.certkeeper.x509.ChainValidator;
import io.certkeeper.x509.PeerName;
import io.certkeeper.x509.Problem;
import io.certkeeper.x509.Purpose;
import io.certkeeper.x509.TrustAnchors;
import io.certkeeper.x509.ValidationRequest;
import io.certkeeper.x509.ValidationResult;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The seam to the strict chain validator ({@code io.certkeeper.x509.ChainValidator}): validates
 * a captured chain, in the order received, for an expected name at an instant, against the trust
 * anchors the judge was built with. Pure: no network, no clock of its own.
 */
interface ChainJudge {
  ChainVerdict judge(List<X509Certificate> chain, String expectedName, Instant now);

  /** As {@link #judge(List, String, Instant)}, also checking revocation against {@code crls}. */
  default ChainVerdict judge(List<X509Certificate> chain, String expectedName, Instant now, List<X509CRL> crls) {
    return judge(chain, expectedName, now);
  }

  /**
   * Judges nothing: results carry only the probe's own problems and {@code validPath} false. For
   * tests of the capture side.
   */
  static ChainJudge none() {
    return (chain, expectedName, now) -> new ChainVerdict(false, List.of(), "chain not validated");
  }

  /** Judges with the strict validator against {@code anchors}, for a TLS server. */
  static ChainJudge strict(TrustAnchors anchors) {
    ChainValidator validator = ChainValidator.strict();
    return new ChainJudge() {
      @Override
      public ChainVerdict judge(List<X509Certificate> chain, String expectedName, Instant now) {
        return judge(chain, expectedName, now, List.of());
      }

      @Override
      public ChainVerdict judge(List<X509Certificate> chain, String expectedName, Instant now, List<X509CRL> crls) {
        ValidationRequest.Builder b = ValidationRequest.builder(chain.get(0), anchors, now)
            .purpose(Purpose.SERVER)
            .peerName(PeerName.parse(expectedName));
        if (chain.size() > 1) {
          b.untrusted(chain.subList(1, chain.size()));
        }
        if (!crls.isEmpty()) {
          b.crls(crls);
        }
        ValidationResult r = validator.validate(b.build());
        List<ProbeProblem> problems = new ArrayList<>();
        for (Problem p : r.problems()) {
          problems.add(ProbeProblem.ofCode(p.code()));
        }
        Optional<Instant> pathNotAfter = r.path().stream()
            .map(c -> c.getNotAfter().toInstant())
            .min(Instant::compareTo);
        return new ChainVerdict(r.valid(), problems, r.valid() ? "" : r.message(), pathNotAfter);
      }
    };
  }
}
