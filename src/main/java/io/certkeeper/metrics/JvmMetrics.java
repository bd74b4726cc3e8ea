package io.certkeeper.metrics;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The process's own metrics, named as the Prometheus Java client names them so that existing JVM
 * dashboards work: memory by area, threads, garbage collection, CPU, resident memory, file
 * descriptors, start time. Memory sizes come from {@code /proc/self/status} where it is readable.
 */
final class JvmMetrics {
  private static final Path PROC_STATUS = Path.of("/proc/self/status");

  private JvmMetrics() {}

  static void addTo(Exposition e) {
    var memory = ManagementFactory.getMemoryMXBean();
    Exposition.Family used = e.gauge("jvm_memory_used_bytes", "Used bytes of a JVM memory area.", "area");
    Exposition.Family committed = e.gauge("jvm_memory_committed_bytes", "Committed bytes of a JVM memory area.", "area");
    Exposition.Family max = e.gauge("jvm_memory_max_bytes", "Maximum bytes of a JVM memory area (-1 when unbounded).",
        "area");
    for (Map.Entry<String, MemoryUsage> m : Map.of("heap", memory.getHeapMemoryUsage(),
        "nonheap", memory.getNonHeapMemoryUsage()).entrySet()) {
      used.add(m.getValue().getUsed(), m.getKey());
      committed.add(m.getValue().getCommitted(), m.getKey());
      max.add(m.getValue().getMax(), m.getKey());
    }

    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    e.gauge("jvm_threads_current", "Live threads of the JVM, daemon and not.").add(threads.getThreadCount());
    e.gauge("jvm_threads_daemon", "Live daemon threads of the JVM.").add(threads.getDaemonThreadCount());
    e.gauge("jvm_threads_peak", "Most live threads since the JVM started.").add(threads.getPeakThreadCount());

    Exposition.Family gc = e.summary("jvm_gc_collection_seconds",
        "Time spent in a garbage collector, and the number of its collections.", "gc");
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (b.getCollectionCount() >= 0) {
        gc.addSummary(Math.max(0, b.getCollectionTime()) / 1000.0, b.getCollectionCount(), b.getName());
      }
    }

    e.gauge("process_start_time_seconds", "When the process started, in seconds since the epoch.")
        .add(ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0);
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
      long cpu = os.getProcessCpuTime();
      if (cpu >= 0) {
        e.counter("process_cpu_seconds_total", "User and system CPU time the process used, in seconds.")
            .add(cpu / 1e9);
      }
      e.gauge("process_open_fds", "Open file descriptors.").add(os.getOpenFileDescriptorCount());
      e.gauge("process_max_fds", "The process's limit of open file descriptors.").add(os.getMaxFileDescriptorCount());
    }
    Map<String, Long> status = procStatus();
    if (status.containsKey("VmRSS")) {
      e.gauge("process_resident_memory_bytes", "Resident memory size in bytes.").add(status.get("VmRSS"));
    }
    if (status.containsKey("VmSize")) {
      e.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.").add(status.get("VmSize"));
    }
  }

  /** The {@code kB} fields of {@code /proc/self/status}, in bytes; empty where it is not there. */
  static Map<String, Long> procStatus() {
    Map<String, Long> out = new TreeMap<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(PROC_STATUS);
    } catch (IOException | SecurityException e) {
      return out;
    }
    for (String line : lines) {
      String[] parts = line.split("[:\\s]+");
      if (parts.length == 3 && parts[2].equals("kB")) {
        try {
          out.put(parts[0], Long.parseLong(parts[1]) * 1024);
        } catch (NumberFormatException e) {
          // not a number: leave it out
        }
      }
    }
    return out;
  }
}
