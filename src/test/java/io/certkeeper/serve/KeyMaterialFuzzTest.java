package io.certkeeper.serve;

import static io.certkeeper.fuzz.FuzzContract.check;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.certkeeper.fuzz.FuzzPki;
import java.io.IOException;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes the PKCS#12 keystore reader a listener loads its key and chain with; see
 * {@link io.certkeeper.fuzz.FuzzContract}. Seeds:
 * {@code src/test/resources/io/certkeeper/serve/KeyMaterialFuzzTestInputs/pkcs12/}.
 */
@Tag("security")
@Tag("fuzz")
class KeyMaterialFuzzTest {
  @FuzzTest
  void pkcs12(byte[] input) {
    check("KeyMaterial.fromKeystore",
        () -> KeyMaterial.fromKeystore(input, "pkcs12", FuzzPki.PASSPHRASE.toCharArray()), IOException.class);
  }
}
