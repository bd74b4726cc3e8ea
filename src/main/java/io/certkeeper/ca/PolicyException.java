package io.certkeeper.ca;

/** A request the CA's policy does not allow; the message gives the reason. Nothing was issued. */
public final class PolicyException extends CaException {
  private static final long serialVersionUID = 1L;

  public PolicyException(String message) {
    super(message);
  }
}
