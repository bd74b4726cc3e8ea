package io.certkeeper.probe;

import io.certkeeper.util.ErrorText;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.proxy.ProxyConnectException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Turns what went wrong on the wire into a {@link ProbeFailure}: a problem code and a message
 * that names the endpoint and the step.
 *
 * <p>Policy: any failure to resolve is {@code dns_error}; a refused or unreachable connect is
 * {@code refused}; a connect or handshake that gets no answer in time is {@code timeout}; every
 * failure while talking to the proxy is {@code proxy_error} and every failure of the plain-text
 * upgrade is {@code starttls_failed}, whatever the cause, because those are what to fix; an
 * answer that is not TLS is {@code not_tls}; anything else in the handshake is
 * {@code handshake_failed}.
 */
final class NetworkProblems {
  private static final Pattern BORINGSSL_REASON = Pattern.compile("OPENSSL_internal:([A-Z0-9_]+)");
  private static final Pattern PROXY_STATUS = Pattern.compile("status: (.+)$");

  private NetworkProblems() {}

  static ProbeFailure classify(ProbeTarget target, ProbeStep step, Throwable cause) {
    Throwable c = unwrap(cause);
    ProbeProblem problem;
    String detail;
    if (step == ProbeStep.DNS) {
      problem = ProbeProblem.DNS_ERROR;
      detail = c instanceof UnknownHostException
          ? "cannot resolve host " + dnsHost(target, c) : "cannot resolve host " + dnsHost(target, c) + ": " + describe(c);
    } else if (step == ProbeStep.PROXY || c instanceof ProxyConnectException) {
      problem = ProbeProblem.PROXY_ERROR;
      detail = c instanceof ProxyConnectException ? proxyDetail(c) : "cannot reach the proxy: " + describe(c);
      step = ProbeStep.PROXY;
    } else if (step == ProbeStep.STARTTLS || c instanceof StartTlsException) {
      problem = ProbeProblem.STARTTLS_FAILED;
      detail = c instanceof StartTlsException ? c.getMessage() : describe(c);
      step = ProbeStep.STARTTLS;
    } else if (c instanceof ConnectTimeoutException || c instanceof SslHandshakeTimeoutException) {
      problem = ProbeProblem.TIMEOUT;
      detail = "no answer in time (" + describe(c) + ")";
    } else if (step == ProbeStep.CONNECT
        && (c instanceof ConnectException || c instanceof NoRouteToHostException)) {
      problem = ProbeProblem.REFUSED;
      detail = describe(c);
    } else if (c instanceof NotSslRecordException) {
      problem = ProbeProblem.NOT_TLS;
      detail = "the server's answer is not TLS";
    } else if (step == ProbeStep.CONNECT) {
      problem = ProbeProblem.REFUSED;
      detail = describe(c);
    } else if (c instanceof ClosedChannelException) {
      problem = ProbeProblem.HANDSHAKE_FAILED;
      detail = "server closed the connection during the handshake";
    } else {
      problem = ProbeProblem.HANDSHAKE_FAILED;
      detail = describe(c);
    }
    return new ProbeFailure(step, problem, message(target, step, detail));
  }

  /** {@code host:port step: detail}. */
  static String message(ProbeTarget target, ProbeStep step, String detail) {
    return target.hostAndPort() + " " + step.label() + ": " + detail;
  }

  /**
   * A short reason: BoringSSL's reason code for a TLS exception, else the exception in words
   * ({@link ErrorText}: {@code connection refused by 127.0.0.1:443}, never a Java class name or
   * {@code host/1.2.3.4:443}).
   */
  static String describe(Throwable c) {
    String msg = c.getMessage();
    if (msg != null && c instanceof SSLException) {
      Matcher m = BORINGSSL_REASON.matcher(msg);
      if (m.find()) {
        return m.group(1).toLowerCase(Locale.ROOT);
      }
    }
    return ErrorText.reason(c);
  }

  /**
   * Netty's proxy failures read {@code http, none, /127.0.0.1:3128 => host:443, status: 407 Proxy
   * Authentication Required}: keep what the proxy said.
   */
  static String proxyDetail(Throwable c) {
    String msg = c.getMessage();
    if (msg != null) {
      Matcher m = PROXY_STATUS.matcher(msg);
      if (m.find()) {
        return "the proxy answered " + m.group(1).strip();
      }
      int arrow = msg.indexOf(" => ");
      int comma = arrow < 0 ? -1 : msg.indexOf(", ", arrow);
      if (comma > 0) {
        return ErrorText.clean(msg.substring(comma + 2));
      }
    }
    return describe(c);
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof DecoderException || c.getClass() == RuntimeException.class
        || c instanceof java.util.concurrent.CompletionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  /** The name that did not resolve: the proxy's or the target's, as the resolver reports it. */
  private static String dnsHost(ProbeTarget target, Throwable c) {
    return c.getMessage() == null ? target.host() : ErrorText.unresolvedHost(c.getMessage());
  }
}
