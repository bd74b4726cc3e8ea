package io.certkeeper.store;

import io.certkeeper.util.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The password of the embedded H2 store when the configuration names none ({@code store.password}):
 * {@value #FILE_NAME} in the data directory, 32 random bytes in base64url, generated the first time
 * the store is opened (before the database file exists) and written atomically, mode 0600. The
 * daemon and the CLI read the same file; a backup carries it, so a restored store opens.
 */
public final class StoreSecret {
  /** The file's name in the data directory. */
  public static final String FILE_NAME = "store.secret";
  /** Random bytes in a generated password: 256 bits. */
  static final int RANDOM_BYTES = 32;
  /** Upper bound on the file read back (a generated one is 43 characters). */
  static final int MAX_BYTES = 4096;

  private static final SecureRandom RANDOM = new SecureRandom();

  private StoreSecret() {}

  /** Where the password of the store under {@code dataDir} is kept. */
  public static Path file(Path dataDir) {
    return dataDir.resolve(FILE_NAME);
  }

  /**
   * The password in {@code dataDir}'s {@value #FILE_NAME}, generated first when the file does not
   * exist.
   *
   * @throws StoreException naming the file when it cannot be read or written
   */
  public static char[] readOrCreate(Path dataDir) throws StoreException {
    Optional<char[]> existing = read(dataDir);
    if (existing.isPresent()) {
      return existing.get();
    }
    Path file = file(dataDir);
    byte[] random = new byte[RANDOM_BYTES];
    RANDOM.nextBytes(random);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    try {
      AtomicFiles.create(file, (secret + "\n").getBytes(StandardCharsets.US_ASCII), AtomicFiles.PRIVATE);
    } catch (FileAlreadyExistsException e) {
      // another process generated it between our read and our write: theirs counts
      return read(dataDir).orElseThrow(() -> new StoreException("store password " + file + " vanished", e));
    } catch (IOException e) {
      throw new StoreException("cannot write the store password " + file + ": " + e.getMessage(), e);
    }
    return secret.toCharArray();
  }

  /**
   * The password in {@code dataDir}'s {@value #FILE_NAME}; empty when there is no such file.
   *
   * @throws StoreException naming the file when it exists but cannot be read, or is empty
   */
  public static Optional<char[]> read(Path dataDir) throws StoreException {
    Path file = file(dataDir);
    try {
      if (Files.isSymbolicLink(file)) {
        throw new StoreException("store password " + file + " is a symbolic link: refusing to follow it");
      }
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      if (Files.size(file) > MAX_BYTES) {
        throw new StoreException("store password " + file + " is larger than " + MAX_BYTES + " bytes");
      }
      String s = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
      if (s.isEmpty()) {
        throw new StoreException("store password " + file + " is empty");
      }
      return Optional.of(s.toCharArray());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StoreException("cannot read the store password " + file + ": " + e.getMessage(), e);
    }
  }
}
