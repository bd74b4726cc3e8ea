package io.certkeeper.util;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleDeserializers;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.time.Instant;
import java.util.Locale;

/**
 * The one JSON mapper for everything certkeeper prints with {@code --json} and the admin API
 * answers: instants as RFC 3339 UTC strings in whole seconds ({@link Timestamps}), enum constants
 * in lower case ({@code normal}, {@code handshake_failed}) or, for a {@link Coded} enum, as its code
 * ({@code ec-p256}), fields in declaration order, absent values as {@code null}. Reading accepts any
 * RFC 3339 instant, enum names in any case and codes, so JSON written by earlier versions still
 * reads.
 */
public final class Json {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .addModule(new Jdk8Module())
          .addModule(outputModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
          .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
          .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.ALWAYS, JsonInclude.Include.ALWAYS))
          .build();

  private Json() {}

  /** The shared, thread-safe mapper. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** {@code value} as indented JSON. */
  public static String pretty(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON for " + value.getClass().getName(), e);
    }
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static SimpleModule outputModule() {
    SimpleModule m = new SimpleModule("certkeeper-output");
    m.addSerializer(Instant.class, new StdSerializer<Instant>(Instant.class) {
      @Override
      public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        gen.writeString(Timestamps.format(value));
      }
    });
    m.addSerializer(Enum.class, new StdSerializer<Enum>(Enum.class) {
      @Override
      public void serialize(Enum value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        gen.writeString(value instanceof Coded c ? c.code() : value.name().toLowerCase(Locale.ROOT));
      }
    });
    m.setDeserializers(new SimpleDeserializers() {
      @Override
      @SuppressWarnings("unchecked")
      public JsonDeserializer<?> findEnumDeserializer(Class<?> type, DeserializationConfig config,
          BeanDescription beanDesc) throws com.fasterxml.jackson.databind.JsonMappingException {
        if (Coded.class.isAssignableFrom(type)) {
          return new CodedDeserializer<>((Class) type);
        }
        return super.findEnumDeserializer(type, config, beanDesc);
      }
    });
    return m;
  }

  /** Reads a {@link Coded} constant from its code; an unknown one is an error listing the known codes. */
  private static final class CodedDeserializer<E extends Enum<E> & Coded> extends StdDeserializer<E> {
    private static final long serialVersionUID = 1L;
    private final Class<E> type;

    CodedDeserializer(Class<E> type) {
      super(type);
      this.type = type;
    }

    @Override
    public E deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        return type.cast(ctxt.handleUnexpectedToken(type, p));
      }
      String text = p.getText();
      return Coded.find(type, text).orElseThrow(() -> new InvalidFormatException(p,
          "'" + Printable.line(text, 64) + "' is not one of " + Coded.codes(type), text, type));
    }
  }
}
