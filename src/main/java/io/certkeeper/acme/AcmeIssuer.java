package io.certkeeper.acme;

import io.certkeeper.config.AcmeChallenge;
import io.certkeeper.config.AcmeConfig;
import io.certkeeper.store.AcmeChallengeRepository;
import io.certkeeper.store.StoreException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.OrderBuilder;
import org.shredzone.acme4j.RenewalInfo;
import org.shredzone.acme4j.connector.Resource;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.challenge.Dns01Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.challenge.TlsAlpn01Challenge;
import org.shredzone.acme4j.exception.AcmeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets a certificate from an ACME server: places an order for the names, answers each pending
 * authorization's challenge, finalizes with a CSR signed by the certificate's key, and downloads
 * the chain. Every wait has a deadline; a failure is one {@link AcmeFailure} line naming the step
 * and the server's problem.
 *
 * <p>http-01 and tls-alpn-01 answers are published in the store ({@code acme_challenges}) for as
 * long as the order may take and withdrawn when it ends, so the listeners of any process on the
 * store (the daemon, while {@code certkeeper renew} runs) answer them: {@code acme-http} listeners
 * http-01, TLS listeners tls-alpn-01.
 */
public final class AcmeIssuer {
  /** How long the server may take to validate one authorization, and to issue after finalizing. */
  static final Duration STEP_TIMEOUT = Duration.ofMinutes(2);

  private static final Logger log = LoggerFactory.getLogger(AcmeIssuer.class);
  /** Problems of a new order that names a certificate it replaces, after which it is placed without. */
  private static final java.util.Set<String> REPLACES_REFUSED = java.util.Set.of(
      "urn:ietf:params:acme:error:alreadyReplaced", "urn:ietf:params:acme:error:malformed");

  private final AcmeAccounts accounts;
  private final AcmeChallengeRepository challenges;
  private final Clock clock;
  private final String node;

  public AcmeIssuer(AcmeAccounts accounts, AcmeChallengeRepository challenges, Clock clock, String node) {
    this.accounts = Objects.requireNonNull(accounts, "accounts");
    this.challenges = Objects.requireNonNull(challenges, "challenges");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.node = Objects.requireNonNull(node, "node");
  }

  /**
   * The issuer for {@code config}'s ACME accounts, as node {@code config.nodeName()}, its account keys
   * under {@code dataDir} encrypted with {@code acme.passphrase}, else {@code ca.passphrase}.
   */
  public static AcmeIssuer of(io.certkeeper.config.Config config, java.nio.file.Path dataDir,
      io.certkeeper.store.Store store, Clock clock) {
    return new AcmeIssuer(new AcmeAccounts(dataDir, config.acme().passphrase().or(() -> config.ca().passphrase())),
        new AcmeChallengeRepository(store), clock, config.nodeName());
  }

  /**
   * How the names are proved: the challenge, and what answers it besides the listeners (the DNS
   * hooks of dns-01, the web server's document root of http-01).
   *
   * @param webroot http-01: where the answers are written too, under {@code .well-known/acme-challenge/}
   */
  public record Validation(AcmeChallenge challenge, DnsRecords dns, Optional<java.nio.file.Path> webroot) {
    public Validation {
      Objects.requireNonNull(challenge, "challenge");
      Objects.requireNonNull(dns, "dns");
      Objects.requireNonNull(webroot, "webroot");
    }
  }

  /**
   * Issues a certificate for {@code names} (the first is the subject's common name) with {@code key},
   * through {@code account}, proved as {@code validation} says, telling the server which certificate
   * it replaces (ARI, RFC 9773 5) when {@code replaces} is given; a server that refuses that
   * (already replaced, say) gets the order again without it.
   *
   * @return the certificate followed by its chain, as the server sent it
   */
  public List<X509Certificate> issue(AcmeConfig.Account account, Validation validation, List<String> names,
      KeyPair key, Optional<X509Certificate> replaces) throws AcmeFailure, InterruptedException {
    try {
      return order(account, validation, names, key, replaces);
    } catch (RuntimeException e) {
      // acme4j's unchecked ones: a malformed answer (AcmeProtocolException), a lazy load that failed
      throw new AcmeFailure("order for " + String.join(", ", names) + " at " + account.directory() + ": "
          + io.certkeeper.util.Printable.line(String.valueOf(e.getMessage()), 500), java.util.Optional.empty(), e);
    }
  }

  private List<X509Certificate> order(AcmeConfig.Account account, Validation validation, List<String> names,
      KeyPair key, Optional<X509Certificate> replaces) throws AcmeFailure, InterruptedException {
    AcmeChallenge challenge = validation.challenge();
    DnsRecords dns = validation.dns();
    Login login = accounts.login(account);
    Order order;
    try {
      order = newOrder(login, names, replaces);
    } catch (AcmeServerException e) {
      if (replaces.isEmpty() || !REPLACES_REFUSED.contains(e.getType().toString())) {
        throw Problems.failure("new order for " + String.join(", ", names) + " at " + account.directory(), e);
      }
      log.info("acme - {}: the server refuses to treat the order as a replacement ({}); ordering without",
          names.get(0), Problems.describe(e.getProblem()));
      try {
        order = newOrder(login, names, Optional.empty());
      } catch (AcmeException again) {
        throw Problems.failure("new order for " + String.join(", ", names) + " at " + account.directory(), again);
      }
    } catch (AcmeException e) {
      throw Problems.failure("new order for " + String.join(", ", names) + " at " + account.directory(), e);
    }
    List<String> published = new ArrayList<>();
    List<String[]> records = new ArrayList<>();
    List<java.nio.file.Path> written = new ArrayList<>();
    try {
      for (Authorization auth : authorizations(order)) {
        String id = auth.getIdentifier().getValue();
        if (names.stream().noneMatch(n -> n.equalsIgnoreCase(id) || n.equalsIgnoreCase("*." + id))) {
          throw new AcmeFailure("the server asks to authorize " + id + ", which the order did not name");
        }
        switch (challenge) {
          case DNS_01 -> authorizeByDns(auth, dns, records);
          case TLS_ALPN_01 -> authorizeByTlsAlpn(auth, published);
          case HTTP_01 -> authorize(auth, published, validation.webroot(), written);
        }
      }
      try {
        Status ready = order.waitUntilReady(STEP_TIMEOUT);
        if (ready != Status.READY) {
          throw new AcmeFailure("order " + order.getLocation() + " is " + status(ready) + ", not ready"
              + order.getError().map(p -> ": " + Problems.describe(p)).orElse(""));
        }
        order.execute(key, csr -> csr.setCommonName(names.get(0)));
        Status done = order.waitForCompletion(STEP_TIMEOUT);
        if (done != Status.VALID) {
          throw new AcmeFailure("order " + order.getLocation() + " is " + status(done) + " after finalizing"
              + order.getError().map(p -> ": " + Problems.describe(p)).orElse(""));
        }
        List<X509Certificate> chain = order.getCertificate().getCertificateChain();
        ChainCheck.check(chain, key.getPublic(), names, clock.instant());
        log.info("acme - {} issued by {} ({} certificates in the chain)", names.get(0), account.directory(),
            chain.size());
        return chain;
      } catch (AcmeException e) {
        throw Problems.failure("finalize order " + order.getLocation(), e);
      }
    } finally {
      for (java.nio.file.Path f : written) {
        try {
          java.nio.file.Files.deleteIfExists(f);
        } catch (java.io.IOException e) {
          log.warn("acme - cannot remove the http-01 answer {}: {}", f, e.getMessage());
        }
      }
      for (String[] r : records) {
        dns.clear(r[0], r[1], r[2]);
      }
      for (String token : published) {
        try {
          challenges.withdraw(token);
        } catch (StoreException e) {
          log.warn("acme - cannot withdraw the http-01 answer {} (it expires by itself): {}", token, e.getMessage());
        }
      }
    }
  }

  private static Order newOrder(Login login, List<String> names, Optional<X509Certificate> replaces)
      throws AcmeException {
    OrderBuilder b = login.newOrder().domains(names);
    if (replaces.isPresent()) {
      b.replaces(replaces.get());
    }
    return b.create();
  }

  /**
   * The server's renewal information for {@code certificate} (ARI, RFC 9773), or empty when the
   * server offers none (no {@code renewalInfo} in its directory).
   */
  public Optional<SuggestedWindow> renewalInfo(AcmeConfig.Account account, X509Certificate certificate)
      throws AcmeFailure {
    String what = "renewal information for serial " + certificate.getSerialNumber().toString(16);
    Login login = accounts.login(account);
    try {
      if (login.getSession().resourceUrlOptional(Resource.RENEWAL_INFO).isEmpty()) {
        return Optional.empty();
      }
      RenewalInfo info = login.bindRenewalInfo(certificate);
      Optional<Instant> retryAfter = info.fetch();
      Instant start = info.getSuggestedWindowStart();
      Instant end = info.getSuggestedWindowEnd();
      if (!end.isAfter(start)) {
        throw new AcmeFailure(what + ": the suggested window ends (" + end + ") before it starts (" + start + ")");
      }
      return Optional.of(new SuggestedWindow(start, end,
          info.getExplanation().map(u -> io.certkeeper.util.Printable.line(u.toString(), 500)), retryAfter));
    } catch (AcmeException e) {
      throw Problems.failure(what, e);
    } catch (RuntimeException e) {
      throw new AcmeFailure(what + ": " + io.certkeeper.util.Printable.line(String.valueOf(e.getMessage()), 500),
          Optional.empty(), e);
    }
  }

  /**
   * Revokes {@code certificate} at {@code account}'s server (RFC 8555 7.6), signed with the account
   * key.
   *
   * @param reasonCode the CRLReason code (RFC 5280 5.3.1)
   */
  public void revoke(AcmeConfig.Account account, X509Certificate certificate, int reasonCode) throws AcmeFailure {
    Login login = accounts.login(account);
    try {
      org.shredzone.acme4j.Certificate.revoke(login, certificate,
          org.shredzone.acme4j.RevocationReason.code(reasonCode));
    } catch (AcmeException e) {
      throw Problems.failure("revoke serial " + certificate.getSerialNumber().toString(16), e);
    } catch (IllegalArgumentException e) {
      throw new AcmeFailure("revoke: no ACME revocation reason " + reasonCode);
    }
  }

  private static List<Authorization> authorizations(Order order) throws AcmeFailure {
    try {
      return order.getAuthorizations();
    } catch (RuntimeException e) {
      throw new AcmeFailure("order " + order.getLocation() + ": cannot read its authorizations: " + e.getMessage());
    }
  }

  /** Puts up the answer to one challenge (a store row, a TXT record) before the server is told to look. */
  @FunctionalInterface
  private interface Answer<C extends Challenge> {
    void put(C challenge, String name) throws AcmeFailure, StoreException, InterruptedException;
  }

  /**
   * Answers one authorization's http-01 challenge, published in the store until the order ends, and
   * written under {@code webroot} (world-readable: the web server serves it; a key authorization is
   * no secret) when one is given.
   */
  private void authorize(Authorization auth, List<String> published, Optional<java.nio.file.Path> webroot,
      List<java.nio.file.Path> written) throws AcmeFailure, InterruptedException {
    answer(auth, Http01Challenge.class, "http-01", (ch, name) -> {
      Instant now = clock.instant();
      challenges.publish(ch.getToken(), ch.getAuthorization(), name, node, now, now.plus(STEP_TIMEOUT.multipliedBy(3)));
      published.add(ch.getToken());
      if (webroot.isPresent()) {
        if (!ch.getToken().matches("[A-Za-z0-9_-]{1,255}")) {
          throw new AcmeFailure(name + ": the server's http-01 token is not base64url; not written under " + webroot.get());
        }
        java.nio.file.Path dir = webroot.get().resolve(".well-known").resolve("acme-challenge");
        java.nio.file.Path file = dir.resolve(ch.getToken());
        try {
          java.nio.file.Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
              java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
          io.certkeeper.util.AtomicFiles.write(file, ch.getAuthorization().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
              io.certkeeper.util.AtomicFiles.PUBLIC);
          written.add(file);
        } catch (java.io.IOException e) {
          throw new AcmeFailure(name + ": cannot write the http-01 answer: " + io.certkeeper.util.ErrorText.about(file, e));
        }
      }
    });
  }

  /**
   * Answers one authorization's tls-alpn-01 challenge: the key authorization is published in the
   * store by name until the order ends, and the TLS listeners of every process on the store make
   * the validation certificate from it when the server's ClientHello asks for {@code acme-tls/1}.
   */
  private void authorizeByTlsAlpn(Authorization auth, List<String> published) throws AcmeFailure, InterruptedException {
    answer(auth, TlsAlpn01Challenge.class, "tls-alpn-01", (ch, name) -> {
      Instant now = clock.instant();
      String keyAuthorization = ch.getAuthorization();
      String token = keyAuthorization.substring(0, Math.max(0, keyAuthorization.indexOf('.'))); // TOKEN.THUMBPRINT
      challenges.publish(AcmeChallengeRepository.TLS_ALPN_01, token, keyAuthorization,
          name.toLowerCase(java.util.Locale.ROOT), node, now, now.plus(STEP_TIMEOUT.multipliedBy(3)));
      published.add(token);
    });
  }

  /** Answers one authorization's dns-01 challenge through {@code dns}; the record is cleared when the order ends. */
  private static void authorizeByDns(Authorization auth, DnsRecords dns, List<String[]> records)
      throws AcmeFailure, InterruptedException {
    answer(auth, Dns01Challenge.class, "dns-01", (ch, name) -> {
      String record = ch.getRRName(auth.getIdentifier());
      records.add(new String[] {record, ch.getDigest(), name});
      dns.set(record, ch.getDigest(), name);
    });
  }

  /**
   * Unless the authorization is valid already (the server reused one): finds its challenge of
   * {@code type}, puts up the answer, tells the server to look and waits for its verdict.
   */
  private static <C extends Challenge> void answer(Authorization auth, Class<C> type, String code, Answer<C> answer)
      throws AcmeFailure, InterruptedException {
    String name = auth.getIdentifier().getValue();
    try {
      if (auth.getStatus() == Status.VALID) {
        return;
      }
      C ch = auth.findChallenge(type).orElseThrow(() -> new AcmeFailure(name + ": the server offers no " + code
          + " challenge (it offers " + auth.getChallenges().stream().map(Challenge::getType).toList() + ")"));
      answer.put(ch, name);
      ch.trigger();
      Status s = ch.waitForCompletion(STEP_TIMEOUT);
      if (s != Status.VALID) {
        throw new AcmeFailure(name + ": " + code + " challenge " + status(s)
            + ch.getError().map(p -> ": " + Problems.describe(p)).orElse(""));
      }
    } catch (AcmeException e) {
      throw Problems.failure(name + ": " + code + " challenge", e);
    } catch (StoreException e) {
      throw new AcmeFailure(name + ": cannot publish the " + code + " answer: " + e.getMessage());
    }
  }

  private static String status(Status s) {
    return s.name().toLowerCase(java.util.Locale.ROOT);
  }
}
