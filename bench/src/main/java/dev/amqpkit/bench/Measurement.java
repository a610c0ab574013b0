package dev.amqpkit.bench;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * What one run cost this JVM: wall time, process CPU time and bytes allocated by every thread.
 * Threads that end during the run take their allocation with them, so clients are measured before
 * their connections close.
 */
final class Measurement {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private final long startNanos;
  private final long startCpu;
  private final Map<Long, Long> startAllocated;

  private Measurement(long startNanos, long startCpu, Map<Long, Long> startAllocated) {
    this.startNanos = startNanos;
    this.startCpu = startCpu;
    this.startAllocated = startAllocated;
  }

  static Measurement start() {
    return new Measurement(System.nanoTime(), OS.getProcessCpuTime(), allocated());
  }

  /** Ends the measurement; call before closing the client's connections. */
  SideBySide.Figures stop(long messages) {
    long wall = System.nanoTime() - startNanos;
    long cpu = OS.getProcessCpuTime() - startCpu;
    long bytes = 0;
    for (Map.Entry<Long, Long> e : allocated().entrySet()) {
      bytes += e.getValue() - startAllocated.getOrDefault(e.getKey(), 0L);
    }
    return new SideBySide.Figures(
        messages * 1e9 / wall, cpu / 1e3 / messages, (double) bytes / messages);
  }

  private static Map<Long, Long> allocated() {
    long[] ids = THREADS.getAllThreadIds();
    long[] bytes = THREADS.getThreadAllocatedBytes(ids);
    Map<Long, Long> byThread = new HashMap<>();
    for (int i = 0; i < ids.length; i++) if (bytes[i] >= 0) byThread.put(ids[i], bytes[i]);
    return byThread;
  }
}
