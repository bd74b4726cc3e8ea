package io.certkeeper.x509;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The Public Suffix List (ICANN and private sections), loaded once from the bundled copy. A
 * wildcard certificate for {@code *.co.uk} or {@code *.s3.amazonaws.com} would cover names that
 * belong to many unrelated owners, so such wildcards never match.
 */
final class PublicSuffixes {
  private static final String RESOURCE = "public_suffix_list.dat";

  private final Set<String> rules;
  private final Set<String> wildcardRules;
  private final Set<String> exceptions;

  private PublicSuffixes(Set<String> rules, Set<String> wildcardRules, Set<String> exceptions) {
    this.rules = rules;
    this.wildcardRules = wildcardRules;
    this.exceptions = exceptions;
  }

  /** The bundled list. */
  static PublicSuffixes bundled() {
    return Holder.INSTANCE;
  }

  /** Whether {@code domain} (ASCII, any case) is itself a public suffix. */
  boolean isPublicSuffix(String domain) {
    String name = domain.toLowerCase(Locale.ROOT);
    if (exceptions.contains(name)) {
      return false;
    }
    if (rules.contains(name)) {
      return true;
    }
    int dot = name.indexOf('.');
    // "*.ck" makes every child of ck a suffix; a single label is a TLD, a suffix by default.
    return dot < 0 || wildcardRules.contains(name.substring(dot + 1));
  }

  private static PublicSuffixes load() {
    Set<String> rules = new HashSet<>();
    Set<String> wildcards = new HashSet<>();
    Set<String> exceptions = new HashSet<>();
    try (InputStream in = PublicSuffixes.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = reader.readLine()) != null; ) {
        line = line.strip();
        if (line.isEmpty() || line.startsWith("//")) {
          continue;
        }
        if (line.startsWith("!")) {
          exceptions.add(ascii(line.substring(1)));
        } else if (line.startsWith("*.")) {
          wildcards.add(ascii(line.substring(2)));
        } else {
          rules.add(ascii(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    return new PublicSuffixes(Set.copyOf(rules), Set.copyOf(wildcards), Set.copyOf(exceptions));
  }

  private static String ascii(String rule) {
    return IDN.toASCII(rule, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
  }

  private static final class Holder {
    static final PublicSuffixes INSTANCE = load();
  }
}
