package dev.amqpkit.msg.decorate;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waits between attempts; tests put a clock of their own in its place. */
@FunctionalInterface
interface Sleeper {
  Sleeper SYSTEM = delay -> TimeUnit.NANOSECONDS.sleep(delay.toNanos());

  /**
   * Waits for {@code delay}.
   *
   * @throws InterruptedException if the thread was interrupted while waiting
   */
  void sleep(Duration delay) throws InterruptedException;
}
