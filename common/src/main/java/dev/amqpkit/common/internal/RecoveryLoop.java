package dev.amqpkit.common.internal;

import dev.amqpkit.common.Recovery;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The attempts of one recovery, as both protocol clients make them: the {@link Recovery}'s backoff
 * before each attempt, no attempt after {@link Recovery#maxAttempts()} or past {@link
 * Recovery#maxElapsed()} (the last wait ends there), and an end as soon as an attempt succeeds, the
 * application closes the connection, or an attempt fails for a reason that would come back.
 */
public final class RecoveryLoop {
  private static final Logger log = LoggerFactory.getLogger(RecoveryLoop.class);

  /** What a recovery does at each step; the loop calls them on its own thread, in order. */
  public interface Steps {
    /** An attempt starts after {@code delay}; the first is number 1. */
    default void reconnecting(int attempt, Duration delay) {}

    /** Waits {@code delay}; false when the application closed the connection meanwhile. */
    boolean sleep(Duration delay);

    /**
     * One attempt: true when the work is done (for good, or no longer this loop's); throws when the
     * attempt failed.
     */
    boolean attempt(int attempt);

    /** Whether a failed attempt's exception ends the recovery at once (a refused login...). */
    default boolean fatal(RuntimeException failure) {
      return false;
    }

    /** The recovery stops trying; {@code last} is the last attempt's failure, or the first one. */
    void gaveUp(int attempts, Exception last);
  }

  private RecoveryLoop() {}

  /** Runs attempts after {@code failure} until one is done or the recovery gives up. */
  public static void run(Recovery recovery, Exception failure, Steps steps) {
    long start = System.nanoTime();
    long maxElapsed = recovery.maxElapsed().map(Duration::toNanos).orElse(Long.MAX_VALUE);
    Exception last = failure;
    for (int attempt = 1; ; attempt++) {
      if (attempt > recovery.maxAttempts() || System.nanoTime() - start >= maxElapsed) {
        steps.gaveUp(attempt - 1, last);
        return;
      }
      long left = maxElapsed - (System.nanoTime() - start);
      Duration delay = recovery.backoff().delay(attempt);
      boolean lastChance = delay.toNanos() >= left; // the wait ends at the maximum elapsed time
      if (lastChance) delay = Duration.ofNanos(left);
      steps.reconnecting(attempt, delay);
      if (!steps.sleep(delay)) return; // closed by the application meanwhile
      try {
        if (steps.attempt(attempt)) return;
      } catch (RuntimeException e) {
        last = e;
        if (steps.fatal(e)) {
          steps.gaveUp(attempt, e);
          return;
        }
        log.debug("recovery attempt {} failed", attempt, e);
      }
      if (lastChance) {
        steps.gaveUp(attempt, last);
        return;
      }
    }
  }

  /**
   * Waits {@code delay} on {@code lock}, which the caller notifies when it closes; returns false if
   * {@code closed} became true first (or the thread was interrupted), true once the delay passed.
   */
  public static boolean sleep(Object lock, BooleanSupplier closed, Duration delay) {
    long deadline = System.nanoTime() + delay.toNanos();
    synchronized (lock) {
      while (!closed.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) return true;
        try {
          lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          return false; // only the recovery's own thread: nobody else interrupts it
        }
      }
      return false;
    }
  }
}
