package io.certkeeper.x509;

import static io.certkeeper.util.Preconditions.requireArgument;

import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything one validation looks at: the leaf, the untrusted certificates offered with it (any
 * order, duplicates and strangers allowed), the trust anchors, the expected peer name, the time
 * (always the caller's: there is no clock in here), the purpose, CRLs, and an optional limit on
 * the number of intermediates.
 */
public record ValidationRequest(
    X509Certificate leaf,
    List<X509Certificate> untrusted,
    TrustAnchors anchors,
    Optional<PeerName> peerName,
    Instant time,
    Purpose purpose,
    List<X509CRL> crls,
    OptionalInt maxDepth,
    Profile profile,
    PolicyInputs policy,
    boolean requireRevocationCheck) {

  public ValidationRequest {
    Objects.requireNonNull(leaf, "leaf");
    untrusted = List.copyOf(untrusted);
    Objects.requireNonNull(anchors, "anchors");
    Objects.requireNonNull(peerName, "peerName");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(purpose, "purpose");
    crls = List.copyOf(crls);
    Objects.requireNonNull(maxDepth, "maxDepth");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(policy, "policy");
    requireArgument(maxDepth.isEmpty() || maxDepth.getAsInt() >= 0,
        "maxDepth must not be negative: %s", maxDepth);
  }

  /** A request for {@code leaf} against {@code anchors} at {@code time}; see the defaults below. */
  public static Builder builder(X509Certificate leaf, TrustAnchors anchors, Instant time) {
    return new Builder(leaf, anchors, time);
  }

  /**
   * Builds a request. Defaults: no untrusted certificates, no peer name (the name is not
   * checked), purpose {@link Purpose#SERVER}, no CRLs, no depth limit beyond the validator's own,
   * the {@link Profile#WEBPKI} profile, RFC 5280's default policy inputs.
   */
  public static final class Builder {
    private final X509Certificate leaf;
    private final TrustAnchors anchors;
    private final Instant time;
    private List<X509Certificate> untrusted = List.of();
    private Optional<PeerName> peerName = Optional.empty();
    private Purpose purpose = Purpose.SERVER;
    private List<X509CRL> crls = List.of();
    private OptionalInt maxDepth = OptionalInt.empty();
    private Profile profile = Profile.WEBPKI;
    private PolicyInputs policy = PolicyInputs.defaults();
    private boolean requireRevocationCheck;

    private Builder(X509Certificate leaf, TrustAnchors anchors, Instant time) {
      this.leaf = Objects.requireNonNull(leaf, "leaf");
      this.anchors = Objects.requireNonNull(anchors, "anchors");
      this.time = Objects.requireNonNull(time, "time");
    }

    /** Certificates that may serve as intermediates. Default: none. */
    public Builder untrusted(Collection<X509Certificate> certificates) {
      this.untrusted = List.copyOf(certificates);
      return this;
    }

    /** The name the leaf must be valid for. Default: not checked. */
    public Builder peerName(PeerName name) {
      this.peerName = Optional.of(Objects.requireNonNull(name, "name"));
      return this;
    }

    /** What the leaf is for. Default: {@link Purpose#SERVER}. */
    public Builder purpose(Purpose purpose) {
      this.purpose = Objects.requireNonNull(purpose, "purpose");
      return this;
    }

    /** CRLs to check the path against. Default: none (revocation is not checked). */
    public Builder crls(Collection<X509CRL> crls) {
      this.crls = List.copyOf(crls);
      return this;
    }

    /** At most this many intermediates (self-issued ones not counted). Default: no limit. */
    public Builder maxDepth(int maxDepth) {
      requireArgument(maxDepth >= 0, "maxDepth must not be negative: %s", maxDepth);
      this.maxDepth = OptionalInt.of(maxDepth);
      return this;
    }

    /** Which rules beyond RFC 5280 apply. Default: {@link Profile#WEBPKI}. */
    public Builder profile(Profile profile) {
      this.profile = Objects.requireNonNull(profile, "profile");
      return this;
    }

    /** The certificate-policy inputs. Default: {@link PolicyInputs#defaults()}. */
    public Builder policy(PolicyInputs policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Every certificate below the trust anchor must be covered by one of the CRLs given, or the
     * path is refused ({@link Problem#REVOCATION_UNKNOWN}). Default: a certificate no CRL covers
     * is not checked.
     */
    public Builder requireRevocationCheck(boolean require) {
      this.requireRevocationCheck = require;
      return this;
    }

    public ValidationRequest build() {
      return new ValidationRequest(leaf, untrusted, anchors, peerName, time, purpose, crls,
          maxDepth, profile, policy, requireRevocationCheck);
    }
  }
}
