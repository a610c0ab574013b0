package dev.amqpkit.amqp10.internal.engine;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Writes frames to the socket behind the callers' backs. Callers append encoded frames to a pending
 * buffer under {@code lock} and return; a flusher thread, the only one that writes to the socket,
 * swaps the pending buffer for an empty one and writes it whole, so many small frames cost few
 * system calls and no caller ever blocks on the socket.
 *
 * <p>Memory is bounded: a caller waits while {@link #MAX_PENDING} bytes are pending, at most the
 * wait given at construction, and then gets {@link NoRoomException} with nothing appended. Frames
 * the reader owes the peer and heartbeats never wait for room. A write failure is reported once to
 * the failure handler, and every later call throws it.
 *
 * <p>Thread-safe.
 */
final class FrameWriter {
  static final int MAX_PENDING = 512 * 1024;
  private static final int INITIAL_CAPACITY = 64 * 1024;
  private static final long HEARTBEAT_LOCK_WAIT_MILLIS = 5;
  private static final byte[] EMPTY_FRAME =
      dev.amqpkit.amqp10.internal.frames.FrameEncoder.emptyFrame();

  /** Fills exactly the bytes it was given room for. */
  interface Filler {
    void fill(ByteBuffer target);
  }

  /** Nothing was appended within the wait: the peer is not reading, or the network stalled. */
  static final class NoRoomException extends IOException {
    private static final long serialVersionUID = 1L;

    NoRoomException(String message) {
      super(message);
    }
  }

  private final OutputStream out;
  private final long maxWaitNanos;
  private final Consumer<IOException> onFailure;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition room = lock.newCondition();
  private final ReentrantLock socketLock = new ReentrantLock();

  // Guarded by lock.
  private ByteBuffer pending = ByteBuffer.allocate(INITIAL_CAPACITY);
  private ByteBuffer writing = ByteBuffer.allocate(INITIAL_CAPACITY);
  private boolean flusherWaiting;
  private boolean closed;
  private IOException failure;

  private volatile long lastWriteNanos = System.nanoTime();

  FrameWriter(OutputStream out, String name, Duration maxWait, Consumer<IOException> onFailure) {
    this.out = out;
    this.maxWaitNanos = maxWait.toNanos();
    this.onFailure = onFailure;
    Thread flusher = new Thread(this::flushLoop, name);
    flusher.setDaemon(true);
    flusher.start();
  }

  long lastWriteNanos() {
    return lastWriteNanos;
  }

  /** Appends bytes, waiting for room at most the configured wait. */
  void write(byte[] bytes) throws IOException {
    write(bytes.length, target -> target.put(bytes));
  }

  /**
   * Appends {@code size} bytes that {@code filler} writes, waiting for room at most the configured
   * wait; if the filler throws, nothing is appended.
   */
  void write(int size, Filler filler) throws IOException {
    lock.lock();
    try {
      awaitRoom();
      append(size, filler);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Appends a frame without waiting for room; waits for the lock at most the configured wait. For
   * what the reader thread owes the peer and for closing frames, which must never wait on a peer
   * that is not reading. Past twice the pending limit the peer reads nothing at all, and this
   * fails.
   */
  void writeReply(byte[] bytes) throws IOException {
    writeReply(bytes.length, target -> target.put(bytes));
  }

  /** As {@link #writeReply(byte[])}, for {@code size} bytes that {@code filler} writes. */
  void writeReply(int size, Filler filler) throws IOException {
    try {
      if (!lock.tryLock(maxWaitNanos, TimeUnit.NANOSECONDS)) {
        throw new IOException("a frame for the peer could not be queued: a writer is stuck");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while queueing a frame");
    }
    try {
      checkFailure();
      if (pending.position() >= 2 * MAX_PENDING) {
        throw new IOException("a frame for the peer could not be queued: it is not reading");
      }
      append(size, filler);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Appends an empty frame. Waits for the lock a few milliseconds at most (it is held only to
   * append or swap), so the timer thread calling this never stalls; past that, frames are flowing
   * anyway and the heartbeat is skipped.
   */
  void writeHeartbeat() throws IOException {
    try {
      if (!lock.tryLock(HEARTBEAT_LOCK_WAIT_MILLIS, TimeUnit.MILLISECONDS)) return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    try {
      checkFailure();
      if (pending.position() > 0) return; // something is about to go out anyway
      append(EMPTY_FRAME.length, target -> target.put(EMPTY_FRAME));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Refuses further writes and waits, at most {@code timeoutMillis}, for what is pending to reach
   * the socket; the flusher then ends.
   */
  void drainAndClose(long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    try {
      if (!lock.tryLock(timeoutMillis, TimeUnit.MILLISECONDS)) return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    try {
      closed = true;
      work.signalAll();
      room.signalAll();
      while ((pending.position() > 0 || socketLock.isLocked()) && failure == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) break;
        try {
          room.awaitNanos(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  // ---- under lock ----

  private void append(int size, Filler filler) throws IOException {
    checkFailure();
    if (pending.remaining() < size) {
      ByteBuffer bigger =
          ByteBuffer.allocate(Math.max(pending.capacity() * 2, pending.position() + size));
      pending.flip();
      bigger.put(pending);
      pending = bigger;
    }
    int start = pending.position();
    try {
      filler.fill(pending);
    } catch (RuntimeException e) {
      pending.position(start);
      throw e;
    }
    int filled = pending.position() - start;
    if (filled != size) {
      pending.position(start);
      throw new IllegalStateException(
          "a frame filled " + filled + " bytes of the " + size + " it sized");
    }
    if (flusherWaiting) work.signal();
  }

  private void awaitRoom() throws IOException {
    checkFailure();
    if (pending.position() < MAX_PENDING) return;
    long left = maxWaitNanos;
    while (pending.position() >= MAX_PENDING) {
      if (left <= 0) {
        throw new NoRoomException(
            "nothing could be queued for "
                + TimeUnit.NANOSECONDS.toMillis(maxWaitNanos)
                + " ms: the peer is not reading or the network is stalled");
      }
      try {
        left = room.awaitNanos(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting to queue a frame");
      }
      checkFailure();
    }
  }

  private void checkFailure() throws IOException {
    if (failure != null) {
      throw new IOException("an earlier write failed: " + failure.getMessage(), failure);
    }
    if (closed) throw new IOException("the connection is closed");
  }

  // ---- the flusher ----

  private void flushLoop() {
    while (true) {
      ByteBuffer batch;
      lock.lock();
      try {
        room.signalAll();
        while (pending.position() == 0 && !closed && failure == null) {
          flusherWaiting = true;
          try {
            work.await();
          } catch (InterruptedException e) {
            return;
          } finally {
            flusherWaiting = false;
          }
        }
        if (failure != null || pending.position() == 0) return;
        batch = pending;
        pending = writing;
        writing = batch;
        socketLock.lock(); // before unlocking lock: batches reach the socket in order
        room.signalAll();
      } finally {
        lock.unlock();
      }
      try {
        out.write(batch.array(), 0, batch.position());
        out.flush();
        lastWriteNanos = System.nanoTime();
      } catch (IOException e) {
        failed(e);
        return;
      } finally {
        batch.clear();
        socketLock.unlock();
      }
    }
  }

  private void failed(IOException e) {
    boolean first;
    lock.lock();
    try {
      first = failure == null;
      if (first) failure = e;
      room.signalAll();
      work.signalAll();
    } finally {
      lock.unlock();
    }
    if (first) onFailure.accept(e);
  }
}
