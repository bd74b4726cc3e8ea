package io.certkeeper.x509;

import static io.certkeeper.util.Preconditions.requireArgument;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * The name the caller expects the leaf to be valid for: a DNS host name, an IP address or an
 * e-mail address. Only the matching kind of subjectAltName entry can match it: an IP never
 * matches a dNSName that spells it, and the subject common name is never used.
 */
public sealed interface PeerName {

  /** A DNS host name, kept in lower case without a trailing dot. */
  record Dns(String name) implements PeerName {
    public Dns {
      Objects.requireNonNull(name, "name");
      name = name.toLowerCase(Locale.ROOT);
      if (name.endsWith(".")) {
        name = name.substring(0, name.length() - 1);
      }
      requireArgument(!name.isEmpty() && name.chars().noneMatch(Character::isWhitespace),
          "not a DNS name: '%s'", name);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** An IPv4 or IPv6 address. */
  record Ip(InetAddress address) implements PeerName {
    public Ip {
      Objects.requireNonNull(address, "address");
    }

    /** The address as a literal, never resolving a name. */
    public static Ip parse(String literal) {
      InetAddress address = IpLiterals.parse(literal);
      requireArgument(address != null, "not an IP address: '%s'", literal);
      return new Ip(address);
    }

    @Override
    public String toString() {
      return address.getHostAddress();
    }
  }

  /** An e-mail address (rfc822Name). */
  record Email(String address) implements PeerName {
    public Email {
      Objects.requireNonNull(address, "address");
      int at = address.lastIndexOf('@');
      requireArgument(at > 0 && at < address.length() - 1, "not an e-mail address: '%s'", address);
    }

    @Override
    public String toString() {
      return address;
    }
  }

  /**
   * Guesses the kind: an IP literal becomes {@link Ip}, anything with an {@code @} becomes
   * {@link Email}, everything else {@link Dns}. Never touches the network.
   */
  static PeerName parse(String text) {
    Objects.requireNonNull(text, "text");
    String trimmed = text.strip();
    InetAddress address = IpLiterals.parse(trimmed);
    if (address != null) {
      return new Ip(address);
    }
    if (trimmed.indexOf('@') >= 0) {
      return new Email(trimmed);
    }
    return new Dns(trimmed);
  }
}
