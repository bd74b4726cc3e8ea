package io.certkeeper.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The key source of a listener whose managed certificate may not be issued yet: until its files
 * exist the listener serves a self-signed stand-in (subject {@code certkeeper: NAME not issued
 * yet}, trusted by no one), so that it can listen before the first issue. That is what ACME's
 * tls-alpn-01 needs (the server validates through this very listener), and it keeps a listener up
 * while a first issue fails and is retried. Once the files appear the next reload serves them.
 */
public final class UntilIssued implements KeySource {
  /** The stand-in's validity; it is made again when it runs out. */
  static final Duration STAND_IN_VALIDITY = Duration.ofDays(1);

  private final KeySource issued;
  private final String certificate;
  private final io.certkeeper.x509.KeyType keyType;
  private final Clock clock;
  private KeyMaterial standIn;

  /**
   * @param keyType the stand-in's key: the managed certificate's, so that a listener limited to
   *     suites of that key type can serve the stand-in too
   */
  public UntilIssued(KeySource issued, String certificate, io.certkeeper.x509.KeyType keyType, Clock clock) {
    this.issued = Objects.requireNonNull(issued, "issued");
    this.certificate = Objects.requireNonNull(certificate, "certificate");
    this.keyType = Objects.requireNonNull(keyType, "keyType");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The subject of the stand-in of managed certificate {@code name}. */
  static String standInName(String name) {
    return "certkeeper: " + name + " not issued yet";
  }

  @Override
  public synchronized KeyMaterial load() throws IOException {
    if (issued.files().stream().anyMatch(Files::exists)) {
      return issued.load(); // a half-written pair is an error to report, not a reason for the stand-in
    }
    if (standIn == null || !standIn.leaf().getNotAfter().toInstant().isAfter(clock.instant().plus(Duration.ofHours(1)))) {
      standIn = SelfSigned.create(standInName(certificate), List.of(), clock.instant(), STAND_IN_VALIDITY,
          Optional.empty(), keyType);
    }
    return standIn;
  }

  @Override
  public List<Path> files() {
    return issued.files();
  }

  @Override
  public String describe() {
    return issued.describe() + " (a self-signed stand-in until first issued)";
  }
}
