package dev.amqpkit.cli;

import java.util.concurrent.locks.LockSupport;

/** Keeps a loop to at most {@code rate} turns a second; no limit at 0. Not thread-safe. */
final class Pacer {
  private final long intervalNanos;
  private long next = System.nanoTime();

  Pacer(double rate) {
    this.intervalNanos = rate > 0 ? (long) (1e9 / rate) : 0;
  }

  /** Waits for the next turn. A late turn does not earn a burst: at most one turn is caught up. */
  void await() {
    if (intervalNanos == 0) return;
    for (long wait; (wait = next - System.nanoTime()) > 0; ) LockSupport.parkNanos(wait);
    next = Math.max(next + intervalNanos, System.nanoTime() - intervalNanos);
  }
}
