package io.certkeeper.probe;

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

  private NetworkProblems() {}

  static ProbeFailure classify(ProbeTarget target, ProbeStep step, Throwable cause) {
    Throwable c = unwrap(cause);
    ProbeProblem problem;
    String detail;
    if (step == ProbeStep.DNS) {
      problem = ProbeProblem.DNS_ERROR;
      detail = c instanceof UnknownHostException
          ? "cannot resolve " + hostOf(target, c) : "cannot resolve: " + describe(c);
    } else if (step == ProbeStep.PROXY || c instanceof ProxyConnectException) {
      problem = ProbeProblem.PROXY_ERROR;
      detail = describe(c);
      step = ProbeStep.PROXY;
    } else if (step == ProbeStep.STARTTLS || c instanceof StartTlsException) {
      problem = ProbeProblem.STARTTLS_FAILED;
      detail = c.getMessage();
      step = ProbeStep.STARTTLS;
    } else if (c instanceof ConnectTimeoutException || c instanceof SslHandshakeTimeoutException) {
      problem = ProbeProblem.TIMEOUT;
      detail = "no answer in time (" + c.getMessage() + ")";
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

  /** A short reason for a TLS exception: BoringSSL's reason code, or the JDK's message. */
  static String describe(Throwable c) {
    String msg = c.getMessage();
    if (msg == null) {
      return c.getClass().getSimpleName();
    }
    if (c instanceof SSLException) {
      Matcher m = BORINGSSL_REASON.matcher(msg);
      if (m.find()) {
        return m.group(1).toLowerCase(Locale.ROOT);
      }
    }
    return msg;
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof DecoderException || c.getClass() == RuntimeException.class
        || c instanceof java.util.concurrent.CompletionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  private static String hostOf(ProbeTarget target, Throwable c) {
    return c.getMessage() != null ? c.getMessage() : target.host();
  }
}
