package io.certkeeper.cli;

import io.certkeeper.serve.PemKeySource;
import io.certkeeper.serve.ReloadableSslContext;
import io.certkeeper.serve.Roles;
import io.certkeeper.serve.TlsListener;
import io.certkeeper.serve.TlsOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run of certkeeper's class-data-sharing archive: runs, in this one JVM, the commands
 * operators run most ({@code --version}, {@code --help}, {@code status}, {@code list}, {@code
 * verify}, {@code probe}) on a throwaway data directory, so that a JVM started with {@code
 * -XX:ArchiveClassesAtExit=FILE} writes the classes they load, already parsed and verified, into
 * FILE. The launchers start each command with {@code -XX:SharedArchiveFile=FILE}, which spares it
 * most of its class loading. {@code scripts/cds-archive} runs this at package and at install time.
 *
 * <p>The chain to verify and probe comes from a local CA made here ({@code ca init}, {@code
 * issue}); the probed endpoint is a listener of this JVM serving it on loopback. Bouncy Castle's
 * classes are not archived whatever runs: the JVM shares no class from a signed jar.
 */
public final class CdsTraining {
  private CdsTraining() {}

  public static void main(String[] args) throws Exception {
    Main.setUp(new String[0]);
    Path work = Files.createTempDirectory("certkeeper-cds-training");
    try {
      train(work);
    } finally {
      deleteTree(work);
    }
  }

  private static void train(Path work) throws Exception {
    Path config = work.resolve("certkeeper.yaml");
    Files.writeString(config, "data-dir: " + work.resolve("data") + "\n");
    Path passphrase = work.resolve("ca-passphrase");
    Files.writeString(passphrase, "certkeeper class-data-sharing training\n");
    String cfg = config.toString();
    run("--version");
    run("--help");
    run("--config", cfg, "status");
    run("--config", cfg, "list", "--json");
    run("--config", cfg, "ca", "init", "--passphrase-file", passphrase.toString());
    Path root = work.resolve("root.pem");
    run("--config", cfg, "ca", "export-root", "--out", root.toString());
    Path issued = work.resolve("issued");
    run("--config", cfg, "issue", "--passphrase-file", passphrase.toString(), "--cn", "localhost", "--san",
        "ip:127.0.0.1", "--out-dir", issued.toString());
    run("verify", "--trusted", root.toString(), issued.resolve("cert.pem").toString());
    run("verify", "--json", "--trusted", root.toString(), "--hostname", "localhost",
        issued.resolve("fullchain.pem").toString());
    ReloadableSslContext tls = ReloadableSslContext.load(
        new PemKeySource(issued.resolve("fullchain.pem"), issued.resolve("key.pem")), TlsOptions.defaults(), Clock.systemUTC());
    try (TlsListener listener = TlsListener.start("cds-training", new InetSocketAddress("127.0.0.1", 0), tls,
        Roles.echo(), 1, Clock.systemUTC())) {
      String target = "127.0.0.1:" + listener.address().getPort();
      run("--config", cfg, "probe", "--ca-file", root.toString(), target);
      run("--config", cfg, "probe", "--json", "--ca-file", root.toString(), target);
    }
    run("--config", cfg, "status");
    run("--config", cfg, "status", "--json");
    run("--config", cfg, "list");
    run("--config", cfg, "list", "--json");
  }

  /** Runs one command line as {@link Main} does; fails with what it printed when it exits non-zero. */
  private static void run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true), Map.of(), Clock.systemUTC());
    if (code != ExitCodes.OK) {
      throw new IllegalStateException("certkeeper " + String.join(" ", args) + " exited " + code + ": " + err);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    List<Path> all = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(all::add);
    }
    for (Path p : all) {
      Files.deleteIfExists(p);
    }
  }
}
