package io.certkeeper.serve;

import java.io.IOException;
import io.certkeeper.util.BoundedRead;
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
    return BoundedRead.bytes(file, MAX_BYTES);
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
