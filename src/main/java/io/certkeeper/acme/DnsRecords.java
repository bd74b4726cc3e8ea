package io.certkeeper.acme;

/**
 * Publishes and removes the TXT records of dns-01 challenges ({@code _acme-challenge.NAME.}); the
 * renewal runs the certificate's {@code dns-set} and {@code dns-clear} commands.
 */
public interface DnsRecords {
  /** None: a certificate without dns-01. */
  DnsRecords NONE = new DnsRecords() {
    @Override
    public void set(String record, String value, String domain) throws AcmeFailure {
      throw new AcmeFailure(domain + ": dns-01 needs dns-set");
    }

    @Override
    public void clear(String record, String value, String domain) {}
  };

  /**
   * Publishes {@code value} as a TXT record at {@code record} (a fully qualified name with its
   * trailing dot); returns once the ACME server may look.
   *
   * @param domain the name being validated (a wildcard's base name)
   * @throws AcmeFailure when it could not, saying why
   */
  void set(String record, String value, String domain) throws AcmeFailure, InterruptedException;

  /** Removes what {@link #set} published; a failure is logged, never thrown. */
  void clear(String record, String value, String domain);
}
