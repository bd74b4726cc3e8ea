package io.certkeeper.x509;

/** The mailbox syntax the validator accepts in rfc822Name entries and constraints. */
final class EmailAddresses {
  private EmailAddresses() {}

  /** {@code local@host}: exactly one {@code @}, a non-empty printable local part, a host name. */
  static boolean isMailbox(String address) {
    int at = address.indexOf('@');
    if (at <= 0 || at != address.lastIndexOf('@')) {
      return false;
    }
    for (int i = 0; i < at; i++) {
      char c = address.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return DnsNames.isHostname(address.substring(at + 1));
  }

  /** The part after the {@code @}. */
  static String domain(String mailbox) {
    return mailbox.substring(mailbox.indexOf('@') + 1);
  }
}
