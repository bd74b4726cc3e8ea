package io.certkeeper.renew;

import io.certkeeper.acme.AcmeFailure;
import io.certkeeper.acme.AcmeIssuer;
import io.certkeeper.acme.SuggestedWindow;
import io.certkeeper.config.AcmeConfig;
import io.certkeeper.store.AcmeState;
import io.certkeeper.store.AcmeStateRepository;
import io.certkeeper.store.ManagedState;
import io.certkeeper.store.StoreException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When an ACME certificate renews by its server's word (ARI, RFC 9773): the server's suggested
 * window for the certificate in force is fetched when the last answer's Retry-After has passed,
 * kept in the store, and a time chosen at random inside it (the jitter that spreads a whole
 * fleet's renewals), which stays as long as the window does. A window that moves earlier (a mass
 * revocation) gets a new time in it; one that has passed means renew now. A server without
 * renewalInfo leaves the certificate's own renew-at/renew-before policy in charge.
 */
final class AriSchedule {
  /** How long an answer holds when the server gives no Retry-After (RFC 9773 4.3 suggests polling twice a day). */
  static final Duration DEFAULT_REFRESH = Duration.ofHours(6);
  /** The longest a server's Retry-After keeps us from asking again. */
  static final Duration MAX_REFRESH = Duration.ofHours(24);
  /** How long a server without renewalInfo is not asked again. */
  static final Duration NOT_OFFERED_REFRESH = Duration.ofHours(24);
  /** After a failed fetch: asked again after this, the last window (if any) still in force. */
  static final Duration FAILED_REFRESH = Duration.ofHours(1);

  private static final Logger log = LoggerFactory.getLogger(AriSchedule.class);

  private final AcmeIssuer acme;
  private final AcmeStateRepository states;
  private final RandomGenerator random;
  /** The last fetch failure per certificate, logged once until it changes. */
  private final Map<String, String> lastFailure = new ConcurrentHashMap<>();

  AriSchedule(AcmeIssuer acme, AcmeStateRepository states, RandomGenerator random) {
    this.acme = Objects.requireNonNull(acme, "acme");
    this.states = Objects.requireNonNull(states, "states");
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * When {@code s}'s certificate should renew by its server's renewal information, asking the
   * server first when the stored answer is due for a refresh; empty when the server offers none.
   *
   * @param certificate the certificate in force (serial {@code s.serial()})
   */
  Optional<Instant> renewAt(AcmeConfig.Account account, ManagedState s, X509Certificate certificate, Instant now)
      throws StoreException {
    Optional<AcmeState.Ari> known = states.find(s.name()).flatMap(AcmeState::ari)
        .filter(a -> a.serial().equals(s.serial()));
    if (known.isPresent() && now.isBefore(known.get().nextFetch())) {
      return known.get().window().map(AcmeState.Window::renewAt);
    }
    Optional<AcmeState.Window> previous = known.flatMap(AcmeState.Ari::window);
    try {
      Optional<SuggestedWindow> w = acme.renewalInfo(account, certificate);
      lastFailure.remove(s.name());
      if (w.isEmpty()) {
        states.renewalInfo(s.name(), new AcmeState.Ari(s.serial(), Optional.empty(), now.plus(NOT_OFFERED_REFRESH)));
        return Optional.empty();
      }
      SuggestedWindow sw = w.get();
      AcmeState.Window window = choose(previous, sw, now);
      Duration wait = sw.retryAfter().map(t -> Duration.between(now, t)).orElse(DEFAULT_REFRESH);
      Instant next = now.plus(wait.isNegative() ? Duration.ZERO : wait.compareTo(MAX_REFRESH) > 0 ? MAX_REFRESH : wait);
      states.renewalInfo(s.name(), new AcmeState.Ari(s.serial(), Optional.of(window), next));
      if (previous.isEmpty() || !previous.get().renewAt().equals(window.renewAt())) {
        log.info("{} - the ACME server suggests renewing between {} and {}{}; renewing at {}", s.name(), sw.start(),
            sw.end(), sw.explanation().map(e -> " (" + e + ")").orElse(""), window.renewAt());
      }
      return Optional.of(window.renewAt());
    } catch (AcmeFailure e) {
      if (!e.getMessage().equals(lastFailure.put(s.name(), e.getMessage()))) {
        log.warn("{} - cannot get renewal information (asking again in {}; {}): {}", s.name(),
            io.certkeeper.util.HumanTime.duration(FAILED_REFRESH),
            previous.isPresent() ? "the last window holds" : "the renewal policy decides", e.getMessage());
      }
      states.renewalInfo(s.name(), new AcmeState.Ari(s.serial(), previous, now.plus(FAILED_REFRESH)));
      return previous.map(AcmeState.Window::renewAt);
    }
  }

  /**
   * The time to renew in {@code w}: the one chosen before while the window has not changed, else a
   * uniformly random one in what is left of it, or now once it has passed (RFC 9773 4.2).
   */
  AcmeState.Window choose(Optional<AcmeState.Window> previous, SuggestedWindow w, Instant now) {
    if (previous.isPresent() && previous.get().start().equals(w.start()) && previous.get().end().equals(w.end())) {
      return new AcmeState.Window(w.start(), w.end(), previous.get().renewAt(), w.explanation());
    }
    Instant from = w.start().isAfter(now) ? w.start() : now;
    Instant at = !w.end().isAfter(from) ? now
        : from.plusMillis(random.nextLong(Duration.between(from, w.end()).toMillis() + 1));
    return new AcmeState.Window(w.start(), w.end(), at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
        w.explanation());
  }
}
