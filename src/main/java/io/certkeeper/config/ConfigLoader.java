package io.certkeeper.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.certkeeper.util.BoundedRead;
import io.certkeeper.util.ErrorText;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Loads and validates the YAML configuration, and renders the effective configuration back. */
public final class ConfigLoader {
  /** A configuration file larger than this is refused. */
  static final long MAX_BYTES = 32L * 1024 * 1024;

  /** Strings are quoted where YAML would read them as something else: {@code "0640"}, {@code "yes"}, {@code "*x"}. */
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .build());

  private ConfigLoader() {}

  /**
   * Reads {@code file}.
   *
   * @throws ConfigException naming file and line for every mistake, including a missing file
   */
  public static Config load(Path file) throws ConfigException {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(BoundedRead.bytes(file, MAX_BYTES)))
          .toString();
    } catch (BoundedRead.Refused e) {
      throw new ConfigException(e.getMessage() + "; not a configuration file", e);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such configuration file", e);
    } catch (CharacterCodingException e) {
      throw new ConfigException(file + ": not UTF-8 text", e);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + ErrorText.reason(file, e), e);
    }
    return parse(file, text);
  }

  /** Parses {@code text} as if read from {@code file}. */
  public static Config parse(Path file, String text) throws ConfigException {
    ConfigNode root = YamlTree.parse(file, text);
    if (root.kind() != ConfigNode.Kind.MAP) {
      throw root.error("the configuration must be a mapping of keys at the top level");
    }
    return Config.read(Optional.of(file), root);
  }

  /**
   * The effective configuration (defaults filled in) as YAML that this loader reads back to the same
   * configuration (see {@link EffectiveConfig}). Secret references are printed as references;
   * passwords inside URLs are masked.
   */
  public static String render(Config config) {
    try {
      return YAML.writeValueAsString(EffectiveConfig.of(config));
    } catch (IOException e) {
      throw new IllegalStateException("cannot render configuration", e);
    }
  }

  /** The effective configuration as a tree of maps and lists with the YAML file's keys, for JSON. */
  public static Map<String, Object> effective(Config config) {
    return EffectiveConfig.of(config);
  }
}
