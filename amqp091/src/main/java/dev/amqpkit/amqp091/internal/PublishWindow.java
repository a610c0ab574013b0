package dev.amqpkit.amqp091.internal;

import dev.amqpkit.amqp091.AmqpException;
import dev.amqpkit.amqp091.AmqpTimeoutException;
import dev.amqpkit.amqp091.ChannelClosedException;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The unconfirmed publishes of a channel in confirm mode, and the limit on how many there may be.
 *
 * <p>A publish first {@linkplain #reserve reserves} a place, waiting while the window is full; once
 * its method frame is queued for the socket, under the writer's lock, the writer {@linkplain
 * #queued numbers} it, so sequence numbers follow the order the broker sees. The reader thread
 * {@linkplain #settle settles} confirms and wakes waiting publishers itself, in one thread
 * hand-off. It wakes them only once a sixteenth of the window is free (at most 256 places): the
 * broker confirms a few messages per frame, and waking a publisher, then the writer, for each such
 * frame would cost more CPU than the messages themselves. A waiting publisher also looks again
 * every 10 ms, so a place freed by a smaller batch is never missed for long.
 *
 * <p>Thread-safe; the lock is never held while waiting for anything but room.
 */
final class PublishWindow implements FrameWriter.PublishSequencer {
  private static final long RECHECK_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10);

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition room = lock.newCondition();
  private final ConfirmWindow<PendingConfirm> unconfirmed = new ConfirmWindow<>();
  private int limit = Integer.MAX_VALUE;
  private int wakeAtFree = 1;
  private int reserved;
  private ChannelClosedException closed;
  private final Chain chain = new Chain(); // settle's, under the lock

  /** A publish's future, which learns its sequence number once the publish is queued. */
  static final class PendingConfirm extends java.util.concurrent.CompletableFuture<Void> {
    // 0 until queued, then its sequence number; -1 if queued after the channel closed.
    // Written under the window's lock, read by the publishing thread after the writer returns.
    volatile long sequence;
    // The next publish settled by the same confirm, once settled: a chain costs no allocation
    // (this field fits in the object's padding), a list per confirm frame would. Handed to the
    // completing thread with the chain, through the callback executor's lock.
    PendingConfirm next;
  }

  /** Links the publishes a confirm settles through {@link PendingConfirm#next}. */
  private static final class Chain implements java.util.function.Consumer<PendingConfirm> {
    PendingConfirm head;
    PendingConfirm tail;

    @Override
    public void accept(PendingConfirm confirm) {
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
  public void queued(PendingConfirm confirm) {
    lock.lock();
    try {
      if (reserved > 0) reserved--;
      // After a close nothing will confirm it; the publisher fails it once off the writer's lock.
      confirm.sequence = closed != null ? -1 : unconfirmed.add(confirm);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void unqueued(PendingConfirm confirm) {
    lock.lock();
    try {
      if (confirm.sequence > 0) unconfirmed.removeLast(confirm.sequence);
      confirm.sequence = 0;
      reserved++; // the publisher gives it back as a publish that was never queued
    } finally {
      lock.unlock();
    }
  }

  /**
   * Settles one sequence number, or every one up to it, and wakes publishers waiting for room.
   * Returns the first settled publish, linked in order through {@link PendingConfirm#next}, or null
   * if none was; the caller completes them off the reader thread.
   */
  PendingConfirm settle(long sequence, boolean multiple) {
    lock.lock();
    try {
      PendingConfirm settled;
      if (multiple) {
        unconfirmed.takeUpTo(sequence, chain);
        settled = chain.head;
        chain.head = null;
        chain.tail = null;
      } else {
        settled = unconfirmed.take(sequence);
      }
      if (settled != null
          && limit - unconfirmed.outstanding() - reserved >= wakeAtFree
          && lock.hasWaiters(room)) {
        room.signalAll();
      }
      return settled;
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

  /** Every publish not yet confirmed, in order. */
  List<PendingConfirm> unsettled() {
    lock.lock();
    try {
      return unconfirmed.unsettled();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Refuses further publishes with {@code cause}, wakes every waiter, and returns the publishes
   * that will never be confirmed now.
   */
  List<PendingConfirm> close(ChannelClosedException cause) {
    lock.lock();
    try {
      if (closed == null) closed = cause;
      room.signalAll();
      return unconfirmed.clear();
    } finally {
      lock.unlock();
    }
  }
}
