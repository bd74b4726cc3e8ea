package io.certkeeper.probe;

/** The plain-text part of a STARTTLS upgrade failed; the message names the exchange. */
final class StartTlsException extends Exception {
  StartTlsException(String message) {
    super(message);
  }
}
