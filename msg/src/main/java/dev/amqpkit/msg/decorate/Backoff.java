package dev.amqpkit.msg.decorate;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long {@link Retry} waits before each retry: a strategy, so that an application may bring its
 * own. The built-in ones are {@link #exponential} and {@link #fixed}.
 *
 * <p>Implementations must be thread-safe and must not block.
 */
@FunctionalInterface
public interface Backoff {

  /**
   * The delay before the given retry.
   *
   * @param retry 1 before the second attempt, 2 before the third, and so on
   * @return zero or more; never null
   */
  Duration delay(int retry);

  /**
   * The same delay before every retry.
   *
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  static Backoff fixed(Duration delay) {
    Objects.requireNonNull(delay, "delay == null");
    if (delay.isNegative()) throw new IllegalArgumentException("negative delay: " + delay);
    return retry -> delay;
  }

  /**
   * Delays that double from {@code initial} up to {@code max}, each drawn at random from its upper
   * half: retry {@code n} waits between half of and all of {@code min(max, initial * 2^(n-1))}. The
   * randomness spreads out the retries of receivers that failed together.
   *
   * @throws IllegalArgumentException if {@code initial} is not positive or {@code max} is less than
   *     {@code initial}
   */
  static Backoff exponential(Duration initial, Duration max) {
    Objects.requireNonNull(initial, "initial == null");
    Objects.requireNonNull(max, "max == null");
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initial delay not positive: " + initial);
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max delay " + max + " below initial delay " + initial);
    }
    long first = initial.toNanos();
    long last = max.toNanos();
    return retry -> {
      if (retry < 1) throw new IllegalArgumentException("retry < 1: " + retry);
      long ceiling = first;
      for (int i = 1; i < retry && ceiling < last; i++) {
        ceiling = ceiling > last / 2 ? last : ceiling * 2;
      }
      long half = ceiling / 2;
      return Duration.ofNanos(ceiling - half + ThreadLocalRandom.current().nextLong(half + 1));
    };
  }
}
