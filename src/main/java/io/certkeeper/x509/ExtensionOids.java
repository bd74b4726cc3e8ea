package io.certkeeper.x509;

import java.util.Map;
import java.util.Set;

/** The certificate extensions the validator knows, by OID, with their names for messages. */
final class ExtensionOids {
  static final String BASIC_CONSTRAINTS = "2.5.29.19";
  static final String KEY_USAGE = "2.5.29.15";
  static final String EXTENDED_KEY_USAGE = "2.5.29.37";
  static final String SUBJECT_ALT_NAME = "2.5.29.17";
  static final String ISSUER_ALT_NAME = "2.5.29.18";
  static final String NAME_CONSTRAINTS = "2.5.29.30";
  static final String SUBJECT_KEY_ID = "2.5.29.14";
  static final String AUTHORITY_KEY_ID = "2.5.29.35";
  static final String AUTHORITY_INFO_ACCESS = "1.3.6.1.5.5.7.1.1";
  static final String CERTIFICATE_POLICIES = "2.5.29.32";
  static final String POLICY_MAPPINGS = "2.5.29.33";
  static final String POLICY_CONSTRAINTS = "2.5.29.36";
  static final String INHIBIT_ANY_POLICY = "2.5.29.54";
  static final String CRL_NUMBER = "2.5.29.20";

  /** Extensions whose value the parser decodes (ParsedCertificate); others are never decoded. */
  static final Set<String> PARSED = Set.of(BASIC_CONSTRAINTS, KEY_USAGE, EXTENDED_KEY_USAGE,
      SUBJECT_ALT_NAME, NAME_CONSTRAINTS, SUBJECT_KEY_ID, AUTHORITY_KEY_ID, AUTHORITY_INFO_ACCESS,
      CERTIFICATE_POLICIES, POLICY_MAPPINGS, POLICY_CONSTRAINTS, INHIBIT_ANY_POLICY);

  /** Extensions that may be critical: the ones processed (the policy ones by PolicyTree). */
  static final Set<String> UNDERSTOOD = Set.of(BASIC_CONSTRAINTS, KEY_USAGE, EXTENDED_KEY_USAGE,
      SUBJECT_ALT_NAME, NAME_CONSTRAINTS, CERTIFICATE_POLICIES, POLICY_MAPPINGS,
      POLICY_CONSTRAINTS, INHIBIT_ANY_POLICY);

  private static final Map<String, String> NAMES = Map.ofEntries(
      Map.entry(BASIC_CONSTRAINTS, "basicConstraints"),
      Map.entry(KEY_USAGE, "keyUsage"),
      Map.entry(EXTENDED_KEY_USAGE, "extendedKeyUsage"),
      Map.entry(SUBJECT_ALT_NAME, "subjectAltName"),
      Map.entry(ISSUER_ALT_NAME, "issuerAltName"),
      Map.entry(NAME_CONSTRAINTS, "nameConstraints"),
      Map.entry(SUBJECT_KEY_ID, "subjectKeyIdentifier"),
      Map.entry(AUTHORITY_KEY_ID, "authorityKeyIdentifier"),
      Map.entry(AUTHORITY_INFO_ACCESS, "authorityInformationAccess"),
      Map.entry(CERTIFICATE_POLICIES, "certificatePolicies"),
      Map.entry(POLICY_MAPPINGS, "policyMappings"),
      Map.entry(POLICY_CONSTRAINTS, "policyConstraints"),
      Map.entry(INHIBIT_ANY_POLICY, "inhibitAnyPolicy"),
      Map.entry(CRL_NUMBER, "cRLNumber"));

  private ExtensionOids() {}

  /** The extension's name, or its OID when it has none here. */
  static String name(String oid) {
    return NAMES.getOrDefault(oid, oid);
  }
}
