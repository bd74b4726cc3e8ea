package io.certkeeper.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A PEM certificate (with its chain) file and a PEM private key file. */
public record PemKeySource(Path certFile, Path keyFile) implements KeySource {
  /** Larger files are not PEM certificates or keys. */
  static final long MAX_BYTES = 1024 * 1024;

  @Override
  public KeyMaterial load() throws IOException {
    return KeyMaterial.fromPem(read(certFile), read(keyFile));
  }

  static byte[] read(Path file) throws IOException {
    if (Files.size(file) > MAX_BYTES) {
      throw new IOException(file + ": larger than " + MAX_BYTES + " bytes");
    }
    return Files.readAllBytes(file);
  }

  @Override
  public List<Path> files() {
    return List.of(certFile, keyFile);
  }

  @Override
  public String describe() {
    return certFile + " + " + keyFile;
  }
}
