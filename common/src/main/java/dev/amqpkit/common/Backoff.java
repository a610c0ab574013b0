package dev.amqpkit.common;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before each attempt to reconnect: a strategy, so that an application may bring
 * its own. The built-in ones are {@link #fixed} and {@link #exponential}.
 *
 * <p>Implementations must be thread-safe and must not block.
 */
@FunctionalInterface
public interface Backoff {

  /**
   * The delay before the given attempt.
   *
   * @param attempt 1 for the first attempt after a failure, then 2, 3...
   * @return zero or more; never null
   */
  Duration delay(int attempt);

  /** The same delay before every attempt. */
  static Backoff fixed(Duration delay) {
    Objects.requireNonNull(delay, "delay == null");
    if (delay.isNegative()) throw new IllegalArgumentException("delay is negative: " + delay);
    return attempt -> delay;
  }

  /**
   * A delay that doubles from {@code initial} at each attempt up to {@code max}, with half of it
   * random ("equal jitter"), so that clients cut off together do not all come back at once.
   */
  static Backoff exponential(Duration initial, Duration max) {
    return exponential(initial, max, 0.5);
  }

  /**
   * A delay that doubles from {@code initial} at each attempt up to {@code max}; the given fraction
   * of it is random: with {@code jitter} 0.5, attempt {@code n} waits between half and all of
   * {@code min(max, initial * 2^(n-1))}; with 0 exactly that; with 1 anything from zero to it.
   *
   * @throws IllegalArgumentException if {@code initial} is not positive, {@code max} is less than
   *     {@code initial}, or {@code jitter} is outside [0, 1]
   */
  static Backoff exponential(Duration initial, Duration max, double jitter) {
    Objects.requireNonNull(initial, "initial == null");
    Objects.requireNonNull(max, "max == null");
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initial must be positive: " + initial);
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max " + max + " is less than initial " + initial);
    }
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new IllegalArgumentException("jitter must be within [0, 1]: " + jitter);
    }
    long initialNanos = initial.toNanos();
    long maxNanos = max.toNanos();
    return attempt -> {
      if (attempt < 1) throw new IllegalArgumentException("attempt must be at least 1: " + attempt);
      // Doubling past 62 shifts would overflow; by then the cap applies anyway.
      int shift = Math.min(attempt - 1, 62);
      long base =
          initialNanos > (maxNanos >> shift) ? maxNanos : Math.min(maxNanos, initialNanos << shift);
      long random = (long) (base * jitter);
      long delay =
          base - random + (random > 0 ? ThreadLocalRandom.current().nextLong(random + 1) : 0);
      return Duration.ofNanos(delay);
    };
  }
}
