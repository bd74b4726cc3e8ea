package io.certkeeper.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.certkeeper.util.BoundedRead;
import io.certkeeper.util.Durations;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Loads and validates the YAML configuration, and renders the effective configuration back. */
public final class ConfigLoader {
  /** A configuration file larger than this is refused. */
  static final long MAX_BYTES = 4L * 1024 * 1024;

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
      throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
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
   * The effective configuration (defaults filled in) as YAML. Secret references are printed as
   * references; passwords inside URLs are masked.
   */
  public static String render(Config config) {
    SimpleModule m = new SimpleModule();
    m.addSerializer(Duration.class, new StdSerializer<Duration>(Duration.class) {
      @Override
      public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        gen.writeString(Durations.format(value));
      }
    });
    m.addSerializer(Path.class, new ToStringSerializer(Path.class));
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory()
        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
        .registerModule(new Jdk8Module())
        .registerModule(m)
        .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_ABSENT);
    try {
      return yaml.writeValueAsString(config);
    } catch (IOException e) {
      throw new IllegalStateException("cannot render configuration", e);
    }
  }
}
