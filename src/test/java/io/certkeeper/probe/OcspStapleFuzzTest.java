package io.certkeeper.probe;

import static io.certkeeper.fuzz.FuzzContract.check;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.certkeeper.fuzz.FuzzPki;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes the reader of stapled (and fetched) OCSP responses: whatever bytes a server staples, the
 * prober gets a status and never an exception; see {@link io.certkeeper.fuzz.FuzzContract}. Seeds:
 * {@code src/test/resources/io/certkeeper/probe/OcspStapleFuzzTestInputs/ocspStaple/}.
 */
@Tag("security")
@Tag("fuzz")
class OcspStapleFuzzTest {
  /** Read against the leaf with its issuer (signature and CertID checked), then the leaf alone. */
  @FuzzTest
  void ocspStaple(byte[] input) {
    assertNotNull(check("OcspStaple.statusOf with issuer",
        () -> OcspStaple.statusOf(Optional.of(input), FuzzPki.chain(), java.time.Instant.now())).orElse(null));
    assertNotNull(check("OcspStaple.statusOf without issuer",
        () -> OcspStaple.statusOf(Optional.of(input), List.of(FuzzPki.leaf()), java.time.Instant.now())).orElse(null));
  }
}
