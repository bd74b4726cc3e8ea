package io.certkeeper.x509;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraints;

/**
 * A CA's nameConstraints (RFC 5280 4.2.1.10): permitted and excluded subtrees of DNS names, IP
 * ranges, mailboxes and directory names. Checking a certificate against each CA's set on its own
 * is the same as intersecting them down the path. Constraints of other name forms (otherName,
 * URI...) are not processed, so a certificate carrying such a name under such a constraint is
 * rejected, as RFC 5280 requires. A wildcard dNSName is judged by every name it could match.
 */
final class NameConstraintSet {
  private record Subtree(int type, String text, byte[] bytes, X500Name dn) {}

  private final List<Subtree> permitted = new ArrayList<>();
  private final List<Subtree> excluded = new ArrayList<>();
  private final List<String> syntaxProblems = new ArrayList<>();

  private NameConstraintSet() {}

  /** Parses the extension value; throws on undecodable DER, records syntax problems. */
  static NameConstraintSet parse(ASN1Encodable value) {
    NameConstraints constraints = NameConstraints.getInstance(value);
    NameConstraintSet set = new NameConstraintSet();
    set.addAll(constraints.getPermittedSubtrees(), set.permitted);
    set.addAll(constraints.getExcludedSubtrees(), set.excluded);
    if (set.permitted.isEmpty() && set.excluded.isEmpty()) {
      set.syntaxProblems.add("neither permitted nor excluded subtrees");
    }
    return set;
  }

  List<String> syntaxProblems() {
    return syntaxProblems;
  }

  int size() {
    return permitted.size() + excluded.size();
  }

  private void addAll(GeneralSubtree[] subtrees, List<Subtree> into) {
    if (subtrees == null) {
      return;
    }
    for (GeneralSubtree subtree : subtrees) {
      BigInteger minimum = subtree.getMinimum();
      if ((minimum != null && minimum.signum() != 0) || subtree.getMaximum() != null) {
        syntaxProblems.add("minimum or maximum set in a subtree");
      }
      GeneralName base = subtree.getBase();
      int type = base.getTagNo();
      switch (type) {
        case GeneralName.dNSName -> {
          String dns = DERIA5String.getInstance(base.getName()).getString();
          if (!dns.isEmpty() && !DnsNames.isHostname(dns)) {
            syntaxProblems.add("dNSName '" + ParsedCertificate.printable(dns) + "'");
          }
          into.add(new Subtree(type, dns.toLowerCase(Locale.ROOT), null, null));
        }
        case GeneralName.iPAddress -> {
          byte[] range = ASN1OctetString.getInstance(base.getName()).getOctets();
          if ((range.length != 8 && range.length != 32) || !isPrefixMask(range)) {
            syntaxProblems.add("iPAddress of " + range.length + " octets that is not a CIDR range");
          }
          into.add(new Subtree(type, null, range, null));
        }
        case GeneralName.rfc822Name -> {
          String email = DERIA5String.getInstance(base.getName()).getString();
          if (!isEmailConstraint(email)) {
            syntaxProblems.add("rfc822Name '" + ParsedCertificate.printable(email) + "'");
          }
          into.add(new Subtree(type, email, null, null));
        }
        case GeneralName.directoryName ->
            into.add(new Subtree(type, null, null, X500Name.getInstance(base.getName())));
        case GeneralName.uniformResourceIdentifier -> {
          String host = DERIA5String.getInstance(base.getName()).getString();
          String bare = host.startsWith(".") ? host.substring(1) : host;
          if (!DnsNames.isHostname(bare)) {
            syntaxProblems.add("uniformResourceIdentifier '" + ParsedCertificate.printable(host)
                + "' (a host or .domain is expected)");
          }
          into.add(new Subtree(type, host.toLowerCase(Locale.ROOT), null, null));
        }
        default -> into.add(new Subtree(type, null, null, null));
      }
    }
  }

  private static boolean isPrefixMask(byte[] range) {
    int half = range.length / 2;
    boolean ended = false;
    for (int i = half; i < range.length; i++) {
      for (int bit = 7; bit >= 0; bit--) {
        boolean set = (range[i] >> bit & 1) == 1;
        if (set && ended) {
          return false;
        }
        ended |= !set;
      }
    }
    return true;
  }

  private static boolean isEmailConstraint(String constraint) {
    if (constraint.indexOf('@') >= 0) {
      return EmailAddresses.isMailbox(constraint);
    }
    String host = constraint.startsWith(".") ? constraint.substring(1) : constraint;
    return DnsNames.isHostname(host);
  }

  /**
   * The first name of {@code cert} that these constraints forbid, as a finding, or null.
   * {@code budget} bounds the comparisons, so a hostile CA cannot make this quadratic and slow.
   */
  Finding check(ParsedCertificate cert, String constrainedBy, Budget budget) {
    if (cert.subjectName.getRDNs().length > 0) {
      Finding f = checkName(GeneralName.directoryName, cert.subjectName, cert, constrainedBy, budget);
      if (f != null) {
        return f;
      }
    }
    for (String email : cert.subjectEmails) {
      Finding f = checkName(GeneralName.rfc822Name, email, cert, constrainedBy, budget);
      if (f != null) {
        return f;
      }
    }
    for (GeneralName name : cert.subjectAltNames) {
      Object value = switch (name.getTagNo()) {
        case GeneralName.dNSName, GeneralName.rfc822Name ->
            DERIA5String.getInstance(name.getName()).getString();
        case GeneralName.iPAddress -> ASN1OctetString.getInstance(name.getName()).getOctets();
        case GeneralName.directoryName -> X500Name.getInstance(name.getName());
        case GeneralName.uniformResourceIdentifier -> uriHost(DERIA5String.getInstance(name.getName()).getString());
        default -> name;
      };
      Finding f = checkName(name.getTagNo(), value, cert, constrainedBy, budget);
      if (f != null) {
        return f;
      }
    }
    return null;
  }

  private Finding checkName(int type, Object name, ParsedCertificate cert, String by,
      Budget budget) {
    boolean anyPermitted = false;
    boolean permittedMatch = false;
    for (Subtree subtree : excluded) {
      if (subtree.type != type) {
        continue;
      }
      if (!budget.spendConstraintCheck()) {
        return tooMany(by);
      }
      if (!isProcessed(type)) {
        return unprocessed(type, by);
      }
      if (matches(subtree, name, true)) {
        return new Finding(Problem.NAME_CONSTRAINT_VIOLATION, "the name " + describe(name)
            + " of '" + cert.displayName() + "' is excluded by the name constraints of '" + by + "'");
      }
    }
    for (Subtree subtree : permitted) {
      if (subtree.type != type) {
        continue;
      }
      if (!budget.spendConstraintCheck()) {
        return tooMany(by);
      }
      if (!isProcessed(type)) {
        return unprocessed(type, by);
      }
      anyPermitted = true;
      if (matches(subtree, name, false)) {
        permittedMatch = true;
        break;
      }
    }
    if (anyPermitted && !permittedMatch) {
      return new Finding(Problem.NAME_CONSTRAINT_VIOLATION, "the name " + describe(name) + " of '"
          + cert.displayName() + "' is outside the permitted names of '" + by + "'");
    }
    return null;
  }

  private static boolean isProcessed(int type) {
    return type == GeneralName.dNSName || type == GeneralName.iPAddress
        || type == GeneralName.rfc822Name || type == GeneralName.directoryName
        || type == GeneralName.uniformResourceIdentifier;
  }

  /**
   * The host of a URI, lower case and without a trailing dot, or "" when it has no host name that
   * constraints can judge: none, an IP literal (RFC 5280 4.2.1.10 leaves those unconstrainable),
   * or a URI that does not parse. Such a URI is refused whenever URI constraints apply.
   */
  private static String uriHost(String uri) {
    String host;
    try {
      java.net.URI parsed = new java.net.URI(uri);
      host = parsed.getHost();
      if (host == null && parsed.getRawAuthority() != null) {
        host = parsed.getRawAuthority().replaceFirst("^.*@", "").replaceFirst(":[0-9]*$", "");
      }
    } catch (java.net.URISyntaxException e) {
      return "";
    }
    if (host == null || host.startsWith("[") || host.indexOf('%') >= 0) {
      return "";
    }
    host = host.toLowerCase(Locale.ROOT);
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    return DnsNames.isHostname(host) && !host.matches("[0-9.]+") ? host : "";
  }

  /**
   * RFC 5280 4.2.1.10: {@code .example.com} any host below it, {@code example.com} that host only.
   * A URI without a host name constraints can judge ("") matches every constraint, so it is
   * refused by an excluded subtree and permitted by none.
   */
  private static boolean uriMatches(String constraint, String host, boolean excluding) {
    if (host.isEmpty()) {
      return excluding;
    }
    return constraint.startsWith(".") ? host.endsWith(constraint) : host.equals(constraint);
  }

  private static Finding unprocessed(int type, String by) {
    return new Finding(Problem.NAME_CONSTRAINT_VIOLATION, "'" + by
        + "' constrains names of type " + type + ", which cannot be checked, and such a name is present");
  }

  private static Finding tooMany(String by) {
    return new Finding(Problem.NAME_CONSTRAINT_VIOLATION, "checking the name constraints of '" + by
        + "' needs more than " + Budget.MAX_CONSTRAINT_CHECKS + " comparisons; refused");
  }

  private static String describe(Object name) {
    if (name instanceof byte[] address) {
      return CommonNameRule.ipText(address);
    }
    if (name instanceof String text) {
      return "'" + ParsedCertificate.printable(text) + "'";
    }
    return "'" + name + "'";
  }

  private static boolean matches(Subtree subtree, Object name, boolean excluding) {
    return switch (subtree.type) {
      case GeneralName.dNSName -> dnsMatches(subtree.text, ((String) name).toLowerCase(Locale.ROOT),
          excluding);
      case GeneralName.iPAddress -> ipMatches(subtree.bytes, (byte[]) name);
      case GeneralName.rfc822Name -> emailMatches(subtree.text, (String) name);
      case GeneralName.directoryName -> dnMatches(subtree.dn, (X500Name) name);
      case GeneralName.uniformResourceIdentifier -> uriMatches(subtree.text, (String) name, excluding);
      default -> false;
    };
  }

  /**
   * For a wildcard {@code *.base}: excluded when any name it could stand for is excluded,
   * permitted only when every name it could stand for is permitted.
   */
  private static boolean dnsMatches(String constraint, String name, boolean excluding) {
    if (!DnsNames.isWildcard(name)) {
      return within(name, constraint);
    }
    String base = name.substring(2);
    if (within(base, constraint)) {
      return true;
    }
    return excluding && constraint.endsWith("." + base)
        && DnsNames.labelCount(constraint) == DnsNames.labelCount(base) + 1;
  }

  private static boolean within(String name, String constraint) {
    return constraint.isEmpty() || name.equals(constraint) || name.endsWith("." + constraint);
  }

  private static boolean ipMatches(byte[] range, byte[] address) {
    if (range.length != address.length * 2) {
      return false;
    }
    for (int i = 0; i < address.length; i++) {
      byte mask = range[address.length + i];
      if ((address[i] & mask) != (range[i] & mask)) {
        return false;
      }
    }
    return true;
  }

  private static boolean emailMatches(String constraint, String mailbox) {
    int at = mailbox.lastIndexOf('@');
    if (at < 0) {
      return false;
    }
    String domain = mailbox.substring(at + 1);
    if (constraint.indexOf('@') >= 0) {
      int cat = constraint.lastIndexOf('@');
      return mailbox.substring(0, at).equals(constraint.substring(0, cat))
          && domain.equalsIgnoreCase(constraint.substring(cat + 1));
    }
    if (constraint.startsWith(".")) {
      return domain.toLowerCase(Locale.ROOT).endsWith(constraint.toLowerCase(Locale.ROOT));
    }
    return domain.equalsIgnoreCase(constraint);
  }

  private static boolean dnMatches(X500Name constraint, X500Name name) {
    RDN[] prefix = constraint.getRDNs();
    RDN[] rdns = name.getRDNs();
    if (prefix.length > rdns.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (!IETFUtils.rDNAreEqual(prefix[i], rdns[i])) {
        return false;
      }
    }
    return true;
  }
}
