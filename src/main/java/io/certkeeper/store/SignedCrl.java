package io.certkeeper.store;

import java.util.Objects;

/**
 * A CRL as its CA signed it.
 *
 * @param number its CRL number
 * @param der its DER encoding
 */
public record SignedCrl(long number, byte[] der) {
  public SignedCrl {
    Objects.requireNonNull(der, "der");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedCrl s && s.number == number && java.util.Arrays.equals(s.der, der);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(number) * 31 + java.util.Arrays.hashCode(der);
  }

  @Override
  public String toString() {
    return "CRL " + number + " (" + der.length + " bytes)";
  }
}
