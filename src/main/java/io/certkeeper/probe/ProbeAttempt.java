package io.certkeeper.probe;

import io.certkeeper.util.Durations;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyConnectionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * One probe of one target, start to finish, confined to one event loop: DNS, connect (through the
 * proxy if any), STARTTLS if asked, then the modern handshake; when that is refused, a second
 * connection with the legacy ClientHello. Completes its future exactly once, always with a
 * {@link ProbeCapture}; the overall timeout stops it wherever it is.
 */
final class ProbeAttempt {
  /** How long to wait, after a TLS 1.3 handshake in which a client certificate was asked for,
   * for the server to reject the missing certificate (it can only do so after our Finished). */
  static final long CLIENT_CERT_VERDICT_MILLIS = 300;

  private enum Mode { MODERN, LEGACY }

  private final Prober.Shared shared;
  private final ProbeOptions options;
  private final ProbeTarget target;
  private final EventLoop loop;
  private final CompletableFuture<ProbeCapture> result = new CompletableFuture<>();
  private final ProbeCapture.Builder capture;
  private final String sniName;
  private final long startNanos = System.nanoTime();

  private ProbeStep step = ProbeStep.DNS;
  private ScheduledFuture<?> overallTimer;
  private ScheduledFuture<?> verdictTimer;
  private InetSocketAddress remote;
  private Channel channel;
  private SSLEngine engine;
  private HandshakeObserver.Seen seen;
  private long handshakeStartNanos;
  private ProbeFailure modernFailure;
  private boolean awaitingClientCertVerdict;
  /** What was wrong with the certificates the server sent, if anything ({@link PeerChain}). */
  private String chainDefect;
  private final FirstBytes firstBytes = new FirstBytes();

  ProbeAttempt(Prober.Shared shared, ProbeTarget target, EventLoop loop) {
    this.shared = shared;
    this.options = shared.options();
    this.target = target;
    this.loop = loop;
    String expected = options.expectedName(target);
    this.capture = new ProbeCapture.Builder(target, expected);
    this.sniName = isIpLiteral(expected) ? null : expected;
  }

  /** Starts on the event loop; the future always completes normally with a capture. */
  CompletableFuture<ProbeCapture> start() {
    loop.execute(this::begin);
    return result;
  }

  private void begin() {
    overallTimer = loop.schedule(this::onOverallTimeout, options.totalTimeout().toMillis(),
        TimeUnit.MILLISECONDS);
    String host = options.proxy().map(ProxyEndpoint::host).orElse(target.host());
    int port = options.proxy().map(ProxyEndpoint::port).orElse(target.port());
    if (isIpLiteral(host)) {
      resolved(new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(host), port));
      return;
    }
    step = ProbeStep.DNS;
    Future<InetSocketAddress> lookup = shared.resolver(loop)
        .resolve(InetSocketAddress.createUnresolved(host, port));
    ScheduledFuture<?> dnsTimer = loop.schedule(() -> {
      if (lookup.cancel(false) || !lookup.isDone()) {
        fail(new ProbeFailure(ProbeStep.DNS, ProbeProblem.DNS_ERROR,
            NetworkProblems.message(target, ProbeStep.DNS, "no answer for " + host + " within "
                + Durations.format(options.dnsTimeout()))));
      }
    }, options.dnsTimeout().toMillis(), TimeUnit.MILLISECONDS);
    lookup.addListener(f -> {
      dnsTimer.cancel(false);
      if (f.isSuccess()) {
        resolved(lookup.getNow());
      } else if (!f.isCancelled()) {
        fail(NetworkProblems.classify(target, ProbeStep.DNS, f.cause()));
      }
    });
  }

  private void resolved(InetSocketAddress address) {
    if (isFinished()) {
      return;
    }
    remote = address;
    if (options.proxy().isEmpty()) {
      capture.address = address.getAddress().getHostAddress();
    }
    connect(Mode.MODERN);
  }

  private void connect(Mode mode) {
    step = ProbeStep.CONNECT;
    Bootstrap bootstrap = shared.bootstrap().clone(loop)
        .option(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()));
    Control control = new Control(mode);
    bootstrap.handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        channel = ch;
        options.proxy().ifPresent(p -> {
          HttpProxyHandler proxy = p.user().isPresent()
              ? new HttpProxyHandler(remote, p.user().get(), p.password().get())
              : new HttpProxyHandler(remote);
          proxy.setConnectTimeoutMillis(options.connectTimeout().toMillis());
          ch.pipeline().addLast("proxy", proxy);
        });
        ch.pipeline().addLast("control", control);
      }
    });
    InetSocketAddress destination = options.proxy().isPresent()
        ? InetSocketAddress.createUnresolved(target.host(), target.port()) : remote;
    ChannelFuture connect = bootstrap.connect(destination);
    connect.addListener((ChannelFuture f) -> {
      if (!f.isSuccess()) {
        fail(NetworkProblems.classify(target,
            options.proxy().isPresent() ? ProbeStep.PROXY : ProbeStep.CONNECT, f.cause()));
      } else if (options.proxy().isPresent()) {
        step = ProbeStep.PROXY;
      }
    });
  }

  /** TCP (and proxy) are up: run STARTTLS if asked, then the TLS stage. */
  private void transportReady(ChannelHandlerContext ctx, Mode mode) {
    if (capture.connectMs == ProbeTimings.NOT_RUN) {
      capture.connectMs = millisSince(startNanos);
    }
    if (options.startTls().isEmpty()) {
      beginTls(ctx, mode);
      return;
    }
    step = ProbeStep.STARTTLS;
    Promise<Void> upgraded = loop.newPromise();
    upgraded.addListener(f -> {
      if (isFinished()) {
        return;
      }
      if (f.isSuccess()) {
        beginTls(ctx, mode);
      } else {
        fail(NetworkProblems.classify(target, ProbeStep.STARTTLS, f.cause()));
      }
    });
    ctx.pipeline().addBefore("control", "starttls", new StartTlsHandler(options.startTls().get(),
        options.handshakeTimeout().toMillis(), upgraded));
  }

  private void beginTls(ChannelHandlerContext ctx, Mode mode) {
    step = ProbeStep.HANDSHAKE;
    handshakeStartNanos = System.nanoTime();
    firstBytes.reset();
    ctx.pipeline().addBefore("control", "peek", firstBytes);
    if (mode == Mode.LEGACY) {
      Promise<LegacyServerFlight> flight = loop.newPromise();
      flight.addListener(f -> {
        if (f.isSuccess()) {
          legacyFlight(flight.getNow());
        } else {
          legacyBroken(f.cause());
        }
      });
      ScheduledFuture<?> timer = loop.schedule(() -> {
        fail(new ProbeFailure(ProbeStep.HANDSHAKE, ProbeProblem.TIMEOUT,
            NetworkProblems.message(target, ProbeStep.HANDSHAKE, "no answer to the legacy "
                + "ClientHello within " + Durations.format(options.handshakeTimeout()))));
      }, options.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
      flight.addListener(f -> timer.cancel(false));
      ctx.pipeline().addBefore("control", "legacy", new LegacyProbeHandler(sniName, flight));
      return;
    }
    SslHandler ssl = shared.tls().newHandler(ctx.alloc(), sniName);
    ssl.setHandshakeTimeoutMillis(options.handshakeTimeout().toMillis());
    engine = ssl.engine();
    seen = shared.tls().observer().watch(engine);
    ssl.handshakeFuture().addListener(f -> {
      if (f.isSuccess()) {
        modernHandshakeDone(ssl);
      } else {
        modernHandshakeFailed(f.cause());
      }
    });
    ctx.pipeline().addBefore("control", "tls", ssl);
  }

  private void modernHandshakeDone(SslHandler ssl) {
    if (isFinished()) {
      return;
    }
    capture.handshakeMs = millisSince(handshakeStartNanos);
    SSLSession session = ssl.engine().getSession();
    capture.protocol = session.getProtocol();
    capture.cipher = session.getCipherSuite();
    capture.chain = chainOf(session);
    capture.ocspStaple = TlsClientContext.stapledOcsp(ssl.engine());
    capture.clientCertRequested = seen.certificateRequested;
    if (seen.certificateRequested && "TLSv1.3".equals(capture.protocol)) {
      awaitingClientCertVerdict = true;
      long wait = Math.min(CLIENT_CERT_VERDICT_MILLIS, remainingMillis());
      verdictTimer = loop.schedule(() -> finish(), wait, TimeUnit.MILLISECONDS);
      return;
    }
    finish();
  }

  private void clientCertRejected(String how) {
    fail(new ProbeFailure(ProbeStep.HANDSHAKE, ProbeProblem.CLIENT_CERT_REQUIRED,
        NetworkProblems.message(target, ProbeStep.HANDSHAKE,
            "server requires a client certificate (" + how + ")")));
  }

  private void modernHandshakeFailed(Throwable cause) {
    if (isFinished()) {
      return;
    }
    capture.handshakeMs = millisSince(handshakeStartNanos);
    if (seen.chain != null) {
      capture.chain = readChain(List.of(seen.chain));
    }
    ProbeFailure failure = NetworkProblems.classify(target, ProbeStep.HANDSHAKE, cause);
    if (failure.problem() == ProbeProblem.NOT_TLS) {
      fail(notTls());
      return;
    }
    if (seen.certificateRequested) {
      capture.clientCertRequested = true;
      clientCertRejected(NetworkProblems.describe(cause));
      return;
    }
    boolean retry = options.legacyFallback() && failure.problem() == ProbeProblem.HANDSHAKE_FAILED
        && remainingMillis() > 0;
    if (!retry) {
      fail(failure);
      return;
    }
    modernFailure = failure;
    releaseEngine();
    Channel old = channel;
    channel = null;
    old.close();
    connect(Mode.LEGACY);
  }

  private void legacyFlight(LegacyServerFlight flight) {
    if (isFinished()) {
      return;
    }
    capture.handshakeMs = millisSince(handshakeStartNanos);
    capture.legacyHandshake = true;
    switch (flight.state()) {
      case DONE -> {
        capture.protocol = flight.protocol;
        capture.cipher = flight.cipher;
        capture.chain = List.copyOf(flight.chain);
        capture.ocspStaple = flight.ocspStaple;
        capture.dhGroupBits = flight.dhGroupBits;
        capture.clientCertRequested = flight.certificateRequested;
        capture.failure = null;
        finish();
      }
      case NOT_TLS -> fail(notTls());
      default -> fail(new ProbeFailure(ProbeStep.HANDSHAKE, ProbeProblem.HANDSHAKE_FAILED,
          modernFailure.message() + "; a legacy TLS 1.0-1.2 ClientHello got: " + flight.detail));
    }
  }

  private ProbeFailure notTls() {
    return new ProbeFailure(ProbeStep.HANDSHAKE, ProbeProblem.NOT_TLS, NetworkProblems.message(
        target, ProbeStep.HANDSHAKE, "the server's answer is not TLS" + firstBytes.describe()));
  }

  private void legacyBroken(Throwable cause) {
    if (isFinished()) {
      return;
    }
    capture.legacyHandshake = true;
    ProbeFailure legacy = NetworkProblems.classify(target, ProbeStep.HANDSHAKE, cause);
    fail(new ProbeFailure(ProbeStep.HANDSHAKE, ProbeProblem.HANDSHAKE_FAILED,
        modernFailure.message() + "; a legacy TLS 1.0-1.2 ClientHello got: "
            + legacy.message().substring(legacy.message().indexOf(": ") + 2)));
  }

  private void onOverallTimeout() {
    if (isFinished()) {
      return;
    }
    ProbeProblem problem = switch (step) {
      case DNS -> ProbeProblem.DNS_ERROR;
      case PROXY -> ProbeProblem.PROXY_ERROR;
      case STARTTLS -> ProbeProblem.STARTTLS_FAILED;
      default -> ProbeProblem.TIMEOUT;
    };
    fail(new ProbeFailure(step, problem, NetworkProblems.message(target, step,
        "not done within the overall timeout of " + Durations.format(options.totalTimeout()))));
  }

  private void fail(ProbeFailure failure) {
    if (isFinished()) {
      return;
    }
    capture.failure = failure;
    finish();
  }

  private List<X509Certificate> readChain(List<X509Certificate> sent) {
    PeerChain read = PeerChain.of(sent);
    read.defect().ifPresent(d -> chainDefect = d);
    return read.certificates();
  }

  private void finish() {
    if (isFinished()) {
      return;
    }
    if (overallTimer != null) {
      overallTimer.cancel(false);
    }
    if (verdictTimer != null) {
      verdictTimer.cancel(false);
    }
    releaseEngine();
    if (channel != null) {
      channel.close();
    }
    if (capture.failure == null && chainDefect != null) {
      capture.failure = new ProbeFailure(ProbeStep.HANDSHAKE, ProbeProblem.MALFORMED,
          NetworkProblems.message(target, ProbeStep.HANDSHAKE, chainDefect));
    }
    result.complete(capture.build(millisSince(startNanos)));
  }

  private void releaseEngine() {
    if (engine != null) {
      shared.tls().observer().forget(engine);
      engine = null;
    }
  }

  private boolean isFinished() {
    return result.isDone();
  }

  private long remainingMillis() {
    return Math.max(0, options.totalTimeout().toMillis() - millisSince(startNanos));
  }

  private List<X509Certificate> chainOf(SSLSession session) {
    if (seen.chain != null) {
      return readChain(List.of(seen.chain));
    }
    try {
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate c : session.getPeerCertificates()) {
        chain.add((X509Certificate) c);
      }
      return readChain(chain);
    } catch (SSLPeerUnverifiedException e) {
      return List.of();
    }
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }

  private static boolean isIpLiteral(String host) {
    return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
  }

  /** The last handler of every probe channel: moves the probe along on channel events. */
  private final class Control extends ChannelInboundHandlerAdapter {
    private final Mode mode;

    Control(Mode mode) {
      this.mode = mode;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      if (isFinished() || ctx.channel() != channel) {
        ctx.close();
        return;
      }
      if (options.proxy().isEmpty()) {
        transportReady(ctx, mode);
      } else {
        step = ProbeStep.PROXY;
      }
      ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ProxyConnectionEvent && !isFinished() && ctx.channel() == channel) {
        transportReady(ctx, mode);
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      io.netty.util.ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (ctx.channel() != channel || isFinished()) {
        return;
      }
      if (awaitingClientCertVerdict) {
        clientCertRejected(NetworkProblems.describe(cause));
      } else if (step == ProbeStep.PROXY || step == ProbeStep.CONNECT) {
        fail(NetworkProblems.classify(target, step, cause));
      }
      // Handshake and STARTTLS failures arrive through their own futures.
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (ctx.channel() != channel || isFinished()) {
        return;
      }
      if (awaitingClientCertVerdict) {
        clientCertRejected("it closed the connection after the handshake");
      } else if (step == ProbeStep.PROXY || step == ProbeStep.CONNECT) {
        fail(new ProbeFailure(step, step == ProbeStep.PROXY ? ProbeProblem.PROXY_ERROR
            : ProbeProblem.HANDSHAKE_FAILED, NetworkProblems.message(target, step,
            "connection closed " + (step == ProbeStep.PROXY ? "by the proxy" : "by the server")
                .toLowerCase(Locale.ROOT))));
      }
    }
  }
}
