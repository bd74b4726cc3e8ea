package io.certkeeper.config;

import com.fasterxml.jackson.annotation.JsonValue;
import io.certkeeper.util.BoundedRead;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where a secret (passphrase, password, token) comes from, never the secret itself:
 * {@code file:/path} (the file's content, one trailing newline removed), {@code env:NAME} (an
 * environment variable) or {@code credential:NAME} (a systemd credential in
 * {@code $CREDENTIALS_DIRECTORY}). The reference is safe to print; the value is read only when
 * {@link #resolve()} is called and is never logged.
 */
public final class SecretRef {
  /** Upper bound on a secret read from a file. */
  static final int MAX_SECRET_BYTES = 64 * 1024;

  /** The three kinds of reference. */
  public enum Kind {
    FILE, ENV, CREDENTIAL
  }

  private final Kind kind;
  private final String name;
  private final Map<String, String> env;

  private SecretRef(Kind kind, String name, Map<String, String> env) {
    this.kind = kind;
    this.name = name;
    this.env = env;
  }

  /** Parses {@code file:...}, {@code env:...} or {@code credential:...}. */
  public static SecretRef parse(String text) {
    return parse(text, System.getenv());
  }

  /** As {@link #parse(String)}, reading variables from {@code env} (for tests). */
  public static SecretRef parse(String text, Map<String, String> env) {
    Objects.requireNonNull(text, "text");
    int colon = text.indexOf(':');
    String prefix = colon < 0 ? "" : text.substring(0, colon);
    String rest = colon < 0 ? "" : text.substring(colon + 1);
    Kind kind;
    switch (prefix) {
      case "file": kind = Kind.FILE; break;
      case "env": kind = Kind.ENV; break;
      case "credential": kind = Kind.CREDENTIAL; break;
      default:
        throw new IllegalArgumentException(
            "a secret must be a reference: file:/path, env:NAME or credential:NAME (got '"
                + (colon < 0 ? "…" : prefix + ":…") + "')");
    }
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("secret reference '" + prefix + ":' names nothing");
    }
    if (kind == Kind.CREDENTIAL && (rest.contains("/") || rest.equals("..") || rest.equals("."))) {
      throw new IllegalArgumentException("credential name must not contain '/': " + rest);
    }
    return new SecretRef(kind, rest, env);
  }

  public Kind kind() {
    return kind;
  }

  public String name() {
    return name;
  }

  /**
   * Reads the secret now.
   *
   * @throws IOException naming the reference (never the value) when it cannot be read
   */
  public char[] resolve() throws IOException {
    switch (kind) {
      case ENV: {
        String v = env.get(name);
        if (v == null) {
          throw new IOException("secret " + this + ": environment variable " + name + " is not set");
        }
        return v.toCharArray();
      }
      case FILE:
        return readFile(Path.of(name));
      case CREDENTIAL: {
        String dir = env.get("CREDENTIALS_DIRECTORY");
        if (dir == null) {
          throw new IOException(
              "secret " + this + ": $CREDENTIALS_DIRECTORY is not set (not started by systemd with LoadCredential=?)");
        }
        return readFile(Path.of(dir, name));
      }
      default:
        throw new AssertionError(kind);
    }
  }

  private char[] readFile(Path file) throws IOException {
    try {
      String s = new String(BoundedRead.bytes(file, MAX_SECRET_BYTES), StandardCharsets.UTF_8);
      if (s.endsWith("\r\n")) {
        s = s.substring(0, s.length() - 2);
      } else if (s.endsWith("\n")) {
        s = s.substring(0, s.length() - 1);
      }
      if (s.isEmpty()) {
        throw new IOException("secret " + this + ": file " + file + " is empty");
      }
      return s.toCharArray();
    } catch (NoSuchFileException e) {
      throw new IOException("secret " + this + ": no such file " + file, e);
    } catch (BoundedRead.Refused e) {
      throw new IOException("secret " + this + ": " + e.getMessage(), e);
    }
  }

  /** The reference as written, e.g. {@code env:SMTP_PASSWORD}; never the value. */
  @JsonValue
  @Override
  public String toString() {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretRef && ((SecretRef) o).kind == kind && ((SecretRef) o).name.equals(name);
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 + name.hashCode();
  }
}
