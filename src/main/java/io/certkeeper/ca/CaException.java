package io.certkeeper.ca;

/**
 * The CA cannot do what was asked: no CA, wrong passphrase, damaged files, a certificate that
 * would outlive its issuer. The message is one line that says what and where, never a secret.
 */
public class CaException extends Exception {
  private static final long serialVersionUID = 1L;

  public CaException(String message) {
    super(message);
  }

  public CaException(String message, Throwable cause) {
    super(message, cause);
  }
}
