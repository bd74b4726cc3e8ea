package io.certkeeper.config;

import static io.certkeeper.fuzz.FuzzContract.check;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes the configuration loader with whole files: every file ends in a configuration or in one
 * {@link ConfigException} whose message is one line; see {@link io.certkeeper.fuzz.FuzzContract}.
 * Seeds: {@code src/test/resources/io/certkeeper/config/ConfigLoaderFuzzTestInputs/configFile/}.
 */
@Tag("security")
@Tag("fuzz")
class ConfigLoaderFuzzTest {
  @FuzzTest
  void configFile(byte[] input) throws IOException {
    Path dir = Files.createTempDirectory("certkeeper-fuzz");
    Path file = dir.resolve("certkeeper.yaml");
    try {
      Files.write(file, input);
      check("ConfigLoader.load", () -> ConfigLoader.load(file), ConfigException.class);
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }
}
