package io.certkeeper.serve;

import io.certkeeper.x509.Crls;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;

/**
 * The CRLs a client-auth listener checks client certificates against, kept in memory and read
 * again as soon as a file changes. Each call to {@link #current()} costs one {@code stat} per file
 * (modification time, size, file key); only a change re-reads and re-verifies.
 *
 * <p>Fail-closed: when a CRL file is missing, unreadable, not a CRL, not signed by any of the
 * {@code issuers}, or past its nextUpdate, {@link Snapshot#problem()} says so and the listener
 * refuses every client certificate until a good CRL is in place. A revocation list that cannot be
 * trusted must not silently admit revoked clients.
 *
 * <p>Never backwards: per issuer, the CRL with the highest cRLNumber seen so far is kept, so an
 * older CRL copied over a newer one does not bring revoked clients back.
 */
public final class CrlView {
  /** Larger CRL files are refused. */
  static final long MAX_CRL_BYTES = 16L * 1024 * 1024;

  private static final String CRL_NUMBER = "2.5.29.20";

  /** The CRLs in force and, when they cannot be trusted, why. */
  public record Snapshot(List<X509CRL> crls, Optional<String> problem, long generation) {
    public Snapshot {
      crls = List.copyOf(crls);
      Objects.requireNonNull(problem, "problem");
    }
  }

  private record Stamp(Instant modified, long size, Object fileKey) {}

  private record Kept(X509CRL crl, BigInteger number) {}

  private final List<Path> files;
  private final List<X509Certificate> issuers;
  private final Clock clock;
  private final Map<Path, Stamp> stamps = new LinkedHashMap<>();
  /** The highest-numbered good CRL per issuer key. */
  private final Map<String, Kept> kept = new LinkedHashMap<>();
  private Snapshot loaded = new Snapshot(List.of(), Optional.empty(), 0);
  private Optional<String> readProblem = Optional.empty();

  private CrlView(List<Path> files, List<X509Certificate> issuers, Clock clock) {
    this.files = List.copyOf(files);
    this.issuers = List.copyOf(issuers);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * A view of {@code files}, each of which must be a CRL (DER or PEM) signed by one of
   * {@code issuers}.
   */
  public static CrlView of(List<Path> files, List<X509Certificate> issuers, Clock clock) {
    CrlView v = new CrlView(files, issuers, clock);
    v.current();
    return v;
  }

  public List<Path> files() {
    return files;
  }

  /** The CRLs in force now: re-read when a file changed since the last call. */
  public synchronized Snapshot current() {
    Snapshot s = loaded;
    if (changed()) {
      s = reload();
    }
    Instant now = clock.instant();
    if (s.problem().isEmpty()) {
      for (X509CRL crl : s.crls()) {
        if (crl.getNextUpdate() != null && now.isAfter(crl.getNextUpdate().toInstant())) {
          return new Snapshot(s.crls(), Optional.of("the CRL of '" + crl.getIssuerX500Principal().getName()
              + "' expired at " + crl.getNextUpdate().toInstant() + " (nextUpdate)"), s.generation());
        }
      }
    }
    return s;
  }

  private boolean changed() {
    for (Path f : files) {
      if (!Objects.equals(stamps.get(f), stamp(f))) {
        return true;
      }
    }
    return false;
  }

  private static Stamp stamp(Path f) {
    try {
      BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
      return new Stamp(a.lastModifiedTime().toInstant(), a.size(), a.fileKey());
    } catch (IOException e) {
      return null;
    }
  }

  private Snapshot reload() {
    List<String> problems = new ArrayList<>();
    for (Path f : files) {
      Stamp before = stamp(f);
      stamps.put(f, before);
      try {
        for (X509CRL crl : read(f)) {
          accept(f, crl);
        }
      } catch (IOException e) {
        problems.add(e.getMessage());
      }
    }
    readProblem = problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
    List<X509CRL> crls = new ArrayList<>();
    for (Kept k : kept.values()) {
      crls.add(k.crl());
    }
    loaded = new Snapshot(crls, readProblem, loaded.generation() + 1);
    return loaded;
  }

  /** Every CRL in {@code f} (DER, or PEM with one or more {@code X509 CRL} blocks), checked by {@link Crls}. */
  private static List<X509CRL> read(Path f) throws IOException {
    try {
      if (Files.size(f) > MAX_CRL_BYTES) {
        throw new IOException("CRL " + f + ": larger than " + MAX_CRL_BYTES + " bytes");
      }
      return Crls.parse(Files.readAllBytes(f));
    } catch (NoSuchFileException e) {
      throw new IOException("CRL " + f + ": missing", e);
    } catch (RuntimeException e) {
      throw new IOException("CRL " + f + ": not a readable CRL: " + io.certkeeper.util.ErrorText.reason(e), e);
    }
  }

  /** Keeps {@code crl} when it verifies with an issuer and is not older than what is kept. */
  private void accept(Path f, X509CRL crl) throws IOException {
    X509Certificate signer = null;
    for (X509Certificate c : issuers) {
      if (c.getSubjectX500Principal().equals(crl.getIssuerX500Principal()) && verifies(crl, c)) {
        signer = c;
        break;
      }
    }
    if (signer == null) {
      throw new IOException("CRL " + f + ": not signed by any trusted client CA (issuer '"
          + crl.getIssuerX500Principal().getName() + "')");
    }
    BigInteger number = number(crl);
    String key = java.util.HexFormat.of().formatHex(signer.getPublicKey().getEncoded());
    Kept old = kept.get(key);
    if (old == null || number.compareTo(old.number()) >= 0) {
      kept.put(key, new Kept(crl, number));
    }
  }

  private static boolean verifies(X509CRL crl, X509Certificate issuer) {
    try {
      crl.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static BigInteger number(X509CRL crl) {
    byte[] ext = crl.getExtensionValue(CRL_NUMBER);
    if (ext == null) {
      return BigInteger.ZERO;
    }
    try {
      return ASN1Integer.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getValue();
    } catch (RuntimeException e) {
      return BigInteger.ZERO;
    }
  }
}
