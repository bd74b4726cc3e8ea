package io.certkeeper.serve;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Where a listener's key material comes from; read again on every reload. */
public interface KeySource {
  /** Reads and checks the key material now. */
  KeyMaterial load() throws IOException;

  /** The files whose change should trigger a reload (as configured; links are followed when watched). */
  List<Path> files();

  /** What to call it in logs: the file names. */
  String describe();
}
