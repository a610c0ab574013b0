package dev.amqpkit.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What one run cost this JVM: wall time, process CPU time (and the kernel's share of it, where
 * {@code /proc/self/stat} tells) and bytes allocated by every thread. Threads that end during the
 * run take their allocation with them, so clients are measured before their connections close.
 */
final class Measurement {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  // Linux counts utime and stime in ticks of USER_HZ, which is 100 a second.
  private static final long NANOS_PER_TICK = 10_000_000;
  private static final Path STAT = Path.of("/proc/self/stat");

  private final long startNanos;
  private final long startCpu;
  private final long startSystem;
  private final Map<Long, Long> startAllocated;

  private Measurement(
      long startNanos, long startCpu, long startSystem, Map<Long, Long> startAllocated) {
    this.startNanos = startNanos;
    this.startCpu = startCpu;
    this.startSystem = startSystem;
    this.startAllocated = startAllocated;
  }

  static Measurement start() {
    return new Measurement(System.nanoTime(), OS.getProcessCpuTime(), systemNanos(), allocated());
  }

  /** Ends the measurement; call before closing the client's connections. */
  SideBySide.Figures stop(long messages) {
    long wall = System.nanoTime() - startNanos;
    long cpu = OS.getProcessCpuTime() - startCpu;
    long system = systemNanos() - startSystem;
    long bytes = 0;
    for (Map.Entry<Long, Long> e : allocated().entrySet()) {
      bytes += e.getValue() - startAllocated.getOrDefault(e.getKey(), 0L);
    }
    return new SideBySide.Figures(
        messages * 1e9 / wall,
        cpu / 1e3 / messages,
        startSystem < 0 ? Double.NaN : system / 1e3 / messages,
        (double) bytes / messages);
  }

  /** The process's CPU time in the kernel, in nanoseconds (10 ms steps); -1 if unknown. */
  private static long systemNanos() {
    try {
      String stat = Files.readString(STAT);
      // Fields after the command name, which is in parentheses and may hold spaces: state is
      // the first; utime and stime are the 12th and 13th.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[12]) * NANOS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static Map<Long, Long> allocated() {
    long[] ids = THREADS.getAllThreadIds();
    long[] bytes = THREADS.getThreadAllocatedBytes(ids);
    Map<Long, Long> byThread = new HashMap<>();
    for (int i = 0; i < ids.length; i++) if (bytes[i] >= 0) byThread.put(ids[i], bytes[i]);
    return byThread;
  }
}
