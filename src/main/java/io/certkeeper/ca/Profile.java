package io.certkeeper.ca;

import io.certkeeper.util.Coded;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * What a leaf certificate is for, which sets its extended key usage: a TLS {@code server}, a TLS
 * {@code client}, or both ({@code server-client}, for mutual TLS between peers).
 */
public enum Profile implements Coded {
  SERVER("server", KeyPurposeId.id_kp_serverAuth),
  CLIENT("client", KeyPurposeId.id_kp_clientAuth),
  SERVER_CLIENT("server-client", KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);

  /** The profile used when none is given. */
  public static final Profile DEFAULT = SERVER;

  private final String code;
  private final List<KeyPurposeId> purposes;

  Profile(String code, KeyPurposeId... purposes) {
    this.code = code;
    this.purposes = List.of(purposes);
  }

  /** The name on the command line, in the store and in JSON. */
  @Override
  public String code() {
    return code;
  }

  List<KeyPurposeId> purposes() {
    return purposes;
  }

  /** Every code, comma-separated. */
  public static String codes() {
    return Arrays.stream(values()).map(Profile::code).collect(Collectors.joining(", "));
  }

  /** The profile named {@code code} (case-insensitive). */
  public static Profile parse(String code) {
    String c = code == null ? "" : code.trim().toLowerCase(Locale.ROOT);
    for (Profile p : values()) {
      if (p.code.equals(c)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown profile '" + code + "' (known: " + codes() + ")");
  }
}
