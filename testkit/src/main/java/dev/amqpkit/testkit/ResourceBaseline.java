package dev.amqpkit.testkit;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What a JVM holds at a moment: live threads, open sockets (Linux: from {@code /proc/self/fd}) and
 * heap in use after a GC. Leak tests compare one taken before many recoveries with one taken after.
 *
 * @param threads live threads
 * @param sockets open socket file descriptors; 0 where {@code /proc} is not there
 * @param heapBytes heap in use after three GCs
 */
public record ResourceBaseline(int threads, long sockets, long heapBytes) {

  /** Measures now, after asking for three GCs. */
  public static ResourceBaseline measure() {
    for (int i = 0; i < 3; i++) System.gc();
    long sockets = 0;
    File[] fds = new File("/proc/self/fd").listFiles();
    if (fds != null) {
      for (File fd : fds) {
        try {
          if (Files.readSymbolicLink(fd.toPath()).toString().startsWith("socket:")) sockets++;
        } catch (Exception e) {
          // Closed while listed.
        }
      }
    }
    Runtime rt = Runtime.getRuntime();
    return new ResourceBaseline(
        ManagementFactory.getThreadMXBean().getThreadCount(),
        sockets,
        rt.totalMemory() - rt.freeMemory());
  }

  /**
   * Waits until no live thread's name starts with {@code prefix} (an idle pool's threads end a
   * while after their last task), for at most {@code maxWait}.
   *
   * @throws AssertionError if some are still alive then
   */
  public static void awaitThreadsEnded(String prefix, Duration maxWait)
      throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.isAlive() && t.getName().startsWith(prefix))) {
      if (System.nanoTime() >= deadline) {
        throw new AssertionError("threads named " + prefix + "* still alive after " + maxWait);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  /**
   * Measures as soon as threads and sockets are down to {@code target}'s (idle pool threads end a
   * while after their last task), or once {@code maxWait} has passed.
   */
  public static ResourceBaseline settledTo(ResourceBaseline target, Duration maxWait)
      throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    ResourceBaseline now = measure();
    while (System.nanoTime() < deadline
        && (now.threads > target.threads || now.sockets > target.sockets)) {
      TimeUnit.SECONDS.sleep(1);
      now = measure();
    }
    return now;
  }
}
