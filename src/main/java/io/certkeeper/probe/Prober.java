package io.certkeeper.probe;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslProvider;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Probes TLS endpoints concurrently on a few threads and captures what each one presents.
 *
 * <pre>{@code
 * try (Prober prober = Prober.start(ProbeOptions.defaults())) {
 *   ProbeCapture capture = prober.probe(ProbeTarget.parse("example.com:443")).join();
 * }
 * }</pre>
 *
 * <p>One Netty event loop group (one thread per core) runs every probe; at most
 * {@link ProbeOptions#concurrency()} are in flight and the rest wait in a queue, so thousands of
 * targets cost thousands of small objects, not threads. DNS is asynchronous too. The TLS client
 * context is built once. {@link #probe} never fails for network reasons: the capture says what
 * went wrong and where.
 */
public final class Prober implements AutoCloseable {
  /** What every probe of one prober shares. */
  record Shared(ProbeOptions options, TlsClientContext tls, Bootstrap bootstrap,
      DnsAddressResolverGroup resolvers) {
    AddressResolver<InetSocketAddress> resolver(EventLoop loop) {
      return resolvers.getResolver(loop);
    }
  }

  private final EventLoopGroup group;
  private final Shared shared;
  private final ConcurrencyLimit limit;

  private Prober(EventLoopGroup group, Shared shared) {
    this.group = group;
    this.shared = shared;
    this.limit = new ConcurrencyLimit(shared.options().concurrency());
  }

  /** Starts a prober with one event loop thread per available core. */
  public static Prober start(ProbeOptions options) {
    return start(options, Runtime.getRuntime().availableProcessors());
  }

  /** Starts a prober with {@code threads} event loop threads. */
  public static Prober start(ProbeOptions options, int threads) {
    return start(options, threads, TlsClientContext.create());
  }

  static Prober start(ProbeOptions options, int threads, SslProvider provider) {
    return start(options, threads, TlsClientContext.create(provider));
  }

  private static Prober start(ProbeOptions options, int threads, TlsClientContext tls) {
    Objects.requireNonNull(options, "options");
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads,
        new DefaultThreadFactory("certkeeper-probe", true), NioIoHandler.newFactory());
    Bootstrap bootstrap = new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_LINGER, 0)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()))
        .resolver(NoopAddressResolverGroup.INSTANCE);
    DnsAddressResolverGroup resolvers = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
        .datagramChannelType(NioDatagramChannel.class)
        .queryTimeoutMillis(options.dnsTimeout().toMillis()));
    return new Prober(group, new Shared(options, tls, bootstrap, resolvers));
  }

  /** The options every probe of this prober uses. */
  public ProbeOptions options() {
    return shared.options();
  }

  /** {@code OPENSSL} (BoringSSL through netty-tcnative) or {@code JDK}. */
  public String tlsProvider() {
    return shared.tls().provider().name();
  }

  /** Probes one target; waits its turn when {@code concurrency} probes are already running. */
  public CompletableFuture<ProbeCapture> probe(ProbeTarget target) {
    Objects.requireNonNull(target, "target");
    return limit.submit(() -> new ProbeAttempt(shared, target, group.next()).start());
  }

  /**
   * Probes one target with its own options (server name, STARTTLS, proxy, timeouts); the
   * concurrency bound stays this prober's.
   */
  public CompletableFuture<ProbeCapture> probe(ProbeTarget target, ProbeOptions perTarget) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(perTarget, "perTarget");
    Shared s = new Shared(perTarget, shared.tls(), shared.bootstrap(), shared.resolvers());
    return limit.submit(() -> new ProbeAttempt(s, target, group.next()).start());
  }

  /** Probes every target; the list of captures is in the order of the targets. */
  public CompletableFuture<List<ProbeCapture>> probeAll(List<ProbeTarget> targets) {
    List<CompletableFuture<ProbeCapture>> futures = new ArrayList<>(targets.size());
    for (ProbeTarget t : targets) {
      futures.add(probe(t));
    }
    return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
        .thenApply(v -> futures.stream().map(CompletableFuture::join).toList());
  }

  /** Number of probes in flight; for tests and metrics. */
  int running() {
    return limit.running();
  }

  /** Number of TLS engines whose handshake is still being observed; for leak tests. */
  int observedEngines() {
    return shared.tls().observer().watching();
  }

  /** Stops the threads; probes still running are abandoned. Waits up to 5 s. */
  @Override
  public void close() {
    shared.resolvers().close();
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
