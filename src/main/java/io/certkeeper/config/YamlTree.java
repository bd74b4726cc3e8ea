package io.certkeeper.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads YAML text into {@link ConfigNode}s that remember their line, with Jackson's YAML
 * streaming parser. Duplicate keys are an error (YAML says so; silently keeping the last one hides
 * mistakes).
 */
final class YamlTree {
  /** Nesting beyond this is not a configuration file. */
  private static final int MAX_DEPTH = 64;

  private static final YAMLFactory FACTORY = new YAMLFactory();

  private YamlTree() {}

  static ConfigNode parse(Path file, String text) throws ConfigException {
    try (JsonParser p = FACTORY.createParser(text)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        return ConfigNode.emptyMap(file, "");
      }
      ConfigNode root = read(file, p, "", 0);
      if (p.nextToken() != null) {
        throw new ConfigException(file + ":" + line(p.currentLocation()) + ": more than one YAML document");
      }
      return root;
    } catch (JsonProcessingException e) {
      JsonLocation loc = e.getLocation();
      String msg = e.getOriginalMessage().lines().findFirst().orElse("invalid YAML");
      throw new ConfigException(file + ":" + (loc == null ? 1 : line(loc)) + ": invalid YAML: " + msg, e);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static ConfigNode read(Path file, JsonParser p, String path, int depth)
      throws IOException, ConfigException {
    int line = line(p.currentTokenLocation());
    if (depth > MAX_DEPTH) {
      throw new ConfigException(file + ":" + line + ": nesting deeper than " + MAX_DEPTH);
    }
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT: {
        Map<String, ConfigNode> entries = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          int keyLine = line(p.currentTokenLocation());
          if (entries.containsKey(key)) {
            throw new ConfigException(file + ":" + keyLine + ": duplicate key '" + key + "'"
                + (path.isEmpty() ? "" : " in " + path) + " (first at line " + entries.get(key).line() + ")");
          }
          p.nextToken();
          String childPath = path.isEmpty() ? key : path + "." + key;
          ConfigNode value = read(file, p, childPath, depth + 1);
          // A key's line is where the key is written, which is what users look for.
          entries.put(key, value.withLine(keyLine));
        }
        return ConfigNode.map(file, line, path, entries);
      }
      case START_ARRAY: {
        List<ConfigNode> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          items.add(read(file, p, path + "[" + items.size() + "]", depth + 1));
        }
        return ConfigNode.list(file, line, path, items);
      }
      case VALUE_STRING:
        return ConfigNode.scalar(file, line, path, ConfigNode.Kind.STRING, p.getText());
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return ConfigNode.scalar(file, line, path, ConfigNode.Kind.NUMBER, p.getText());
      case VALUE_TRUE:
      case VALUE_FALSE:
        return ConfigNode.scalar(file, line, path, ConfigNode.Kind.BOOLEAN, p.getText());
      case VALUE_NULL:
        return ConfigNode.scalar(file, line, path, ConfigNode.Kind.NULL, null);
      default:
        throw new ConfigException(file + ":" + line + ": unexpected YAML token " + t);
    }
  }


  private static int line(JsonLocation loc) {
    return Math.max(1, loc.getLineNr());
  }
}
