package io.certkeeper.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --passphrase-file}, for the commands that use the CA key. */
final class PassphraseOption {
  @Option(names = "--passphrase-file", paramLabel = "FILE",
      description = "Read the CA passphrase from FILE instead of the configured ca.passphrase.")
  Path file;
}
