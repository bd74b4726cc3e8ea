package io.certkeeper.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certkeeper.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Merges {@code target/bench/SECTION.json} into {@code target/bench/results.json} (with the
 * machine, the JDK and the targets met or missed) and prints one table.
 */
public final class Report {
  private static final List<String> SECTIONS = List.of("probe", "issuance", "inventory", "reload", "footprint", "cli", "scale",
      "dashboard");

  /** The commands of the {@code cli} section, in the order the table shows them. */
  private static final List<String> CLI_COMMANDS = List.of("version", "status", "list_json", "verify", "probe");

  private Report() {}

  public static void main(String[] args) throws Exception {
    Path dir = Bench.outDir();
    ObjectNode results = Json.mapper().createObjectNode();
    ObjectNode machine = results.putObject("machine");
    machine.put("date", Instant.now().toString());
    machine.put("cpu", cpuModel());
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    machine.put("openssl", Bench.run(dir, "openssl", "version").strip());
    for (String s : SECTIONS) {
      Path f = dir.resolve(s + ".json");
      if (Files.exists(f)) {
        results.set(s, Json.mapper().readTree(f.toFile()));
      }
    }
    ObjectNode targets = results.putObject("targets");
    StringBuilder t = new StringBuilder();
    line(t, "machine", machine.get("cpu").asText() + ", " + machine.get("cores").asText() + " cores, "
        + machine.get("jdk").asText() + ", " + machine.get("openssl").asText());

    JsonNode p = results.path("probe");
    if (!p.isMissingNode()) {
      t.append("\n== probe throughput, ").append(p.path("endpoints").asInt()).append(" loopback s_server endpoints ==\n");
      t.append(String.format("%-12s %10s %14s %16s %8s%n", "contender", "probes/s", "CPU ms/probe",
          "server ms/probe", "failed"));
      for (String c : List.of("certkeeper", "s_time", "shell", "blackbox")) {
        JsonNode n = p.path(c);
        if (n.has("skipped")) {
          t.append(String.format("%-12s %s%n", c, "skipped: " + n.get("skipped").asText()));
        } else if (n.has("probes_per_s")) {
          t.append(String.format("%-12s %10.1f %14.3f %16.3f %8s%n", c, n.get("probes_per_s").asDouble(),
              n.get("cpu_ms_per_probe").asDouble(), n.get("server_cpu_ms_per_probe").asDouble(),
              n.path("failed").asText("-")));
        }
      }
      JsonNode r = p.path("ratios");
      t.append(String.format("certkeeper / s_time = %.2f (target >= 0.5), certkeeper / shell = %.1f (target >= 30)%s%n",
          r.path("certkeeper_over_s_time").asDouble(), r.path("certkeeper_over_shell").asDouble(),
          r.has("certkeeper_over_blackbox") ? String.format(", certkeeper / blackbox = %.2f",
              r.get("certkeeper_over_blackbox").asDouble()) : ""));
      target(targets, "probe_vs_s_time", r.path("certkeeper_over_s_time").asDouble() >= 0.5,
          r.path("certkeeper_over_s_time").asText());
      target(targets, "probe_vs_shell", r.path("certkeeper_over_shell").asDouble() >= 30,
          r.path("certkeeper_over_shell").asText());
    }

    JsonNode is = results.path("issuance");
    if (!is.isMissingNode()) {
      t.append("\n== issuance, one at a time (certificates/s; CPU ms per certificate) ==\n");
      t.append(String.format("%-9s %16s %18s %16s %16s %10s %10s%n", "key", "certkeeper", "certkeeper+files",
          "openssl CLI", "JCA ceiling", "ck/ceil", "ck/CLI"));
      for (String k : List.of("ec-p256", "rsa-2048")) {
        JsonNode n = is.path(k);
        if (n.isMissingNode()) {
          continue;
        }
        t.append(String.format("%-9s %16s %18s %16s %16s %10.2f %10.2f%n", k, rate(n.path("certkeeper")),
            rate(n.path("certkeeper_files")), rate(n.path("openssl_cli")), rate(n.path("jca_ceiling")),
            n.path("certkeeper_over_ceiling").asDouble(), n.path("certkeeper_over_openssl_cli").asDouble()));
      }
      t.append("through one Issuer on several threads (store commits shared):\n");
      for (String k : List.of("ec-p256", "rsa-2048")) {
        JsonNode n = is.path(k);
        if (!n.path("certkeeper_threads").isMissingNode()) {
          t.append(String.format("%-9s %16s  = %.2f x the one-thread JCA ceiling (%.2f against it on its own, %.2f"
                  + " against it in turns with the issuers: %s/s; %s threads); 16 threads: %s%n", k,
              rate(n.path("certkeeper_threads")), n.path("certkeeper_threads_over_ceiling").asDouble(),
              n.path("certkeeper_threads_over_ceiling_on_its_own").asDouble(),
              n.path("certkeeper_threads_over_ceiling_in_turns").asDouble(),
              n.path("certkeeper_threads").path("ceiling_in_turns").path("per_s").asText("?"),
              n.path("certkeeper_threads").path("threads").asText("?"), rate(n.path("certkeeper_threads_16"))));
        }
      }
      for (String b : List.of("batch_cli", "batch_cli_no_p12")) {
        JsonNode batch = is.path(b);
        if (!batch.isMissingNode()) {
          t.append(String.format("issue --batch%s, %s rows with their files: %s/s issuing, %s/s for the whole command%n",
              b.endsWith("no_p12") ? " --no-p12" : "", batch.path("rows").asText(), batch.path("per_s_issuing").asText(),
              batch.path("per_s_command").asText()));
        }
      }
      double ec = is.path("ec-p256").path("certkeeper_threads_over_ceiling").asDouble();
      target(targets, "issuance_ec_vs_jca", ec >= 0.5, ec + " (threads through one Issuer; one at a time: "
          + is.path("ec-p256").path("certkeeper_over_ceiling").asText() + ")");
    }

    JsonNode inv = results.path("inventory").path("sizes");
    if (!inv.isMissingNode()) {
      t.append("\n== inventory at scale (ms, median of 5; H2 file store) ==\n");
      t.append(String.format("%-10s %8s %10s %10s %10s %10s %10s %12s %10s %10s%n", "certs", "endpts",
          "list 30d", "count 30d", "status", "problems", "by sha", "alert pass", "DB MB", "compacted"));
      double worst = 0;
      String biggest = null;
      for (Map.Entry<String, JsonNode> e : inv.properties()) {
        JsonNode n = e.getValue();
        t.append(String.format("%-10s %8d %10.1f %10.1f %10.1f %10.1f %10.2f %12.1f %10.1f %10.1f%n", e.getKey(),
            n.path("endpoints").asInt(), n.path("list_expiring_30d_ms").asDouble(),
            n.path("expiring_30d_count_ms").asDouble(), n.path("status_summary_ms").asDouble(),
            n.path("endpoints_with_problems_ms").asDouble(), n.path("certificate_by_sha256_ms").asDouble(),
            n.path("alert_pass_ms").asDouble(), n.path("db_mb").asDouble(), n.path("db_mb_compacted").asDouble()));
        biggest = e.getKey();
      }
      JsonNode big = inv.path(biggest);
      worst = Math.max(big.path("list_expiring_30d_ms").asDouble(), big.path("endpoints_with_problems_ms").asDouble());
      t.append("list 30d = CertificateRepository.list(expiring within 30 days, limit 1000), as `list --expiring-within"
          + " 30d`;\ncount 30d = COUNT of certificates expiring in (now, now+30d]; status = CertificateRepository"
          + ".summary (status counts);\nproblems = ProbeResultRepository.states() filtered (status, endpoint list);"
          + " alert pass = AlertEvaluator.evaluate() (steady state)\n");
      target(targets, "queries_under_50ms_at_" + biggest, worst < 50, worst + " ms (list 30d, problems)");
    }

    JsonNode rl = results.path("reload");
    if (!rl.isMissingNode()) {
      t.append("\n== reload under ").append(rl.path("client_threads").asInt()).append("-thread handshake load, ")
          .append(rl.path("reloads").asInt()).append(" renewals ==\n");
      t.append(String.format("reload() %.1f ms median (max %.1f); new certificate in a completed handshake %.1f ms"
          + " after reload() returned (p99 %.1f, max %.1f);%nrenewal (files written) to visible %.1f ms median (max %.1f);"
          + " %d handshakes/s during the run, %d failed handshakes, %d failed reloads%n",
          rl.path("reload_call_ms_median").asDouble(), rl.path("reload_call_ms_max").asDouble(),
          rl.path("visible_after_reload_ms_median").asDouble(), rl.path("visible_after_reload_ms_p99").asDouble(),
          rl.path("visible_after_reload_ms_max").asDouble(), rl.path("renewal_to_visible_ms_median").asDouble(),
          rl.path("renewal_to_visible_ms_max").asDouble(), rl.path("handshakes_per_s").asLong(),
          rl.path("failed_handshakes").asLong(), rl.path("failed_reloads").asLong()));
      boolean ok = rl.path("renewal_to_visible_ms_max").asDouble() < 1000 && rl.path("failed_handshakes").asLong() == 0
          && rl.path("failed_reloads").asLong() == 0;
      target(targets, "reload_visible_under_1s_no_failures", ok, rl.path("renewal_to_visible_ms_max").asText()
          + " ms max, " + rl.path("failed_handshakes").asText() + " failed");
    }

    JsonNode fp = results.path("footprint");
    if (!fp.isMissingNode()) {
      t.append("\n== daemon footprint (scripts/certkeeper, the launcher's daemon options) ==\n");
      t.append(String.format("%-16s %9s %12s %10s %10s %12s %14s%n", "case", "ready s", "RSS ready MB",
          "RSS end MB", "RSS max MB", "CPU % core", "probes (ok)"));
      for (Map.Entry<String, JsonNode> e : fp.properties()) {
        JsonNode n = e.getValue();
        if (!n.isObject()) {
          continue;
        }
        t.append(String.format("%-16s %9.2f %12.1f %10.1f %10.1f %12.2f %14s%n", e.getKey(),
            n.path("start_to_ready_s").asDouble(), n.path("rss_mb_at_ready").asDouble(),
            n.path("rss_mb_end").asDouble(), n.path("rss_mb_max").asDouble(),
            n.path("cpu_percent_of_one_core").asDouble(),
            n.has("probes_in_run") ? n.get("probes_in_run").asText() + " (" + n.get("probes_ok").asText() + ") in "
                + n.path("window_s").asText() + " s" : "-"));
      }
      double idle = fp.path("idle").path("rss_mb_end").asDouble();
      target(targets, "daemon_rss_idle_under_150mb", idle < 150, idle + " MB");
    }

    JsonNode sc = results.path("scale");
    if (!sc.isMissingNode()) {
      t.append("\n== scale: ").append(sc.path("endpoints").asText()).append(" endpoints every ")
          .append(sc.path("period_s").asText()).append(" s, ").append(sc.path("steady_periods").asText())
          .append(" steady periods after the catch-up (daemon through scripts/certkeeper) ==\n");
      t.append(String.format("%-42s %s%n", "every endpoint probed every period", sc.path("all_probed_each_period")
          .asText() + " (" + sc.path("endpoints_with_a_missed_period").asText() + " missed one)"));
      t.append(String.format("%-42s %s%n", "probes/s in the steady window", sc.path("probes_per_s").asText()));
      t.append(String.format("%-42s %s / %s%n", "failed probes: catch-up / steady",
          sc.path("probes_failed_in_catch_up").asText(), sc.path("probes_failed_in_window").asText()));
      t.append(String.format("%-42s %s ms (bare %s ms): %s x%n", "CPU per scheduled probe",
          sc.path("cpu_ms_per_scheduled_probe").asText(), sc.path("bare").path("cpu_ms_per_probe").asText(),
          sc.path("scheduled_over_bare_cpu").asText()));
      t.append(String.format("%-42s %s%%%n", "daemon CPU, steady (of one core)",
          sc.path("daemon_cpu_percent_of_one_core_steady").asText()));
      t.append(String.format("%-42s %s MB (end %s MB)%n", "daemon RSS max", sc.path("rss_mb_max").asText(),
          sc.path("rss_mb_end").asText()));
      target(targets, "scheduled_probe_cpu_within_1_5x_bare", sc.path("scheduled_over_bare_cpu").asDouble() <= 1.5,
          sc.path("scheduled_over_bare_cpu").asText() + " x");
      target(targets, "scale_all_probed_each_period_rss_under_512mb",
          sc.path("all_probed_each_period").asBoolean() && sc.path("rss_mb_max").asDouble() < 512,
          sc.path("endpoints_with_a_missed_period").asText() + " missed, " + sc.path("rss_mb_max").asText() + " MB");
    }

    JsonNode cli = results.path("cli");
    if (!cli.isMissingNode()) {
      t.append("\n== CLI wall time (ms, median of ").append(cli.path("rounds").asInt())
          .append("), beside java -version = ").append(cli.path("java_version_ms").asText()).append(" ms ==\n");
      t.append(String.format("%-10s %18s %18s %8s%n", "command", "scripts/certkeeper", "installed", "ratio"));
      for (String c : CLI_COMMANDS) {
        JsonNode ck = cli.path("launchers").path("checkout");
        JsonNode in = cli.path("launchers").path("installed");
        double ratio = cli.path(c + "_over_java_version").asDouble();
        t.append(String.format("%-10s %18.0f %18.0f %7.1fx%n", c, ck.path(c + "_ms").asDouble(),
            in.path(c + "_ms").asDouble(), ratio));
        target(targets, "cli_" + c + "_within_10x_java_version", ratio <= 10, ratio + "x");
      }
      JsonNode wd = cli.path("with_daemon");
      if (!wd.isMissingNode()) {
        t.append("while a daemon serves the store (java -version = ").append(wd.path("java_version_ms").asText())
            .append(" ms):\n");
        for (String c : List.of("status", "list_json", "probe")) {
          t.append(String.format("%-10s %18.0f %18.0f %7.1fx%n", c,
              wd.path("launchers").path("checkout").path(c + "_ms").asDouble(),
              wd.path("launchers").path("installed").path(c + "_ms").asDouble(), wd.path(c + "_over_java_version").asDouble()));
        }
      }
      t.append("ratio = the slower launcher's median over java -version's; JVM options of the installed launcher: ")
          .append(cli.path("jvm_options").asText()).append('\n');
    }

    JsonNode db = results.path("dashboard");
    if (!db.isMissingNode()) {
      t.append("\n== dashboard: ").append(db.path("certificates").asText())
          .append(" certificates, headless Chromium, median of ").append(db.path("rounds").asText()).append(" ==\n");
      t.append(String.format("%-42s %s ms%n", "first contentful paint", db.path("first_contentful_paint_ms").asText()));
      t.append(String.format("%-42s %s ms%n", "tiles, timeline and first page in", db.path("ready_ms").asText()));
      t.append(String.format("%-42s %s ms%n", "a filter (time left: critical)", db.path("filter_ms").asText()));
      t.append(String.format("%-42s %s ms%n", "a search", db.path("search_ms").asText()));
      target(targets, "dashboard_first_paint_under_1s", db.path("ready_ms").asDouble() < 1000,
          db.path("ready_ms").asText() + " ms");
      target(targets, "dashboard_filter_under_300ms", db.path("filter_ms").asDouble() < 300,
          db.path("filter_ms").asText() + " ms");
    }

    t.append("\n== targets ==\n");
    for (Map.Entry<String, JsonNode> e : targets.properties()) {
      t.append(String.format("%-42s %-6s %s%n", e.getKey(), e.getValue().get("met").asBoolean() ? "met" : "MISSED",
          e.getValue().get("value").asText()));
    }
    Path file = dir.resolve("results.json");
    Files.writeString(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(results));
    Files.writeString(dir.resolve("results.txt"), t);
    System.out.print(t);
    System.out.println("\nwrote " + file);
  }

  private static String rate(JsonNode n) {
    return n.isMissingNode() ? "-" : String.format("%.1f (%.2f)", n.path("per_s").asDouble(),
        n.path("cpu_ms_per_cert").asDouble());
  }

  private static void target(ObjectNode targets, String name, boolean met, String value) {
    ObjectNode n = targets.putObject(name);
    n.put("met", met);
    n.put("value", value);
  }

  private static void line(StringBuilder t, String k, String v) {
    t.append(k).append(": ").append(v).append('\n');
  }

  private static String cpuModel() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          return l.substring(l.indexOf(':') + 1).strip();
        }
      }
    } catch (Exception e) {
      // unknown
    }
    return System.getProperty("os.arch");
  }
}
