package io.certkeeper.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.certkeeper.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard with 100,000 certificates in the store, in the headless Chromium the browser tests
 * use, against the packaged daemon: first contentful paint and the time until tiles, timeline and
 * the first page of the table are in (both from navigation start), and how long a filter (time
 * left: critical) and a search take from request to rendered table, medians of several rounds.
 */
public final class DashboardSpeed {
  private static final String TOKEN = "bench-dashboard-token-0123456789";
  private static final String[] SEVERITIES = {"critical", "warning", "expired", "ok"};
  private static final String[] SOURCES = {"issued", "observed", ""};

  private DashboardSpeed() {}

  public static void main(String[] args) throws Exception {
    boolean quick = Bench.quick(args);
    int n = 100_000;
    int rounds = quick ? 3 : 7;
    ObjectNode out = Bench.section("dashboard", quick);
    Path work = Files.createTempDirectory("certkeeper-bench-dashboard");
    Path data = work.resolve("data");
    Files.createDirectories(data);
    try (Store store = Store.open(Store.h2Url(data), Optional.empty(), Optional.empty(), 4)) {
      InventoryScale.fill(store, n, n / 100);
    }
    Bench.run(work, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "admin.key", "-out", "admin.pem", "-subj", "/CN=localhost", "-days", "2");
    Files.writeString(work.resolve("token"), TOKEN + "\n");
    int port = Bench.freePort();
    Path config = work.resolve("certkeeper.yaml");
    Files.writeString(config, "listeners:\n  - {name: admin, bind: '127.0.0.1:" + port + "', role: admin,"
        + " certificate: {cert-file: " + work.resolve("admin.pem") + ", key-file: " + work.resolve("admin.key") + "},"
        + " auth: {token: 'file:" + work.resolve("token") + "'}}\n");
    Path log = work.resolve("daemon.log");
    Process daemon = new ProcessBuilder(Path.of("scripts/certkeeper").toAbsolutePath().toString(), "--config",
        config.toString(), "--data-dir", data.toString(), "daemon").redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    WebDriver browser = null;
    try {
      Bench.awaitReady(daemon, log, 300);
      ChromeOptions options = new ChromeOptions();
      options.setBinary(new java.io.File("/usr/bin/chromium"));
      options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--window-size=1280,900");
      options.setAcceptInsecureCerts(true);
      browser = new ChromeDriver(new ChromeDriverService.Builder()
          .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).usingAnyFreePort().build(), options);
      JavascriptExecutor js = (JavascriptExecutor) browser;
      String base = "https://127.0.0.1:" + port + "/";
      List<Double> paint = new ArrayList<>();
      List<Double> ready = new ArrayList<>();
      List<Double> filter = new ArrayList<>();
      List<Double> search = new ArrayList<>();
      for (int r = 0; r <= rounds; r++) {
        browser.get("about:blank");
        browser.get(base + "#token=" + TOKEN);
        await(browser, b -> "true".equals(b.findElement(By.tagName("body")).getAttribute("data-ready")));
        double fcp = ((Number) js.executeScript("const e = performance.getEntriesByName('first-contentful-paint');"
            + " return e.length ? e[0].startTime : -1;")).doubleValue();
        double readyMs = Double.parseDouble(browser.findElement(By.tagName("body")).getAttribute("data-ready-ms"));
        // a different filter and search each round: none is answered from the database's query cache
        String severity = SEVERITIES[r % SEVERITIES.length];
        String source = SOURCES[(r / SEVERITIES.length) % SOURCES.length];
        filter.add(tableAfter(browser, js, "const o = document.querySelector('#source'); o.value = '" + source + "';"
            + " o.dispatchEvent(new Event('change'));"));
        filter.add(tableAfter(browser, js, "const s = document.querySelector('#severity'); s.value = '" + severity
            + "'; s.dispatchEvent(new Event('change'));"));
        search.add(tableAfter(browser, js, "const q = document.querySelector('#search'); q.value = 'h" + (4242 + r * 1111)
            + ".'; q.dispatchEvent(new Event('input'));"));
        if (r > 0) { // the first round warms the JIT of both sides
          paint.add(fcp);
          ready.add(readyMs);
        }
      }
      out.put("certificates", n);
      out.put("rounds", rounds);
      out.put("first_contentful_paint_ms", Bench.round(Bench.median(paint), 0));
      out.put("ready_ms", Bench.round(Bench.median(ready), 0));
      out.put("filter_ms", Bench.round(Bench.median(filter.subList(2, filter.size())), 0));
      out.put("filter_ms_max", Bench.round(filter.subList(2, filter.size()).stream().mapToDouble(d -> d).max().orElse(0), 0));
      out.put("search_ms", Bench.round(Bench.median(search.subList(1, search.size())), 0));
      out.put("filter_ms_each", filter.toString());
      out.put("search_ms_each", search.toString());
      out.put("search_ms_max", Bench.round(search.subList(1, search.size()).stream().mapToDouble(d -> d).max().orElse(0), 0));
      out.put("note", "ready = tiles, 90-day timeline (500 marks) and the first 50 rows, from navigation start;"
          + " filter/search = request and render of the table (the search box waits 200 ms after typing first),"
          + " a different one each round (source x time left; a search for one certificate's name)");
      System.out.printf("dashboard, %d certificates: first paint %.0f ms, ready %.0f ms, filter %.0f ms, search %.0f ms%n",
          n, Bench.median(paint), Bench.median(ready), out.get("filter_ms").asDouble(), out.get("search_ms").asDouble());
      Bench.save(out);
    } finally {
      if (browser != null) {
        browser.quit();
      }
      daemon.destroy();
      daemon.waitFor();
      if (Boolean.getBoolean("bench.keep")) {
        System.out.println("kept " + work);
      } else {
        Bench.deleteTree(work);
      }
    }
  }

  /** Runs {@code script} and waits for the table to be rendered again; its time to render, in ms. */
  private static double tableAfter(WebDriver b, JavascriptExecutor js, String script) {
    String seq = b.findElement(By.tagName("body")).getAttribute("data-table-seq");
    js.executeScript(script);
    await(b, x -> !String.valueOf(seq).equals(x.findElement(By.tagName("body")).getAttribute("data-table-seq")));
    return Double.parseDouble(b.findElement(By.tagName("body")).getAttribute("data-table-ms"));
  }

  private static void await(WebDriver b, java.util.function.Function<WebDriver, Boolean> condition) {
    new WebDriverWait(b, Duration.ofSeconds(120)).until(condition::apply);
  }
}
