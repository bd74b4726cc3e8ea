package io.certkeeper.cli;

import io.certkeeper.util.Printable;
import io.certkeeper.report.EndpointListing;
import io.certkeeper.report.EndpointListing.EndpointView;
import io.certkeeper.report.EndpointListing.HistoryView;

import io.certkeeper.config.EndpointCodec;
import io.certkeeper.config.EndpointConfig;
import io.certkeeper.config.ProbeSchedule;
import io.certkeeper.store.EndpointChange;
import io.certkeeper.store.EndpointRepository;
import io.certkeeper.store.EndpointRow;
import io.certkeeper.store.ProbeHistoryEntry;
import io.certkeeper.store.ProbeResultRepository;
import io.certkeeper.store.Store;
import io.certkeeper.util.Durations;
import io.certkeeper.util.HostPort;
import io.certkeeper.util.Json;
import io.certkeeper.util.TargetsFile;
import io.certkeeper.util.TimeLeft;
import io.certkeeper.util.Timestamps;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "endpoint",
    mixinStandardHelpOptions = true,
    description = {
      "Manage the endpoints the daemon probes. Endpoints declared in the configuration are synced",
      "on start and SIGHUP; ones added here live in the store. A running daemon picks up changes",
      "within 30 s."
    },
    subcommands = {
      HelpCommand.class,
      EndpointCommand.Add.class,
      EndpointCommand.Import.class,
      EndpointCommand.Remove.class,
      EndpointCommand.ListEndpoints.class,
      EndpointCommand.Show.class,
      EndpointCommand.History.class,
    })
final class EndpointCommand {

  /** Settings shared by {@code add} and {@code import}. */
  static final class Settings {
    @Option(names = "--servername", paramLabel = "NAME", description = "Expected name and SNI (default: the host).")
    String servername;

    @Option(names = "--starttls", paramLabel = "P", description = "smtp, imap, pop3, ftp, ldap or postgres.")
    String starttls;

    @Option(names = "--proxy", paramLabel = "URL", description = "HTTP CONNECT proxy, http://[user:pass@]host:port.")
    String proxy;

    @Option(names = "--ca-file", paramLabel = "FILE", description = "Extra trust anchors (PEM); repeatable.")
    List<Path> caFiles = new ArrayList<>();

    @ArgGroup(exclusive = true)
    ScheduleOption schedule;

    @Option(names = "--warning", paramLabel = "D", description = "Report 'expiring' with less than this left (default 30d).")
    String warning;

    @Option(names = "--critical", paramLabel = "D", description = "'expiring' is critical within this (default 7d).")
    String critical;

    @Option(names = "--timeout", paramLabel = "D", description = "Overall probe timeout (default 10s).")
    String timeout;

    @Option(names = "--label", paramLabel = "K=V", description = "A label; repeatable.")
    Map<String, String> labels = new TreeMap<>();

    @Option(names = "--owner", paramLabel = "EMAIL", description = "Who to alert; repeatable.")
    List<String> owners = new ArrayList<>();

    @Option(names = "--group", paramLabel = "NAME", description = "Group name, for display.")
    String group;

    EndpointConfig toEndpoint(String target) {
      HostPort hp;
      try {
        hp = HostPort.parse(target);
      } catch (IllegalArgumentException e) {
        throw CliException.usage(e.getMessage());
      }
      if (starttls != null && !List.of("smtp", "imap", "pop3", "ftp", "ldap", "postgres").contains(starttls)) {
        throw CliException.usage("--starttls: '" + starttls + "' is not one of smtp, imap, pop3, ftp, ldap, postgres");
      }
      if (proxy != null && !proxy.startsWith("http://")) {
        throw CliException.usage("--proxy: expected http://[user:pass@]host:port, got '" + proxy + "'");
      }
      for (String o : owners) {
        if (!o.contains("@")) {
          throw CliException.usage("--owner: an owner is an e-mail address, got '" + o + "'");
        }
      }
      ProbeSchedule s;
      try {
        s = schedule == null ? ProbeSchedule.every(ProbeSchedule.DEFAULT_EVERY)
            : schedule.every != null ? ProbeSchedule.every(duration("--every", schedule.every))
            : ProbeSchedule.cron(schedule.cron);
      } catch (IllegalArgumentException e) {
        throw CliException.usage((schedule != null && schedule.every != null ? "--every: " : "--cron: ") + e.getMessage());
      }
      Optional<String> sn = Optional.ofNullable(servername);
      Optional<String> st = Optional.ofNullable(starttls);
      return new EndpointConfig(EndpointConfig.idFor(hp, sn, st), hp, sn, st, Optional.ofNullable(proxy),
          caFiles.stream().map(p -> p.toAbsolutePath().normalize()).toList(), s,
          warning == null ? EndpointConfig.DEFAULT_WARNING : duration("--warning", warning),
          critical == null ? EndpointConfig.DEFAULT_CRITICAL : duration("--critical", critical),
          timeout == null ? EndpointConfig.DEFAULT_TIMEOUT : duration("--timeout", timeout),
          labels, owners, Optional.ofNullable(group));
    }

    private static Duration duration(String option, String text) {
      try {
        return Durations.parse(text);
      } catch (IllegalArgumentException e) {
        throw CliException.usage(option + ": " + e.getMessage());
      }
    }
  }

  static final class ScheduleOption {
    @Option(names = "--every", paramLabel = "D", description = "Probe interval (default 5m).")
    String every;

    @Option(names = "--cron", paramLabel = "EXPR", description = "Quartz cron expression, e.g. \"0 */10 * * * ?\".")
    String cron;
  }

  static EndpointRow row(EndpointConfig e, Instant now) {
    return new EndpointRow(e.id(), e.target().toString(), EndpointRow.CLI, e.group(), EndpointCodec.toJson(e), now, now);
  }

  @Command(name = "add", mixinStandardHelpOptions = true, description = "Add an endpoint (TARGET is host:port, [v6]:port or https://host[:port]).")
  static final class Add implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "TARGET")
    String target;

    @picocli.CommandLine.Mixin
    SettingsMixin settings;

    @Override
    public Integer call() throws Exception {
      CertkeeperCommand root = CertkeeperCommand.of(spec);
      EndpointConfig e = settings.s.toEndpoint(target);
      try (Store store = root.openStore()) {
        EndpointRepository repo = new EndpointRepository(store);
        if (repo.find(e.id()).isPresent()) {
          throw CliException.usage("endpoint " + e.id() + " exists already");
        }
        repo.add(row(e, root.clock().instant()), root.clock().instant());
      }
      root.out().println("added " + e.id() + " (" + e.schedule() + ")");
      return ExitCodes.OK;
    }
  }

  /** Picocli wants a mixin class for a reusable option set. */
  static final class SettingsMixin {
    @ArgGroup(exclusive = false, heading = "Endpoint settings:%n")
    Settings s = new Settings();
  }

  @Command(name = "import", mixinStandardHelpOptions = true,
      description = "Add every target of a file (one per line, '#' comments), all with the same settings; existing ones are skipped.")
  static final class Import implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--targets-file", required = true, paramLabel = "FILE")
    Path file;

    @picocli.CommandLine.Mixin
    SettingsMixin settings;

    @Override
    public Integer call() throws Exception {
      CertkeeperCommand root = CertkeeperCommand.of(spec);
      List<TargetsFile.Line> lines;
      try {
        lines = TargetsFile.read(file);
      } catch (IOException e) {
        throw CliException.usage("cannot read targets file " + io.certkeeper.util.ErrorText.about(file, e));
      }
      List<EndpointConfig> endpoints = new ArrayList<>();
      for (TargetsFile.Line line : lines) {
        try {
          endpoints.add(settings.s.toEndpoint(line.text()));
        } catch (CliException e) {
          throw CliException.usage(file + ":" + line.number() + ": " + e.getMessage());
        }
      }
      int added = 0;
      int skipped = 0;
      Instant now = root.clock().instant();
      try (Store store = root.openStore()) {
        EndpointRepository repo = new EndpointRepository(store);
        java.util.Set<String> existing = new java.util.HashSet<>();
        for (EndpointRow r : repo.list()) {
          existing.add(r.id());
        }
        for (EndpointConfig e : endpoints) {
          if (existing.add(e.id())) {
            repo.add(row(e, now), now);
            added++;
          } else {
            skipped++;
          }
        }
      }
      root.out().println("imported " + added + " endpoints from " + file + (skipped > 0 ? " (" + skipped + " existed already)" : ""));
      return ExitCodes.OK;
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Remove an endpoint added with the CLI; its history is kept. Config-declared ones are removed from the file.")
  static final class Remove implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The endpoint id or target as shown by 'endpoint list'.")
    String id;

    @Override
    public Integer call() throws Exception {
      CertkeeperCommand root = CertkeeperCommand.of(spec);
      try (Store store = root.openStore()) {
        EndpointRepository repo = new EndpointRepository(store);
        EndpointRow row = resolve(repo, id);
        if (row.origin().equals(EndpointRow.CONFIG)) {
          throw CliException.usage("endpoint " + row.id() + " is declared in the configuration file; remove it there and reload");
        }
        repo.remove(row.id());
        root.out().println("removed " + row.id() + " (history kept)");
      }
      return ExitCodes.OK;
    }
  }

  static EndpointRow resolve(EndpointRepository repo, String idOrTarget) throws Exception {
    Optional<EndpointRow> r = repo.find(idOrTarget);
    if (r.isEmpty()) {
      try {
        r = repo.find(HostPort.parse(idOrTarget).toString());
      } catch (IllegalArgumentException e) {
        // not a target either
      }
    }
    return r.orElseThrow(() -> CliException.usage("no endpoint " + idOrTarget + " (see 'certkeeper endpoint list')"));
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List endpoints with their last status.")
  static final class ListEndpoints implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print a JSON array of endpoints.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      CertkeeperCommand root = CertkeeperCommand.of(spec);
      Instant now = root.clock().instant();
      List<EndpointView> views;
      try (Store store = root.openStore()) {
        views = EndpointListing.list(store, now);
      }
      PrintWriter out = root.out();
      if (json) {
        out.println(Json.pretty(views));
        return ExitCodes.OK;
      }
      if (views.isEmpty()) {
        out.println("no endpoints");
        return ExitCodes.OK;
      }
      Table t = Table.of("ENDPOINT", "ORIGIN", "GROUP", "STATUS", "SCHEDULE", "EXPIRY", "LAST PROBE");
      for (EndpointView v : views) {
        t.row(v.id(), v.origin(), v.group(), v.status(), v.schedule(),
            v.notAfter() == null ? null : TimeLeft.expiry(v.notAfter(), now), Timestamps.format(v.lastProbeAt()));
      }
      t.print(out);
      return ExitCodes.OK;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one endpoint's settings and last status.")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID")
    String id;

    @Option(names = "--json", description = "Print the endpoint as JSON (the shape of one 'endpoint list --json' item).")
    boolean json;

    @Override
    public Integer call() throws Exception {
      CertkeeperCommand root = CertkeeperCommand.of(spec);
      EndpointView v;
      Instant now = root.clock().instant();
      try (Store store = root.openStore()) {
        EndpointRow row = resolve(new EndpointRepository(store), id);
        v = EndpointListing.view(row, new ProbeResultRepository(store).state(row.id()), now);
      }
      PrintWriter out = root.out();
      if (json) {
        out.println(Json.pretty(v));
        return ExitCodes.OK;
      }
      out.println("endpoint:   " + Printable.line(v.id()));
      out.println("origin:     " + v.origin() + (v.group() == null ? "" : ", group " + Printable.line(v.group())));
      out.println("schedule:   " + v.schedule() + ", timeout " + v.timeout());
      out.println("thresholds: warning " + v.warning() + ", critical " + v.critical());
      if (v.servername() != null) out.println("servername: " + Printable.line(v.servername()));
      if (v.starttls() != null) out.println("starttls:   " + v.starttls());
      if (v.proxy() != null) out.println("proxy:      " + Printable.line(v.proxy()));
      if (!v.caFiles().isEmpty()) out.println("ca-files:   " + Printable.join(v.caFiles()));
      if (!v.labels().isEmpty()) {
        out.println("labels:     " + Printable.join(new TreeMap<>(v.labels()).entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue()).toList()));
      }
      if (!v.owners().isEmpty()) out.println("owners:     " + Printable.join(v.owners()));
      boolean moreThanStatus = !v.problems().isEmpty() && !v.problems().equals(List.of(v.status()));
      out.println("status:     " + v.status() + (moreThanStatus ? " (" + String.join(", ", v.problems()) + ")" : "")
          + (v.lastProbeAt() == null ? "" : " at " + Timestamps.format(v.lastProbeAt())));
      if (v.message() != null) out.println("            " + Printable.line(v.message()));
      if (v.notAfter() != null) {
        out.println("expires:    " + Timestamps.format(v.notAfter()) + " (" + TimeLeft.expiry(v.notAfter(), now) + ")");
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "history", mixinStandardHelpOptions = true,
      description = "Probe results and certificate changes of an endpoint over time, newest first.")
  static final class History implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "TARGET", description = "Endpoint id or target (also ad-hoc probed ones).")
    String id;

    @Option(names = "--limit", defaultValue = "50", description = "At most this many results (default 50).")
    int limit;

    @Option(names = "--json", description = "Print {\"endpoint\", \"results\": [...], \"changes\": [...]}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      CertkeeperCommand root = CertkeeperCommand.of(spec);
      HistoryView h;
      try (Store store = root.openStore()) {
        String endpointId = id;
        Optional<EndpointRow> row = new EndpointRepository(store).find(id);
        ProbeResultRepository results = new ProbeResultRepository(store);
        if (row.isEmpty() && results.count(id) == 0) {
          try {
            endpointId = HostPort.parse(id).toString();
          } catch (IllegalArgumentException e) {
            throw CliException.usage("no endpoint " + id);
          }
        }
        h = EndpointListing.history(store, endpointId, limit);
      }
      PrintWriter out = root.out();
      if (json) {
        out.println(Json.pretty(h));
        return ExitCodes.OK;
      }
      out.println("endpoint " + Printable.line(h.endpoint()));
      if (!h.changes().isEmpty()) {
        out.println();
        Table changes = Table.of("CERTIFICATE CHANGED", "FROM SHA-256", "TO SHA-256");
        for (EndpointChange c : h.changes()) {
          changes.row(Timestamps.format(c.detectedAt()), c.oldSha256().map(s -> s.substring(0, 16)).orElse(null),
              c.newSha256().substring(0, 16));
        }
        changes.print(out);
      }
      out.println();
      if (h.results().isEmpty()) {
        out.println("no probe results");
        return ExitCodes.OK;
      }
      Table results = Table.of("PROBED AT", "STATUS", "PROBLEMS", "MESSAGE");
      for (ProbeHistoryEntry r : h.results()) {
        results.row(Timestamps.format(r.probedAt()), r.status(),
            r.problems().isEmpty() ? null : String.join(", ", r.problems()), r.message());
      }
      results.print(out);
      return ExitCodes.OK;
    }
  }
}
