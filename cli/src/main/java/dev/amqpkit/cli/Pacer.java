package dev.amqpkit.cli;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Keeps a loop to at most {@code rate} turns a second; no limit at 0. A wait gives way to a stop
 * (Ctrl-C, the end of a run) within a tenth of a second. Not thread-safe.
 */
final class Pacer {
  private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final long intervalNanos;
  private final BooleanSupplier stopped;
  private long next = System.nanoTime();

  Pacer(double rate, BooleanSupplier stopped) {
    this.intervalNanos = rate > 0 ? (long) (1e9 / rate) : 0;
    this.stopped = stopped;
  }

  /**
   * Waits for the next turn. A late turn does not earn a burst: at most one turn is caught up.
   *
   * @return false if a stop was requested meanwhile: the turn is not taken
   */
  boolean await() {
    if (intervalNanos == 0) return !stopped.getAsBoolean();
    for (long wait; (wait = next - System.nanoTime()) > 0; ) {
      if (stopped.getAsBoolean()) return false;
      LockSupport.parkNanos(Math.min(wait, SLICE_NANOS));
    }
    next = Math.max(next + intervalNanos, System.nanoTime() - intervalNanos);
    return !stopped.getAsBoolean();
  }
}
