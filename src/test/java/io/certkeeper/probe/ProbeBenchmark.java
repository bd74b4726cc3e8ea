package io.certkeeper.probe;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throughput of the prober against many loopback TLS endpoints, next to {@code openssl s_time}
 * on the same server. Not a test: run by hand.
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat cp.txt) io.certkeeper.probe.ProbeBenchmark \
 *     [ports=50] [seconds=10] [concurrency=64] [key=ec|rsa]
 * </pre>
 *
 * <p>Server and prober share the process and the cores, so the CPU figure per probe covers both
 * ends of each handshake.
 */
public final class ProbeBenchmark {
  private ProbeBenchmark() {}

  public static void main(String[] args) throws Exception {
    int ports = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    String keyType = args.length > 3 ? args[3] : "ec";

    TestPki.Held root = TestPki.spec("Bench Root").ca().selfSigned();
    TestPki.Held leaf = TestPki.spec("localhost").dns("localhost")
        .keys(keyType.equals("rsa") ? TestPki.rsa(2048) : TestPki.ec()).issuedBy(root);
    SslProvider serverProvider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    SslContext serverContext = SslContextBuilder.forServer(leaf.key(), leaf.cert(), root.cert())
        .sslProvider(serverProvider).build();
    List<ProbeTarget> targets = new ArrayList<>();
    try (LoopbackServers.NettyTls server = new LoopbackServers.NettyTls(serverContext, 1);
        Prober prober = Prober.start(ProbeOptions.builder().concurrency(concurrency).build())) {
      for (int i = 0; i < ports; i++) {
        targets.add(ProbeTarget.parse("localhost:" + server.bind()));
      }
      System.out.printf(Locale.ROOT, "server %s, prober %s, %d cores, %d ports, key %s, "
          + "concurrency %d%n", serverProvider, prober.tlsProvider(),
          Runtime.getRuntime().availableProcessors(), ports, keyType, concurrency);

      run(prober, targets, 2, "warm-up");
      run(prober, targets, seconds, "prober");
      sTime(targets.get(0).port(), Math.min(seconds, 5));
    }
  }

  private static void run(Prober prober, List<ProbeTarget> targets, int seconds, String label) {
    var os = (com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    long deadline = t0 + Duration.ofSeconds(seconds).toNanos();
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<CompletableFuture<Void>> lanes = new ArrayList<>();
    int lanesCount = prober.options().concurrency();
    for (int lane = 0; lane < lanesCount; lane++) {
      lanes.add(lane(prober, targets, lane, deadline, ok, failed));
    }
    CompletableFuture.allOf(lanes.toArray(new CompletableFuture<?>[0])).join();
    double elapsed = (System.nanoTime() - t0) / 1e9;
    double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
    long n = ok.get() + failed.get();
    System.out.printf(Locale.ROOT, "%-8s %7d probes (%d failed) in %.1f s = %.0f probes/s, "
        + "CPU %.2f ms/probe (client+server)%n", label, n, failed.get(), elapsed, n / elapsed,
        cpu * 1000 / Math.max(1, n));
  }

  /** One chain of probes, each starting when the previous ends, cycling over the targets. */
  private static CompletableFuture<Void> lane(Prober prober, List<ProbeTarget> targets, int i,
      long deadline, AtomicLong ok, AtomicLong failed) {
    if (System.nanoTime() > deadline) {
      return CompletableFuture.completedFuture(null);
    }
    return prober.probe(targets.get(i % targets.size())).thenCompose(c -> {
      (c.failed() ? failed : ok).incrementAndGet();
      return lane(prober, targets, i + prober.options().concurrency(), deadline, ok, failed);
    });
  }

  private static void sTime(int port, int seconds) throws Exception {
    Path out = Files.createTempFile("s_time", ".txt");
    Process p = new ProcessBuilder("openssl", "s_time", "-connect", "127.0.0.1:" + port, "-new",
        "-time", String.valueOf(seconds)).redirectErrorStream(true).redirectOutput(out.toFile())
        .start();
    p.waitFor();
    for (String line : Files.readAllLines(out)) {
      if (line.contains("connections") && !line.startsWith("Now")) {
        System.out.println("s_time   " + line.strip());
      }
    }
    Files.delete(out);
  }
}
