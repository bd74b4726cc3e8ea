package io.certkeeper.serve;

import io.certkeeper.util.BoundedRead;
import io.certkeeper.util.ErrorText;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A PEM certificate (with its chain) file and a PEM private key file. */
public record PemKeySource(Path certFile, Path keyFile) implements KeySource {
  /** Larger files are not PEM certificates or keys. */
  static final long MAX_BYTES = 1024 * 1024;

  @Override
  public KeyMaterial load() throws IOException {
    return KeyMaterial.fromPem(read(certFile), certFile.toString(), read(keyFile), keyFile.toString());
  }

  /**
   * The bytes of {@code file}.
   *
   * @throws IOException {@code FILE: reason}, e.g. {@code /etc/tls/key.pem: no such file or directory}
   */
  static byte[] read(Path file) throws IOException {
    try {
      return BoundedRead.bytes(file, MAX_BYTES);
    } catch (IOException e) {
      throw new IOException(ErrorText.about(file, e), e);
    }
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
