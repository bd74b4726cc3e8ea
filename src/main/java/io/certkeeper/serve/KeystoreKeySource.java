package io.certkeeper.serve;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** A PKCS#12 or JKS keystore whose password is read at each load. */
public final class KeystoreKeySource implements KeySource {
  /** Supplies the keystore password when it is needed. */
  @FunctionalInterface
  public interface Password {
    char[] get() throws IOException;
  }

  private final Path file;
  private final String type;
  private final Password password;

  public KeystoreKeySource(Path file, String type, Password password) {
    this.file = Objects.requireNonNull(file, "file");
    this.type = Objects.requireNonNull(type, "type");
    this.password = Objects.requireNonNull(password, "password");
  }

  @Override
  public KeyMaterial load() throws IOException {
    byte[] bytes = PemKeySource.read(file);
    try {
      return KeyMaterial.fromKeystore(bytes, type, password.get());
    } catch (IOException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<Path> files() {
    return List.of(file);
  }

  @Override
  public String describe() {
    return file + " (" + type + ")";
  }
}
