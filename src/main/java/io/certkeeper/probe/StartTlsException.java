package io.certkeeper.probe;

/** The plain-text part of a STARTTLS upgrade failed; the message names the exchange. */
final class StartTlsException extends Exception {
  private static final long serialVersionUID = 1L;

  StartTlsException(String message) {
    super(message);
  }
}
