package io.certkeeper.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * Reads YAML text into {@link ConfigNode}s that remember their line, with Jackson's YAML
 * streaming parser. Duplicate keys are an error (YAML says so; silently keeping the last one hides
 * mistakes).
 *
 * <p>A configuration file is plain keys and values. Anchors ({@code &a}), aliases ({@code *a}),
 * merge keys ({@code <<:}) and tags ({@code !!str}, {@code !!java...}) are refused with the line
 * they are on: Jackson's streaming parser would otherwise read an alias as the anchor's name, drop
 * a tag, and never see an anchor on a scalar. They are found in a first pass over SnakeYAML's
 * events (the parser Jackson itself uses), which sees every anchor, before any value is read.
 */
final class YamlTree {
  /** Nesting beyond this is not a configuration file. */
  private static final int MAX_DEPTH = 64;

  /** Text longer than this (in characters) is not a configuration file; matches the loader's byte bound. */
  static final int MAX_CHARS = 32 * 1024 * 1024;

  private static final String STANDARD_TAG_PREFIX = "tag:yaml.org,2002:";

  private static final YAMLFactory FACTORY = YAMLFactory.builder().loaderOptions(loaderOptions()).build();

  private YamlTree() {}

  static ConfigNode parse(Path file, String text) throws ConfigException {
    if (text.length() > MAX_CHARS) {
      throw new ConfigException(file + ": larger than " + MAX_CHARS + " characters; not a configuration file");
    }
    refuseUnsupported(file, text);
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
      throw new ConfigException(file + ": cannot read: " + io.certkeeper.util.ErrorText.reason(file, e), e);
    }
  }

  private static LoaderOptions loaderOptions() {
    LoaderOptions o = new LoaderOptions();
    o.setCodePointLimit(MAX_CHARS);
    o.setNestingDepthLimit(MAX_DEPTH);
    o.setMaxAliasesForCollections(0);
    o.setAllowRecursiveKeys(false);
    return o;
  }

  /** Where the first pass is inside the document: a mapping (key, then value) or a sequence. */
  private static final class Frame {
    final boolean mapping;
    final String path;
    boolean atKey = true;
    String key;
    int index;

    Frame(boolean mapping, String path) {
      this.mapping = mapping;
      this.path = path;
    }

    /** The path of the node about to be read (a value, or an item). */
    String childPath() {
      if (mapping) {
        return path.isEmpty() ? key : path + "." + key;
      }
      return path + "[" + index + "]";
    }

    void valueDone() {
      if (mapping) {
        atKey = true;
      } else {
        index++;
      }
    }
  }

  /**
   * Walks the first document's events and refuses anchors, aliases, tags and merge keys, and
   * nesting beyond {@link #MAX_DEPTH}. Stops at the first one, so a "billion laughs" document ends
   * at its first anchor. Syntax errors are reported here too, with their line.
   */
  private static void refuseUnsupported(Path file, String text) throws ConfigException {
    Yaml yaml = new Yaml(loaderOptions(), new DumperOptions());
    Deque<Frame> stack = new ArrayDeque<>();
    try {
      for (Event e : yaml.parse(new StringReader(text))) {
        if (e.is(Event.ID.DocumentEnd)) {
          return; // a second document is the tree reader's error, with its own message
        }
        if (e.is(Event.ID.MappingEnd) || e.is(Event.ID.SequenceEnd)) {
          stack.pop();
          if (!stack.isEmpty()) {
            stack.peek().valueDone();
          }
          continue;
        }
        if (!(e instanceof NodeEvent)) {
          continue; // stream and document start, comments
        }
        Frame parent = stack.peek();
        boolean isKey = parent != null && parent.mapping && parent.atKey;
        // A key is reported under the mapping that holds it; a value under its own key.
        String where = parent == null ? "" : isKey ? parent.path : parent.childPath();
        int line = e.getStartMark().getLine() + 1;
        String refused = refusal(e, isKey);
        if (refused != null) {
          throw new ConfigException(file + ":" + line + ": " + (where.isEmpty() ? "" : where + ": ") + refused);
        }
        if (e instanceof CollectionStartEvent) {
          if (stack.size() >= MAX_DEPTH) {
            throw new ConfigException(file + ":" + line + ": nesting deeper than " + MAX_DEPTH);
          }
          stack.push(new Frame(e.is(Event.ID.MappingStart), where));
        } else if (isKey) {
          parent.key = e instanceof ScalarEvent s ? s.getValue() : "?";
          parent.atKey = false;
        } else if (parent != null) {
          parent.valueDone();
        }
      }
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String problem = e.getProblem() != null ? e.getProblem() : "invalid YAML";
      String context = e.getContext() != null ? e.getContext() + ": " : "";
      throw new ConfigException(file + ":" + (m == null ? 1 : m.getLine() + 1) + ": invalid YAML: "
          + context + problem.strip(), e);
    } catch (YAMLException e) {
      throw new ConfigException(file + ": invalid YAML: " + e.getMessage(), e);
    }
  }

  /** Why {@code e} is refused, or null if it is plain YAML. */
  private static String refusal(Event e, boolean isKey) {
    if (e instanceof AliasEvent a) {
      return "YAML anchors and aliases are not supported (found *" + a.getAnchor() + "); write the value out in full";
    }
    NodeEvent n = (NodeEvent) e;
    if (n.getAnchor() != null) {
      return "YAML anchors and aliases are not supported (found &" + n.getAnchor() + "); write the value out in full";
    }
    String tag = e instanceof ScalarEvent s ? s.getTag()
        : e instanceof CollectionStartEvent c ? c.getTag() : null;
    if (tag != null) {
      String shown = tag.startsWith(STANDARD_TAG_PREFIX) ? "!!" + tag.substring(STANDARD_TAG_PREFIX.length()) : tag;
      return "YAML tags are not supported (found " + shown + "); write a plain value, quoted if it must stay a string";
    }
    if (isKey && e instanceof ScalarEvent s && s.isPlain() && s.getValue().equals("<<")) {
      return "YAML merge keys are not supported (found <<); write the keys out in full";
    }
    return null;
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
