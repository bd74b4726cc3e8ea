package io.certkeeper.probe;

import java.util.Map;

/** Names of TLS alert descriptions (RFC 8446 section 6 and older ones). */
final class TlsAlerts {
  static final int HANDSHAKE_FAILURE = 40;
  static final int BAD_CERTIFICATE = 42;
  static final int PROTOCOL_VERSION = 70;
  static final int INSUFFICIENT_SECURITY = 71;
  static final int CERTIFICATE_REQUIRED = 116;

  private static final Map<Integer, String> NAMES = Map.ofEntries(
      Map.entry(0, "close_notify"), Map.entry(10, "unexpected_message"),
      Map.entry(20, "bad_record_mac"), Map.entry(22, "record_overflow"),
      Map.entry(40, "handshake_failure"), Map.entry(42, "bad_certificate"),
      Map.entry(43, "unsupported_certificate"), Map.entry(44, "certificate_revoked"),
      Map.entry(45, "certificate_expired"), Map.entry(46, "certificate_unknown"),
      Map.entry(47, "illegal_parameter"), Map.entry(48, "unknown_ca"),
      Map.entry(49, "access_denied"), Map.entry(50, "decode_error"),
      Map.entry(51, "decrypt_error"), Map.entry(70, "protocol_version"),
      Map.entry(71, "insufficient_security"), Map.entry(80, "internal_error"),
      Map.entry(86, "inappropriate_fallback"), Map.entry(90, "user_canceled"),
      Map.entry(109, "missing_extension"), Map.entry(110, "unsupported_extension"),
      Map.entry(112, "unrecognized_name"), Map.entry(116, "certificate_required"),
      Map.entry(120, "no_application_protocol"));

  private TlsAlerts() {}

  static String name(int description) {
    return NAMES.getOrDefault(description, "alert_" + description);
  }
}
