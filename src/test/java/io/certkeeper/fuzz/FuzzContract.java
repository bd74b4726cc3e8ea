package io.certkeeper.fuzz;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What every reader of outside input promises, checked for one input at a time by the fuzz tests
 * (issue 13): the read ends in a result, or in one of the reader's documented exceptions with a
 * non-empty one-line message, within {@link #MAX_TIME}, on a heap of {@link #MAX_HEAP_BYTES}.
 * Anything else fails the input:
 *
 * <ul>
 *   <li>an {@link Error} ({@code StackOverflowError}, {@code OutOfMemoryError}, an assertion in
 *       our code) is rethrown as it is, so that Jazzer's stack-trace deduplication still sees the
 *       reader's frames; an {@link AssertionError} naming the reader is attached as suppressed;
 *   <li>an undocumented {@link RuntimeException} (NPE, {@code ClassCastException},
 *       {@code ArrayIndexOutOfBoundsException}...) likewise;
 *   <li>an undocumented checked exception is wrapped in an {@link AssertionError};
 *   <li>a documented exception whose message is missing, blank or spans lines;
 *   <li>a read that took more than {@link #MAX_TIME} of its thread's CPU time (measured after it
 *       returns: an upper bound, not a watchdog; libFuzzer's own {@code -timeout} catches reads
 *       that never return). CPU time, not wall time: a loaded machine must not fail the check,
 *       a read that does too much work must.
 * </ul>
 *
 * <p>The heap bound is the JVM's: the {@code fuzz} surefire execution runs these tests with
 * {@code -Xmx256m}, and {@link #check} refuses to run on a larger heap, where an input that
 * allocates too much would pass unnoticed.
 */
public final class FuzzContract {
  /** The most CPU time (of the reading thread) one input may take to read. */
  public static final Duration MAX_TIME = Duration.ofSeconds(2);
  /** The heap the readers must make do with. */
  public static final long MAX_HEAP_BYTES = 256L * 1024 * 1024;

  /** One read of one input. */
  @FunctionalInterface
  public interface Read<T> {
    T read() throws Exception;
  }

  private static volatile boolean heapChecked;

  private FuzzContract() {}

  /**
   * Runs {@code read} and checks the contract above.
   *
   * @param reader names the entry point in failure messages, e.g. {@code "Csr.parse"}
   * @param documented the exceptions the reader documents for bad input
   * @return the result, or empty when the reader refused the input with a documented exception
   */
  @SafeVarargs
  public static <T> Optional<T> check(String reader, Read<T> read,
      Class<? extends Exception>... documented) {
    requireBoundedHeap();
    // element by element: the varargs array itself must not escape a @SafeVarargs method
    List<Class<? extends Exception>> allowed = new ArrayList<>();
    for (Class<? extends Exception> type : documented) {
      allowed.add(type);
    }
    long start = cpuNanos();
    T result;
    try {
      result = read.read();
    } catch (Throwable t) {
      Duration took = Duration.ofNanos(cpuNanos() - start);
      if (!isDocumented(t, allowed)) {
        throw undocumented(reader, t, allowed);
      }
      requireOneLineMessage(reader, t);
      requireInTime(reader, took);
      return Optional.empty();
    }
    requireInTime(reader, Duration.ofNanos(cpuNanos() - start));
    return Optional.ofNullable(result);
  }

  private static boolean isDocumented(Throwable t, List<Class<? extends Exception>> documented) {
    return documented.stream().anyMatch(type -> type.isInstance(t));
  }

  private static RuntimeException undocumented(String reader, Throwable t,
      List<Class<? extends Exception>> documented) {
    String allowed = documented.isEmpty() ? "no exception at all"
        : documented.stream().map(Class::getSimpleName).toList().toString();
    AssertionError context = new AssertionError(String.format(Locale.ROOT,
        "%s threw %s; its contract allows %s", reader, t.getClass().getName(), allowed));
    if (t instanceof Error e) {
      e.addSuppressed(context);
      throw e;
    }
    if (t instanceof RuntimeException e) {
      e.addSuppressed(context);
      return e;
    }
    context.initCause(t);
    throw context;
  }

  private static void requireOneLineMessage(String reader, Throwable t) {
    String message = t.getMessage();
    if (message == null || message.isBlank() || message.contains("\n") || message.contains("\r")) {
      throw new AssertionError(String.format(Locale.ROOT,
          "%s threw %s without a one-line message: %s", reader, t.getClass().getSimpleName(),
          message == null ? "null" : "'" + message.replace("\n", "\\n").replace("\r", "\\r") + "'"), t);
    }
  }

  private static long cpuNanos() {
    return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  private static void requireInTime(String reader, Duration took) {
    if (took.compareTo(MAX_TIME) > 0) {
      throw new AssertionError(String.format(Locale.ROOT, "%s took %d ms of CPU time, more than the %d ms allowed",
          reader, took.toMillis(), MAX_TIME.toMillis()));
    }
  }

  private static void requireBoundedHeap() {
    if (heapChecked) {
      return;
    }
    long max = Runtime.getRuntime().maxMemory();
    if (max > MAX_HEAP_BYTES) {
      throw new AssertionError(String.format(Locale.ROOT,
          "fuzz tests need a heap of at most %d MB to prove their memory bound, this JVM has %d MB: "
              + "run them through Maven (the 'fuzz' surefire execution passes -Xmx256m) or add -Xmx256m",
          MAX_HEAP_BYTES >> 20, max >> 20));
    }
    heapChecked = true;
  }
}
