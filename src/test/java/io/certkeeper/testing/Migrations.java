package io.certkeeper.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The migration versions shipped in the sources, for tests that check the schema version. */
public final class Migrations {
  private static final Pattern NAME = Pattern.compile("V(\\d+)__.*\\.(sql|java)");

  private Migrations() {}

  /** Versions applied to an H2 store (common + h2), ascending. */
  public static List<Integer> h2Versions() {
    return versions("h2");
  }

  /** Versions applied to a PostgreSQL store (common + postgresql), ascending. */
  public static List<Integer> postgresqlVersions() {
    return versions("postgresql");
  }

  private static List<Integer> versions(String engineDir) {
    TreeSet<Integer> v = new TreeSet<>();
    // SQL under resources; a Java migration (db.migration.ENGINE) where SQL cannot say it
    for (Path dir : List.of(Path.of("src/main/resources/db/migration/common"),
        Path.of("src/main/resources/db/migration", engineDir), Path.of("src/main/java/db/migration", engineDir))) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.list(dir)) {
        files.forEach(f -> {
          Matcher m = NAME.matcher(f.getFileName().toString());
          if (m.matches()) {
            v.add(Integer.parseInt(m.group(1)));
          }
        });
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return List.copyOf(v);
  }

  public static String latest() {
    List<Integer> v = h2Versions();
    return Integer.toString(v.get(v.size() - 1));
  }
}
