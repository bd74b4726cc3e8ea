package io.certkeeper.serve;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Objects;

/**
 * One of the daemon's plain HTTP servers, the one implementation of every plain-HTTP role: {@code
 * acme-http} (ACME http-01 challenges must be answered over HTTP on port 80; {@link
 * AcmeHttpHandler}), {@code ocsp} ({@link OcspHttpHandler}) and {@code pki} ({@link
 * PkiHttpHandler}): relying parties fetch revocation information over plain HTTP. Requests are
 * bounded and timed as on the admin API ({@link HttpRole}); the {@link Roles.HttpHandler} answers
 * them.
 */
public final class PlainHttpListener extends Listening {
  private PlainHttpListener(Bound bound, TlsListener.Role role) {
    super(bound, role);
  }

  /**
   * Binds and starts serving.
   *
   * @param maxConnections connections held open at once; one more is closed as soon as it is accepted
   * @throws IOException naming the address when it cannot be bound
   */
  public static PlainHttpListener start(String name, InetSocketAddress bind, Roles.HttpHandler handler,
      HttpLimits limits, int maxConnections, Clock clock) throws IOException {
    TlsListener.Role role = Roles.http(Objects.requireNonNull(handler, "handler"), limits);
    Bound bound = bind(name, bind, 1, new ConnectionLimit(name, maxConnections, clock),
        ch -> role.configure(ch, ch.pipeline()), role::close);
    return new PlainHttpListener(bound, role);
  }
}
