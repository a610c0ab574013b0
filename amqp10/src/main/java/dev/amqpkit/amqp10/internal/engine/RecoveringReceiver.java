package dev.amqpkit.amqp10.internal.engine;

import dev.amqpkit.amqp10.AmqpException;
import dev.amqpkit.amqp10.Delivery;
import dev.amqpkit.amqp10.Receiver;
import dev.amqpkit.amqp10.ReceiverOptions;
import java.time.Duration;

/**
 * A receiver that comes back after a failure: the link is attached again under its name with its
 * source, and granted its credit again (the window, or with manual credit what the failed link had
 * left plus what was added meanwhile). Deliveries prefetched when the link failed are dropped: the
 * peer delivers them again. Deliveries the application holds go stale: settling one does nothing
 * and is reported ({@link dev.amqpkit.amqp10.StaleDeliveryException}).
 *
 * <p>A receive waiting when the link fails waits for it to come back, within its timeout.
 *
 * <p>Thread-safe, as {@link Receiver} is.
 */
final class RecoveringReceiver extends RecoveringLink<ReceiverImpl> implements Receiver {
  private final ReceiverOptions receiverOptions;
  private long owedCredit; // lock: manual credit added while recovering

  RecoveringReceiver(
      RecoveringSession session, String name, ReceiverOptions options, ReceiverImpl first) {
    super(session, name, options, first);
    this.receiverOptions = options;
  }

  @Override
  ReceiverImpl attach(SessionImpl on, ReceiverImpl failed) {
    ReceiverImpl fresh = on.attachReceiver(name, receiverOptions, true);
    if (receiverOptions.credit() == 0) {
      long carry = failed.credit(); // not under lock: the engine's lock is taken first elsewhere
      long owed;
      synchronized (lock) {
        owed = owedCredit;
      }
      if (carry + owed > 0) fresh.addCredit((int) Math.min(Integer.MAX_VALUE, carry + owed));
      synchronized (lock) {
        owedCredit -= owed; // granted now; what was added meanwhile stays owed
      }
    }
    return fresh;
  }

  @Override
  void onClosedForGood(AmqpException cause) {}

  /** Back: credit added while the link was being attached is granted now. */
  @Override
  void restored(long generation) {
    super.restored(generation);
    long owed;
    ReceiverImpl l;
    synchronized (lock) {
      if (recovering || closedForGood != null) return;
      owed = owedCredit;
      owedCredit = 0;
      l = link;
    }
    if (owed > 0) addCredit(l, owed);
  }

  private void addCredit(ReceiverImpl l, long credit) {
    try {
      l.addCredit((int) Math.min(Integer.MAX_VALUE, credit));
    } catch (AmqpException e) {
      if (!RecoveringConnection.recoverable(e)) throw e;
      synchronized (lock) {
        owedCredit = Math.min(0xFFFF_FFFFL, owedCredit + credit);
      }
    }
  }

  // ---- Receiver ----

  @Override
  public Delivery receive(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      ReceiverImpl l = awaitLink(deadline);
      if (l == null) return null;
      try {
        return l.receive(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      } catch (AmqpException e) {
        if (!RecoveringConnection.recoverable(e)) throw e;
        // The link failed while waiting: wait for the next one, within the timeout.
      }
    }
  }

  @Override
  public Delivery poll() {
    ReceiverImpl l = linkIfUp();
    if (l == null) return null;
    try {
      return l.poll();
    } catch (AmqpException e) {
      if (!RecoveringConnection.recoverable(e)) throw e;
      return null;
    }
  }

  @Override
  public int prefetched() {
    ReceiverImpl l;
    synchronized (lock) {
      if (recovering) return 0;
      l = link;
    }
    return l.prefetched();
  }

  @Override
  public long credit() {
    ReceiverImpl l;
    synchronized (lock) {
      l = link;
    }
    return l.credit();
  }

  @Override
  public void addCredit(int credit) {
    if (credit < 1) throw new IllegalArgumentException("credit < 1: " + credit);
    if (receiverOptions.credit() > 0) {
      throw new IllegalStateException("link '" + name + "' manages its credit itself");
    }
    ReceiverImpl l;
    synchronized (lock) {
      if (closedForGood != null) throw closedForGood;
      if (recovering) {
        owedCredit = Math.min(0xFFFF_FFFFL, owedCredit + credit);
        return;
      }
      l = link;
    }
    addCredit(l, credit);
  }

  @Override
  public void drain(Duration timeout) {
    if (receiverOptions.credit() > 0) {
      throw new IllegalStateException("link '" + name + "' manages its credit itself");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      ReceiverImpl l = awaitLinkOrThrow(deadline, timeout);
      try {
        l.drain(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        return;
      } catch (AmqpException e) {
        if (!RecoveringConnection.recoverable(e)) throw e;
        // The link failed while draining: drain the next one, within the timeout.
      }
    }
  }
}
