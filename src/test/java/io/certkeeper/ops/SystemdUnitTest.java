package io.certkeeper.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.certkeeper.config.CertificateConfig;
import io.certkeeper.config.Config;
import io.certkeeper.config.ConfigLoader;
import io.certkeeper.config.SystemdDropin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shipped units under {@code systemd/} (the daemon, and the reload path/service pair), and the
 * drop-in {@code certkeeper config systemd-dropin} derives for them, judged by systemd's own tools.
 * Skipped with a message where {@code systemd-analyze} is not installed.
 */
class SystemdUnitTest {
  static final Path UNITS = Path.of("systemd");
  static final Path UNIT = UNITS.resolve("certkeeper.service");
  static final Path SAMPLE = Path.of("etc/certkeeper/certkeeper.yaml");
  /** The issue's bar: "exposure of 2.5 or less" (0 is a fully locked down service, 10 an unprotected one). */
  static final double MAX_EXPOSURE = 2.5;
  /** The instance name the templates are checked with. */
  static final String INSTANCE = "nginx";

  private static final Pattern EXPOSURE = Pattern.compile("Overall exposure level for \\S+: (\\d+\\.\\d+)");

  @TempDir Path dir;

  @BeforeAll
  static void systemdAnalyzeIsInstalled() {
    boolean present = List.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")).stream()
        .anyMatch(p -> Files.isExecutable(Path.of(p, "systemd-analyze")));
    if (!present) {
      System.err.println("SystemdUnitTest: skipped, systemd-analyze is not installed (apt-get install systemd)");
    }
    assumeTrue(present, "systemd-analyze is not installed; the unit files are not checked");
  }

  record Run(int exitCode, String out, String err) {}

  private static Run run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  /** Every unit file under systemd/. */
  static Stream<String> shippedUnits() throws IOException {
    try (Stream<Path> files = Files.list(UNITS)) {
      List<String> names = files.map(f -> f.getFileName().toString())
          .filter(n -> n.matches(".+\\.(service|path|timer|socket)")).sorted().toList();
      assertTrue(names.size() >= 3, "expected the daemon and the reload pair under systemd/, found " + names);
      return names.stream();
    }
  }

  static Stream<String> shippedServices() throws IOException {
    return shippedUnits().filter(n -> n.endsWith(".service"));
  }

  /** {@code certkeeper-reload@.path} → {@code certkeeper-reload@nginx.path}; other names as they are. */
  static String instanceOf(String name) {
    return name.replace("@.", "@" + INSTANCE + ".");
  }

  /**
   * A copy of systemd/ in a temporary folder, to be checked there. {@code verify} also checks that
   * ExecStart's program exists, and on a build machine /usr/local/bin/certkeeper usually does not; so
   * the daemon's ExecStart names an executable stand-in in the folder. Everything else is as shipped.
   */
  private Path stage() throws IOException {
    Path stage = Files.createDirectories(dir.resolve("units"));
    Path launcher = dir.resolve("certkeeper");
    Files.writeString(launcher, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String name : shippedUnits().toList()) {
      String text = Files.readString(UNITS.resolve(name));
      if (name.equals("certkeeper.service")) {
        assertTrue(text.contains("ExecStart=/usr/local/bin/certkeeper "), text);
        text = text.replace("ExecStart=/usr/local/bin/certkeeper ", "ExecStart=" + launcher + " ");
      }
      Files.writeString(stage.resolve(name), text);
    }
    return stage;
  }

  private static void assertVerifies(Path unitFile) throws Exception {
    Run r = run("systemd-analyze", "verify", "--man=false", unitFile.toString());
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.err().lines().noneMatch(l -> l.contains("certkeeper")), "warnings about the units:\n" + r.err());
  }

  private static double exposure(Path unitFile) throws Exception {
    Run r = run("systemd-analyze", "security", "--offline=true", "--no-pager", unitFile.toString());
    Matcher m = EXPOSURE.matcher(r.out());
    assertTrue(m.find(), "no exposure figure in: " + r.out() + r.err());
    return Double.parseDouble(m.group(1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shippedUnits")
  void passesSystemdAnalyzeVerify(String name) throws Exception {
    assertVerifies(stage().resolve(instanceOf(name)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shippedServices")
  void exposureIsAtMostTwoAndAHalf(String name) throws Exception {
    double exposure = exposure(stage().resolve(instanceOf(name)));
    assertTrue(exposure <= MAX_EXPOSURE, name + ": exposure " + exposure + " > " + MAX_EXPOSURE);
  }

  /** The certificates: block the sample shows commented out, as a configuration of its own. */
  static Config sampleCertificates() throws Exception {
    List<String> lines = Files.readAllLines(SAMPLE);
    int start = lines.indexOf("# certificates:");
    assertTrue(start >= 0, "the sample has no commented certificates: block");
    List<String> block = new ArrayList<>();
    for (String line : lines.subList(start, lines.size())) {
      if (!line.startsWith("#")) {
        break;
      }
      block.add(line.startsWith("# ") ? line.substring(2) : line.substring(1));
    }
    return ConfigLoader.parse(SAMPLE.toAbsolutePath(), String.join("\n", block) + "\n");
  }

  @Test
  void theDropInForTheSamplesOutputsIsAcceptedAndKeepsTheExposureLow() throws Exception {
    SystemdDropin dropin = SystemdDropin.of(sampleCertificates());
    assertEquals(List.of(Path.of("/etc/app"), Path.of("/etc/nginx/tls")), List.copyOf(dropin.writableDirectories()));
    assertEquals(List.of("nginx"), List.copyOf(dropin.groups()));

    Path stage = stage();
    Path dropins = Files.createDirectories(stage.resolve("certkeeper.service.d"));
    Files.writeString(dropins.resolve("outputs.conf"), dropin.render());
    assertVerifies(stage.resolve("certkeeper.service"));
    double exposure = exposure(stage.resolve("certkeeper.service"));
    assertTrue(exposure <= MAX_EXPOSURE, "with the drop-in: exposure " + exposure + " > " + MAX_EXPOSURE);
  }

  /** A drop-in systemd misreads shows up as a warning of verify (a relative word, a bad specifier, a bad quote). */
  @Test
  void pathsWithSpacesQuotesBackslashesAndPercentSignsAreReadAsWritten() throws Exception {
    Path yaml = dir.resolve("certkeeper.yaml");
    Files.writeString(yaml, "certificates:\n  - name: web\n    common-name: web.example.test\n    outputs:\n"
        + "      - {type: cert, path: \"/srv/my certs/web.pem\", group: ssl-cert}\n"
        + "      - {type: chain, path: \"/srv/100%Z/chain.pem\"}\n"
        + "      - {type: fullchain, path: '/srv/a\"b\\c d/full.pem'}\n"
        + "      - {type: key, path: \"/srv/it's/key.pem\"}\n");
    Path stage = stage();
    Path dropins = Files.createDirectories(stage.resolve("certkeeper.service.d"));
    Files.writeString(dropins.resolve("outputs.conf"), SystemdDropin.of(ConfigLoader.load(yaml)).render());
    assertVerifies(stage.resolve("certkeeper.service"));
  }

  @Test
  void theSamplesHookTouchesWhatTheReloadPathWatchesInTheDaemonsRuntimeDirectory() throws Exception {
    String daemon = Files.readString(UNIT);
    String path = Files.readString(UNITS.resolve("certkeeper-reload@.path"));
    String service = Files.readString(UNITS.resolve("certkeeper-reload@.service"));
    assertTrue(daemon.lines().anyMatch("RuntimeDirectory=certkeeper certkeeper/reload"::equals), daemon);
    assertTrue(daemon.lines().anyMatch("RuntimeDirectoryPreserve=yes"::equals), "a stop must not look like a request");
    assertTrue(path.lines().anyMatch("PathChanged=/run/certkeeper/reload/%i"::equals), path);
    assertTrue(path.lines().anyMatch("Unit=certkeeper-reload@%i.service"::equals), path);
    assertTrue(service.lines().anyMatch("ExecStart=/bin/systemctl --no-ask-password reload %i"::equals), service);
    assertTrue(service.lines().noneMatch(l -> l.startsWith("User=")), "systemd takes unit requests from root only");
    assertTrue(service.lines().anyMatch("CapabilityBoundingSet="::equals), service);

    List<CertificateConfig.Hook> hooks = sampleCertificates().certificates().get(0).hooks();
    assertEquals(List.of(List.of("touch", "/run/certkeeper/reload/nginx")), hooks.stream().map(h -> h.command()).toList());
  }

  @Test
  void runsAsTheDaemonUnderNotifyWithItsStateAndCredentials() throws Exception {
    String unit = Files.readString(UNIT);
    for (String line : List.of(
        "Type=notify",
        "ExecStart=/usr/local/bin/certkeeper --config /etc/certkeeper/certkeeper.yaml daemon",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "User=certkeeper",
        "StateDirectory=certkeeper",
        "ConfigurationDirectory=certkeeper",
        "LoadCredential=ca-passphrase:/etc/certkeeper/ca-passphrase",
        "LoadCredential=smtp-password:/etc/certkeeper/smtp-password",
        "TimeoutStopSec=15s")) {
      assertTrue(unit.lines().anyMatch(line::equals), "missing: " + line);
    }
    assertTrue(unit.lines().noneMatch(l -> l.startsWith("MemoryDenyWriteExecute=yes")), "the JIT needs W+X memory");
    assertTrue(unit.lines().anyMatch(("User=" + SystemdDropin.SERVICE_USER)::equals), "the drop-in's service user");
    assertEquals(Path.of("/var/lib/certkeeper"), SystemdDropin.STATE_DIRECTORY, "the drop-in's StateDirectory=");
  }
}
