package dev.amqpkit.bench;

import java.util.TreeSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * At most N unconfirmed publishes, the same for both clients: a publish takes a permit, a confirm
 * (single or multiple, acks and nacks alike) gives permits back. Correct for confirms out of order.
 */
final class InFlight {
  private final int limit;
  private final Semaphore permits;
  private long highestMultiple;
  private final TreeSet<Long> singles = new TreeSet<>();

  InFlight(int limit) {
    this.limit = limit;
    this.permits = new Semaphore(limit);
  }

  void acquire() throws InterruptedException {
    if (!permits.tryAcquire(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("no confirm for 60 s");
    }
  }

  synchronized void settle(long sequence, boolean multiple) {
    int released = 0;
    if (multiple) {
      if (sequence > highestMultiple) {
        released = (int) (sequence - highestMultiple) - singles.headSet(sequence, true).size();
        singles.headSet(sequence, true).clear();
        highestMultiple = sequence;
      }
    } else if (sequence > highestMultiple && singles.add(sequence)) {
      released = 1;
    }
    if (released > 0) permits.release(released);
  }

  /** Waits until every publish is confirmed. */
  void awaitAll() throws InterruptedException {
    if (!permits.tryAcquire(limit, 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("publishes still unconfirmed after 60 s");
    }
    permits.release(limit);
  }
}
