package io.certkeeper.renew;

import io.certkeeper.util.Coded;

/**
 * The steps of one renewal that matter when the process dies between them (see {@link Renewer}):
 * before {@link #AFTER_SWAP} the old generation stays in force, from it on the new one does.
 * {@link Renewer.Builder#steps} is told of each as the renewal passes it; crash tests halt the
 * process there, everything else passes {@link Observer#NONE}.
 */
public enum RenewalStep implements Coded {
  /** The CA has signed (and recorded) the new certificate; nothing else is written. */
  AFTER_ISSUE("after-issue"),
  /** The new generation's folder is written and fsynced, not yet in force. */
  AFTER_GENERATION("after-generation"),
  /** {@code current} points at the new generation: the commit point. */
  AFTER_SWAP("after-swap"),
  /** The store records the new generation. */
  AFTER_STORE("after-store"),
  /** The configured outputs are written; the hooks have not run. */
  AFTER_OUTPUTS("after-outputs");

  private final String code;

  RenewalStep(String code) {
    this.code = code;
  }

  @Override
  public String code() {
    return code;
  }

  /** Told of each step a renewal passes, on the renewing thread. */
  @FunctionalInterface
  public interface Observer {
    /** Observes nothing. */
    Observer NONE = (certificate, step) -> {};

    /** The renewal of {@code certificate} has just passed {@code step}. */
    void passed(String certificate, RenewalStep step);
  }
}
