package io.certkeeper.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.certkeeper.testing.ExternalTool;
import io.certkeeper.testing.FreePorts;
import io.certkeeper.testing.PostgresCluster;
import io.certkeeper.util.Json;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (Debian's headless Chromium through chromium-driver) against a
 * real daemon: the token from the URL fragment, tiles that match the store, search and paging,
 * a certificate's and an endpoint's detail, "probe now" answered through the live event stream,
 * "renew now" with its force confirmation, no console errors and no Content-Security-Policy
 * violation. Screenshots go to {@code target/screenshots/}.
 */
class DashboardIT {
  static final Map<String, String> ENV = Map.of("CA_PASS", "a long enough CA passphrase");
  static final String TOKEN = "dashboard-test-token-0123456789";
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void theDashboardShowsTheStoreAndActsThroughTheApi() throws Exception {
    Path chromium = Path.of("/usr/bin/chromium");
    Path driverBinary = Path.of("/usr/bin/chromedriver");
    if (!Files.isExecutable(chromium) || !Files.isExecutable(driverBinary)) {
      String what = "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)";
      if ("true".equals(System.getenv(PostgresCluster.CI))) {
        throw new AssertionError("browser tests cannot run: " + what + "; CI=true requires them");
      }
      Assumptions.abort("browser tests skipped: " + what);
    }
    int admin = FreePorts.next();
    int echo = FreePorts.next();
    Path data = dir.resolve("data");
    Path cfg = dir.resolve("certkeeper.yaml");
    Files.writeString(dir.resolve("token"), TOKEN + "\n");
    Files.writeString(cfg, "ca:\n  passphrase: env:CA_PASS\n"
        + "certificates:\n"
        + "  - {name: web, common-name: web.test, validity: 30d}\n"
        + "  - {name: admin, common-name: localhost, validity: 30d}\n"
        + "endpoints:\n"
        + "  - {target: '127.0.0.1:" + echo + "', servername: web.test, every: 1h}\n"
        + "listeners:\n"
        + "  - {name: admin, bind: '127.0.0.1:" + admin + "', role: admin, certificate: {managed: admin},"
        + " auth: {token: 'file:" + dir.resolve("token") + "'}}\n"
        + "  - {name: echo, bind: '127.0.0.1:" + echo + "', role: echo, certificate: {managed: web}}\n");
    assertEquals(0, DaemonProcess.cli(ENV, WAIT, cfg, data, "ca", "init", "--name", "Dashboard CA").exitCode());
    // 60 more certificates: more than one page of the table
    StringBuilder batch = new StringBuilder("cn\tout-dir\n");
    for (int i = 0; i < 60; i++) {
      batch.append(String.format("host-%02d.test\t%s%n", i, dir.resolve("issued/" + i)));
    }
    Files.writeString(dir.resolve("batch.tsv"), batch);
    DaemonProcess.Result issued = DaemonProcess.cli(ENV, Duration.ofSeconds(120), cfg, data, "issue", "--batch",
        dir.resolve("batch.tsv").toString(), "--no-p12");
    assertEquals(0, issued.exitCode(), issued.out() + issued.err());

    Path shots = Files.createDirectories(Path.of("target", "screenshots"));
    try (DaemonProcess d = DaemonProcess.start(ENV, "--config", cfg.toString(), "--data-dir", data.toString(),
        "daemon")) {
      d.awaitLine(l -> l.endsWith("Daemon - ready"), Duration.ofSeconds(90));
      // the page and its files: security headers, ETag revalidation, gzip
      String headers = ExternalTool.run(dir, "curl", "-sk", "-D", "-", "-o", "/dev/null", "--compressed",
          "https://127.0.0.1:" + admin + "/").output().toLowerCase(java.util.Locale.ROOT);
      assertTrue(headers.contains("content-security-policy: default-src 'self'"), headers);
      assertTrue(headers.contains("x-content-type-options: nosniff"), headers);
      assertTrue(headers.contains("content-encoding: gzip"), headers);
      String etag = headers.lines().filter(l -> l.startsWith("etag:")).findFirst().orElseThrow().substring(5).trim();
      assertEquals("304", ExternalTool.run(dir, "curl", "-sk", "--compressed", "-o", "/dev/null", "-w", "%{http_code}",
          "-H", "If-None-Match: " + etag, "https://127.0.0.1:" + admin + "/").output().trim());
      assertEquals("200", ExternalTool.run(dir, "curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", "-H",
          "If-None-Match: " + etag, "https://127.0.0.1:" + admin + "/").output().trim(),
          "the gzip body's tag is not the plain body's");
      assertEquals("401", ExternalTool.run(dir, "curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}",
          "https://127.0.0.1:" + admin + "/api/v1/dashboard").output().trim(), "the data needs the token");

      ChromeOptions options = new ChromeOptions();
      options.setBinary(chromium.toFile());
      // headless Chromium as root needs --no-sandbox; the admin listener's certificate is from the test's CA
      options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--window-size=1280,900");
      options.setAcceptInsecureCerts(true);
      org.openqa.selenium.logging.LoggingPreferences logs = new org.openqa.selenium.logging.LoggingPreferences();
      logs.enable(LogType.BROWSER, Level.ALL);
      options.setCapability("goog:loggingPrefs", logs);
      ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driverBinary.toFile())
          .usingAnyFreePort().build();
      WebDriver browser = new ChromeDriver(service, options);
      try {
        String base = "https://127.0.0.1:" + admin + "/";
        browser.get(base + "#token=" + TOKEN);
        await(browser, b -> "true".equals(b.findElement(By.tagName("body")).getAttribute("data-ready")));
        assertFalse(browser.getCurrentUrl().contains("token"), "the token leaves the address bar");

        // tiles match the store
        JsonNode status = Json.mapper().readTree(DaemonProcess.cli(ENV, WAIT, cfg, data, "status", "--json").out());
        assertEquals(status.at("/certificates/total").asText(), tile(browser, "total"));
        assertEquals(status.at("/certificates/expired").asText(), tile(browser, "expired"));
        assertEquals("0", tile(browser, "renewalFailures"));
        screenshot(browser, shots.resolve("dashboard.png"));

        // paging and search
        await(browser, b -> rows(b).size() == 50);
        String firstOfPage1 = rows(browser).get(0).getText();
        browser.findElement(By.id("next")).click();
        await(browser, b -> !rows(b).isEmpty() && !rows(b).get(0).getText().equals(firstOfPage1));
        // latest expiry first, and back
        browser.findElement(By.cssSelector("[data-sort=expiry]")).click();
        await(browser, b -> "descending".equals(b.findElement(By.cssSelector("th[aria-sort]")).getAttribute("aria-sort"))
            && rows(b).size() == 50 && !rows(b).get(0).getText().equals(firstOfPage1));
        browser.findElement(By.cssSelector("[data-sort=expiry]")).click();
        await(browser, b -> "ascending".equals(b.findElement(By.cssSelector("th[aria-sort]")).getAttribute("aria-sort"))
            && rows(b).get(0).getText().equals(firstOfPage1));
        browser.findElement(By.id("search")).sendKeys("host-07");
        await(browser, b -> rows(b).size() == 1 && rows(b).get(0).getText().contains("host-07.test"));

        // a certificate's detail, and "renew now" through the force confirmation
        browser.findElement(By.id("search")).clear();
        browser.findElement(By.id("search")).sendKeys("web.test");
        await(browser, b -> rows(b).size() == 1 && rows(b).get(0).getText().contains("web.test"));
        rows(browser).get(0).click();
        await(browser, b -> b.findElement(By.id("detail")).isDisplayed()
            && !b.findElements(By.cssSelector("[data-action=renew]")).isEmpty());
        String serial = field(browser, "serial");
        assertEquals(64, field(browser, "sha256").length());
        screenshot(browser, shots.resolve("detail.png"));
        browser.findElement(By.cssSelector("[data-action=renew]")).click();
        await(browser, b -> b.findElement(By.id("confirm")).isDisplayed());
        browser.findElement(By.id("confirm-yes")).click();
        await(browser, b -> !b.findElements(By.cssSelector("[data-field=serial]")).isEmpty()
            && !field(b, "serial").equals(serial));
        JsonNode explained = Json.mapper().readTree(DaemonProcess.cli(ENV, WAIT, cfg, data, "explain", "web", "--json").out());
        assertEquals(explained.at("/serial").asText(), field(browser, "serial"), "the page shows the new serial");
        assertNotEquals(serial, field(browser, "serial"));

        // an endpoint's detail; "probe now" comes back through the live stream
        await(browser, b -> "on".equals(b.findElement(By.tagName("body")).getAttribute("data-live")));
        browser.findElement(By.cssSelector(".views [data-view=endpoints]")).click();
        await(browser, b -> rows(b).size() == 1 && rows(b).get(0).getText().contains("127.0.0.1:" + echo));
        rows(browser).get(0).click();
        await(browser, b -> !b.findElements(By.cssSelector("[data-action=probe]")).isEmpty());
        int before = Integer.parseInt(field(browser, "probes"));
        browser.findElement(By.cssSelector("[data-action=probe]")).click();
        await(browser, b -> !b.findElements(By.cssSelector("[data-field=probes]")).isEmpty()
            && Integer.parseInt(field(b, "probes")) > before);
        // the chain of the last probe (a handshake with the echo listener), leaf first, with fingerprints
        await(browser, b -> !b.findElements(By.cssSelector("[data-list=chain] li")).isEmpty());
        String leaf = browser.findElement(By.cssSelector("[data-list=chain] li")).getText();
        assertTrue(leaf.contains("CN=web.test") && leaf.contains("SHA-256 "), leaf);
        screenshot(browser, shots.resolve("endpoint.png"));

        // a phone's width: nothing wider than the screen
        browser.manage().window().setSize(new Dimension(390, 844));
        Object overflow = ((JavascriptExecutor) browser).executeScript(
            "return document.documentElement.scrollWidth - window.innerWidth;");
        assertTrue(((Number) overflow).intValue() <= 0, "wider than a phone by " + overflow + " px");
        screenshot(browser, shots.resolve("phone.png"));

        Object violations = ((JavascriptExecutor) browser).executeScript("return window.certkeeperCspViolations;");
        assertEquals(List.of(), violations, "Content-Security-Policy violations");
        List<String> errors = new ArrayList<>();
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
          // the renewal refused within the minimum interval (409) is the step before the force confirmation
          if (e.getLevel().intValue() >= Level.SEVERE.intValue() && !e.getMessage().contains("status of 409")) {
            errors.add(e.getMessage());
          }
        }
        assertEquals(List.of(), errors, "console errors");
      } finally {
        browser.quit();
      }
    }
  }

  private static String tile(WebDriver b, String key) {
    return b.findElement(By.cssSelector("[data-tile=" + key + "] .n")).getText();
  }

  private static String field(WebDriver b, String name) {
    return b.findElement(By.cssSelector("[data-field=" + name + "]")).getText();
  }

  private static List<WebElement> rows(WebDriver b) {
    return b.findElements(By.cssSelector("#table tbody tr[data-key]"));
  }

  private static void await(WebDriver b, java.util.function.Function<WebDriver, Boolean> condition) {
    try {
      new WebDriverWait(b, WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
          .ignoring(org.openqa.selenium.NoSuchElementException.class).until(condition::apply);
    } catch (org.openqa.selenium.TimeoutException e) {
      StringBuilder why = new StringBuilder("the page did not get there within " + WAIT + "; it shows:\n");
      why.append(b.findElement(By.tagName("body")).getText()).append("\nconsole:\n");
      for (LogEntry l : b.manage().logs().get(LogType.BROWSER)) {
        why.append(l.getLevel()).append(' ').append(l.getMessage()).append('\n');
      }
      throw new AssertionError(why.toString(), e);
    }
  }

  private static void screenshot(WebDriver b, Path to) throws Exception {
    File f = ((TakesScreenshot) b).getScreenshotAs(OutputType.FILE);
    Files.copy(f.toPath(), to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}
