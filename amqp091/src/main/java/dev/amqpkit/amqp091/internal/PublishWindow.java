package dev.amqpkit.amqp091.internal;

import dev.amqpkit.amqp091.AmqpException;
import dev.amqpkit.amqp091.AmqpTimeoutException;
import dev.amqpkit.amqp091.ChannelClosedException;
import dev.amqpkit.amqp091.PublishNackedException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The unconfirmed publishes of a channel in confirm mode, and the limit on how many there may be.
 *
 * <p>A publish first {@linkplain #reserve reserves} a place, waiting while the window is full; once
 * its method frame is queued for the socket, under the writer's lock, the writer {@linkplain
 * #queued numbers} it, so sequence numbers follow the order the broker sees. A publish made without
 * a future takes a place marked {@link #NO_FUTURE}: nothing is allocated for it, and its confirm
 * needs no other thread. The reader thread {@linkplain #settle settles} confirms, notes nacks for
 * {@link #awaitSettled}, and wakes waiting publishers itself, in one thread hand-off. It wakes them
 * only once a sixteenth of the window is free (at most 256 places): the broker confirms a few
 * messages per frame, and waking a publisher, then the writer, for each such frame would cost more
 * CPU than the messages themselves. A waiting publisher also looks again every 10 ms, so a place
 * freed by a smaller batch is never missed for long.
 *
 * <p>Thread-safe; the lock is never held while waiting for anything but room.
 */
final class PublishWindow implements FrameWriter.PublishSequencer {
  private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition room = lock.newCondition();
  private final Condition settledCondition = lock.newCondition();
  private final ConfirmWindow<PendingConfirm> unconfirmed = new ConfirmWindow<>();
  private int limit = Integer.MAX_VALUE;
  private int wakeAtFree = 1;
  private int reserved;
  private ChannelClosedException closed;
  private long firstUnreportedNack; // 0 when every nack so far was reported by awaitSettled
  private long firstFailed = Long.MAX_VALUE; // the first publish the close left unconfirmed
  private PendingConfirm lastFuture; // the future of the last publish queued with one
  private final Chain chain = new Chain(); // settle's, under the lock

  /** The place of a publish made without a future: one shared marker, never completed. */
  static final PendingConfirm NO_FUTURE = new PendingConfirm();

  /** A publish's future, which learns its sequence number once the publish is queued. */
  static class PendingConfirm extends java.util.concurrent.CompletableFuture<Void> {
    // 0 until queued, then its sequence number; -1 if queued after the channel closed.
    // Written under the window's lock, read by the publishing thread after the writer returns.
    volatile long sequence;
    // The next publish settled by the same confirm, once settled: a chain costs no allocation
    // (this field fits in the object's padding), a list per confirm frame would. Handed to the
    // completing thread with the chain, through the callback executor's lock.
    PendingConfirm next;
    // For a mandatory publish with a future: where it went, to match a basic.return with, and the
    // return once matched (under the window's lock), which fails the future when it is settled.
    String mandatoryExchange;
    String mandatoryRoutingKey;
    dev.amqpkit.amqp091.ReturnedMessage returned;

    /** Whether settling completes this future; not for a place held without one. */
    boolean completes() {
      return this != NO_FUTURE;
    }
  }

  /** Links the publishes a confirm settles through {@link PendingConfirm#next}. */
  private static final class Chain implements java.util.function.Consumer<PendingConfirm> {
    PendingConfirm head;
    PendingConfirm tail;

    @Override
    public void accept(PendingConfirm confirm) {
      if (!confirm.completes()) {
        if (confirm instanceof RetainedPublish r) r.release(); // no future to release it later
        return;
      }
      if (head == null) head = confirm;
      else tail.next = confirm;
      tail = confirm;
    }
  }

  void limit(int maxUnconfirmed) {
    lock.lock();
    try {
      limit = maxUnconfirmed;
      wakeAtFree = Math.max(1, Math.min(256, maxUnconfirmed / 16));
      room.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes a place in the window, waiting at most {@code timeout} while it is full.
   *
   * @throws AmqpTimeoutException if no confirm made room in time
   * @throws ChannelClosedException if the channel closed
   */
  void reserve(java.time.Duration timeout, int channel) {
    lock.lock();
    try {
      if (closed != null) throw closed;
      if (unconfirmed.outstanding() + reserved >= limit) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (unconfirmed.outstanding() + reserved >= limit) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new AmqpTimeoutException(
                "channel "
                    + channel
                    + ": "
                    + limit
                    + " publishes still unconfirmed after "
                    + timeout
                    + "; nothing of this one was sent");
          }
          try {
            // Settling wakes waiters only in batches; looking again now and then bounds how long
            // a publisher can miss a place freed by fewer confirms, should the rest be slow.
            room.awaitNanos(Math.min(left, RECHECK_NANOS));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AmqpException("interrupted while waiting for a confirm to make room", e);
          }
          if (closed != null) throw closed;
        }
      }
      reserved++;
    } finally {
      lock.unlock();
    }
  }

  /** Gives back a place taken by {@link #reserve} for a publish that was never queued. */
  void unreserve() {
    lock.lock();
    try {
      if (reserved > 0) reserved--;
      room.signal();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long queued(PendingConfirm confirm) {
    lock.lock();
    try {
      if (reserved > 0) reserved--;
      // After a close nothing will confirm it; the publisher fails it once off the writer's lock.
      long sequence = closed != null ? -1 : unconfirmed.add(confirm);
      if (confirm != NO_FUTURE) confirm.sequence = sequence;
      if (confirm.completes()) lastFuture = confirm;
      return sequence;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void unqueued(long sequence) {
    lock.lock();
    try {
      // After a close the window is empty: nothing to take back.
      if (sequence > 0 && closed == null) {
        PendingConfirm confirm = unconfirmed.removeLast(sequence);
        if (confirm != null && confirm != NO_FUTURE) confirm.sequence = 0;
      }
      reserved++; // the publisher gives it back as a publish that was never queued
    } finally {
      lock.unlock();
    }
  }

  /**
   * Settles one sequence number, or every one up to it, and wakes publishers waiting for room or
   * for {@link #awaitSettled}. Returns the first settled publish that has a future, linked in order
   * through {@link PendingConfirm#next}, or null if none has; the caller completes them off the
   * reader thread.
   */
  PendingConfirm settle(long sequence, boolean multiple, boolean ack) {
    lock.lock();
    try {
      int before = unconfirmed.outstanding();
      long firstSettled = unconfirmed.firstUnsettled();
      PendingConfirm settled;
      if (multiple) {
        unconfirmed.takeUpTo(sequence, chain);
        settled = chain.head;
        chain.head = null;
        chain.tail = null;
      } else {
        settled = unconfirmed.take(sequence);
        if (settled != null && !settled.completes()) {
          if (settled instanceof RetainedPublish r) r.release(); // no future to release it later
          settled = null;
        }
        firstSettled = sequence;
      }
      if (unconfirmed.outstanding() == before) return settled; // nothing of ours: a late confirm
      if (!ack && firstUnreportedNack == 0) firstUnreportedNack = firstSettled;
      if (limit - unconfirmed.outstanding() - reserved >= wakeAtFree && lock.hasWaiters(room)) {
        room.signalAll();
      }
      if (lock.hasWaiters(settledCondition)) settledCondition.signalAll();
      return settled;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until every publish queued so far is settled and its future, if it has one, complete;
   * then reports the first nack since the previous call, if any. Futures complete on the callback
   * executor, in order: once the last one queued is complete, so are those before it. (Called from
   * that executor with a future not yet complete, this can only end in the timeout.)
   *
   * @throws PublishNackedException naming the first publish the broker nacked since the last call
   * @throws AmqpTimeoutException if they are not all settled within {@code timeout}
   * @throws ChannelClosedException if the channel closed first
   */
  void awaitSettled(java.time.Duration timeout, int channel) {
    long deadline = System.nanoTime() + timeout.toNanos();
    PendingConfirm future;
    lock.lock();
    try {
      future = lastFuture;
      long last = unconfirmed.nextSequence() - 1;
      while (unconfirmed.firstUnsettled() <= last) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AmqpTimeoutException(
              "channel "
                  + channel
                  + ": publishes up to sequence number "
                  + last
                  + " still unconfirmed after "
                  + timeout
                  + ", from "
                  + unconfirmed.firstUnsettled()
                  + " on");
        }
        try {
          settledCondition.awaitNanos(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AmqpException("interrupted while waiting for confirms", e);
        }
      }
      if (firstFailed <= last) throw closed;
    } finally {
      lock.unlock();
    }
    if (future != null) awaitCompletion(future, deadline, timeout, channel);
    lock.lock();
    try {
      long nacked = firstUnreportedNack;
      if (nacked != 0) {
        firstUnreportedNack = 0;
        throw new PublishNackedException(nacked);
      }
    } finally {
      lock.unlock();
    }
  }

  private static void awaitCompletion(
      PendingConfirm future, long deadline, java.time.Duration timeout, int channel) {
    try {
      future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      // Its outcome is reported otherwise: a nack below, a close by the settling above.
    } catch (TimeoutException e) {
      throw new AmqpTimeoutException(
          "channel "
              + channel
              + ": every publish was answered, but their futures were not all complete after "
              + timeout
              + " (is the callback executor busy, or is this one of its callbacks?)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AmqpException("interrupted while waiting for confirms", e);
    }
  }

  /**
   * Matches a {@code basic.return} with its publish: the broker returns a message before it
   * confirms it, in publish order, so it is the oldest unconfirmed mandatory publish to that
   * exchange and routing key not yet matched. Returns false when none is (a publish without a
   * future, or outside confirm mode).
   */
  boolean returned(dev.amqpkit.amqp091.ReturnedMessage message) {
    lock.lock();
    try {
      PendingConfirm match =
          unconfirmed.first(
              c ->
                  c.returned == null
                      && message.exchange().equals(c.mandatoryExchange)
                      && message.routingKey().equals(c.mandatoryRoutingKey));
      if (match == null) return false;
      match.returned = message;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** The first nack {@link #awaitSettled} has not reported yet, taken; 0 for none. */
  long takeUnreportedNack() {
    lock.lock();
    try {
      long nack = firstUnreportedNack;
      firstUnreportedNack = 0;
      return nack;
    } finally {
      lock.unlock();
    }
  }

  /** The sequence number the next queued publish gets. */
  long nextSequence() {
    lock.lock();
    try {
      return unconfirmed.nextSequence();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Refuses further publishes with {@code cause}, wakes every waiter, and returns the publishes
   * that will never be confirmed now, but for those held by {@link #NO_FUTURE}.
   */
  List<PendingConfirm> close(ChannelClosedException cause) {
    lock.lock();
    try {
      if (closed == null) closed = cause;
      room.signalAll();
      settledCondition.signalAll();
      if (unconfirmed.outstanding() > 0) {
        firstFailed = Math.min(firstFailed, unconfirmed.firstUnsettled());
      }
      List<PendingConfirm> failed = unconfirmed.clear();
      failed.removeIf(confirm -> confirm == NO_FUTURE);
      return failed;
    } finally {
      lock.unlock();
    }
  }
}
