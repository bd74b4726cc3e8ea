package io.certkeeper.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A certificate that certkeeper renews itself (one generation of a managed certificate), with the
 * times its renewal policy gives it, as {@link ManagedRenewals} reports it. Expiry of such a
 * certificate is certkeeper's own job: while its renewal is still ahead (before {@link #overdueAt})
 * it is not reported {@code expiring}; from {@link #overdueAt} on, while it is still in force or
 * still served, it is {@value #OVERDUE}.
 *
 * @param name the managed certificate ({@code certificates[].name})
 * @param sha256 this generation's fingerprint
 * @param serial this generation's serial
 * @param renewAt when this generation is (or was) due for renewal
 * @param overdueAt from when its renewal is overdue (after {@code renewAt}, before {@code notAfter})
 * @param currentSerial the serial of the generation in force: {@code serial} unless this one was
 *     replaced (then a server that still serves it has not loaded the renewal)
 * @param owners who is alerted about this certificate; the default recipients when empty
 * @param lastError the last renewal error of the certificate, if its renewals are failing
 */
public record ManagedRenewal(String name, String sha256, String serial, Instant notAfter, Instant renewAt,
    Instant overdueAt, String currentSerial, List<String> owners, Optional<String> lastError) {
  /** The problem code and alert kind of an overdue renewal. */
  public static final String OVERDUE = "renewal_overdue";

  public ManagedRenewal {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(serial, "serial");
    Objects.requireNonNull(notAfter, "notAfter");
    Objects.requireNonNull(renewAt, "renewAt");
    Objects.requireNonNull(overdueAt, "overdueAt");
    Objects.requireNonNull(currentSerial, "currentSerial");
    owners = List.copyOf(owners);
    Objects.requireNonNull(lastError, "lastError");
  }

  /** Whether the renewal should have happened by {@code now} and this certificate is still around. */
  public boolean overdue(Instant now) {
    return !now.isBefore(overdueAt);
  }

  /** Whether this is the generation in force. */
  public boolean isCurrent() {
    return serial.equals(currentSerial);
  }
}
