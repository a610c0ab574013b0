package dev.amqpkit.amqp091.internal;

import dev.amqpkit.amqp091.BasicProperties;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Writes frames to the socket behind the callers' backs. Callers encode frames into a pending
 * buffer under {@code lock} and return; a flusher thread swaps the pending buffer for an empty one
 * and writes it whole, so a stream of small messages costs few system calls. A message's frames are
 * appended under one lock hold, so they are never interleaved with another's.
 *
 * <p>Order: every socket write happens under {@code socketLock}, and the flusher takes it before it
 * lets go of {@code lock} when it swaps, so batches reach the socket in the order they were
 * appended. Bodies larger than {@link #DIRECT_WRITE_THRESHOLD} are written straight from the
 * caller's array, after everything appended before them.
 *
 * <p>Memory is bounded: a caller waits while {@link #MAX_PENDING} bytes are pending, at most the
 * wait given at construction ({@link NoRoomException} then, with nothing queued). A write failure
 * is reported once to the failure handler, and every later call throws it.
 *
 * <p>Thread-safe.
 */
final class FrameWriter {
  static final int FRAME_HEARTBEAT = 8;
  private static final int METHOD = 1;
  private static final int HEADER = 2;
  private static final int BODY = 3;
  static final int DIRECT_WRITE_THRESHOLD = 64 * 1024;
  static final int MAX_PENDING = 512 * 1024;
  private static final int BUFFER_SIZE = 256 * 1024;

  private final OutputStream out;
  private final Consumer<IOException> onFailure;
  private final long maxWaitForRoomNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition room = lock.newCondition();
  private final ReentrantLock socketLock = new ReentrantLock();
  // The previous body frame's end octet and the next body frame's header, written together.
  private final byte[] frameJoint = new byte[8];

  // Guarded by lock.
  private Encoder pending = new Encoder(BUFFER_SIZE);
  private Encoder writing = new Encoder(BUFFER_SIZE);
  private boolean flusherWaiting;
  private boolean closed;
  private IOException failure;

  private volatile long lastWriteNanos = System.nanoTime();

  FrameWriter(
      OutputStream out,
      String name,
      java.time.Duration maxWaitForRoom,
      Consumer<IOException> onFailure) {
    this.out = out;
    this.maxWaitForRoomNanos = maxWaitForRoom.toNanos();
    this.onFailure = onFailure;
    Thread flusher = new Thread(this::flushLoop, name);
    flusher.setDaemon(true);
    flusher.start();
  }

  long lastWriteNanos() {
    return lastWriteNanos;
  }

  void writeMethod(int channel, Method method) throws IOException {
    lock.lock();
    try {
      awaitRoom();
      int sizeAt = beginFrame(pending, METHOD, channel);
      method.encode(pending);
      endFrame(pending, sizeAt);
      wakeFlusher();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writes a method with content: the method frame, the content header and the body split into
   * frames of at most {@code frameMax} bytes, with no other frame between them.
   */
  void writeContent(
      int channel, Method method, BasicProperties properties, byte[] body, int frameMax)
      throws IOException {
    lock.lock();
    try {
      awaitRoom();
      int sizeAt = beginFrame(pending, METHOD, channel);
      method.encode(pending);
      endFrame(pending, sizeAt);
      contentFrames(channel, properties, body, frameMax);
    } finally {
      lock.unlock();
    }
  }

  /** Writes a {@code basic.publish} and its content, encoding the method in place. */
  void writePublish(
      int channel,
      String exchange,
      String routingKey,
      boolean mandatory,
      BasicProperties properties,
      byte[] body,
      int frameMax)
      throws IOException {
    lock.lock();
    try {
      awaitRoom();
      encodePublishMethod(pending, channel, exchange, routingKey, mandatory);
      contentFrames(channel, properties, body, frameMax);
    } finally {
      lock.unlock();
    }
  }

  /** Appends one method frame. */
  static void encodeMethod(Encoder e, int channel, Method method) {
    int sizeAt = beginFrame(e, METHOD, channel);
    method.encode(e);
    endFrame(e, sizeAt);
  }

  /** Appends the method frame of a {@code basic.publish}. */
  static void encodePublishMethod(
      Encoder e, int channel, String exchange, String routingKey, boolean mandatory) {
    int sizeAt = beginFrame(e, METHOD, channel);
    e.shortUint(Method.BasicPublish.CLASS_ID)
        .shortUint(Method.BasicPublish.METHOD_ID)
        .shortUint(0)
        .shortString(exchange)
        .shortString(routingKey)
        .octet(mandatory ? 1 : 0);
    endFrame(e, sizeAt);
  }

  /** Appends the content header frame and the body frames of a message. */
  static void encodeContent(
      Encoder e, int channel, BasicProperties properties, byte[] body, int frameMax) {
    int sizeAt = beginFrame(e, HEADER, channel);
    ContentHeader.encode(e, body.length, properties);
    endFrame(e, sizeAt);
    int maxChunk = frameMax - 8;
    for (int offset = 0; offset < body.length; offset += maxChunk) {
      int length = Math.min(maxChunk, body.length - offset);
      e.octet(BODY).shortUint(channel).longInt(length);
      e.bytes(body, offset, length);
      e.octet(FrameReader.FRAME_END);
    }
  }

  private void contentFrames(int channel, BasicProperties properties, byte[] body, int frameMax)
      throws IOException {
    if (body.length < DIRECT_WRITE_THRESHOLD) {
      encodeContent(pending, channel, properties, body, frameMax);
      wakeFlusher();
      return;
    }
    int sizeAt = beginFrame(pending, HEADER, channel);
    ContentHeader.encode(pending, body.length, properties);
    endFrame(pending, sizeAt);
    // Large body: write what is pending and then the body straight from the caller's array,
    // after the flusher's batch in flight (it holds socketLock while it writes). Each frame costs
    // two writes: its header joined to the previous frame's end octet, then its payload.
    socketLock.lock();
    try {
      int maxChunk = frameMax - 8;
      for (int offset = 0; offset < body.length; offset += maxChunk) {
        int length = Math.min(maxChunk, body.length - offset);
        if (offset == 0) {
          pending.octet(BODY).shortUint(channel).longInt(length);
          writeOut(pending);
        } else {
          frameJoint[0] = (byte) FrameReader.FRAME_END;
          frameJoint[1] = BODY;
          frameJoint[2] = (byte) (channel >>> 8);
          frameJoint[3] = (byte) channel;
          frameJoint[4] = (byte) (length >>> 24);
          frameJoint[5] = (byte) (length >>> 16);
          frameJoint[6] = (byte) (length >>> 8);
          frameJoint[7] = (byte) length;
          out.write(frameJoint);
        }
        out.write(body, offset, length);
      }
      // The last frame's end octet leads the next batch.
      pending.octet(FrameReader.FRAME_END);
      wakeFlusher();
      out.flush();
      lastWriteNanos = System.nanoTime();
    } catch (IOException e) {
      throw failed(e);
    } finally {
      socketLock.unlock();
    }
  }

  /**
   * Appends a method if the lock is free, without waiting for it; for the timer thread, which must
   * never block behind a writer.
   *
   * @return whether it was appended
   */
  boolean tryWriteMethod(int channel, Method method) throws IOException {
    if (!lock.tryLock()) return false;
    try {
      checkFailure();
      int sizeAt = beginFrame(pending, METHOD, channel);
      method.encode(pending);
      endFrame(pending, sizeAt);
      wakeFlusher();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Appends a frame the reader thread owes the broker (close-ok, cancel-ok, flow-ok, a close over a
   * protocol error). The reader must never block: this does not wait for room, and waits for the
   * lock, which a caller writing a large body holds, at most the configured wait. Past twice the
   * pending limit the broker is not reading at all, and the write fails.
   */
  void writeReply(int channel, Method method) throws IOException {
    try {
      if (!lock.tryLock(maxWaitForRoomNanos, java.util.concurrent.TimeUnit.NANOSECONDS)) {
        throw new IOException("a reply to the broker could not be queued: a write is stuck");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while queueing a reply");
    }
    try {
      checkFailure();
      if (pending.position() >= 2 * MAX_PENDING) {
        throw new IOException("a reply to the broker could not be queued: it is not reading");
      }
      int sizeAt = beginFrame(pending, METHOD, channel);
      method.encode(pending);
      endFrame(pending, sizeAt);
      wakeFlusher();
    } finally {
      lock.unlock();
    }
  }

  /** Appends a heartbeat unless a writer holds the lock (then frames are flowing anyway). */
  void writeHeartbeat() throws IOException {
    if (!lock.tryLock()) return;
    try {
      checkFailure();
      pending.octet(FRAME_HEARTBEAT).shortUint(0).longInt(0).octet(FrameReader.FRAME_END);
      wakeFlusher();
    } finally {
      lock.unlock();
    }
  }

  /** Appends raw bytes, such as the protocol header. */
  void writeRaw(byte[] bytes) throws IOException {
    lock.lock();
    try {
      awaitRoom();
      pending.bytes(bytes, 0, bytes.length);
      wakeFlusher();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Refuses further writes and waits, at most {@code timeoutMillis}, for what is pending to reach
   * the socket; the flusher then ends.
   */
  void drainAndClose(long timeoutMillis) {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    try {
      // A writer stuck on a dead socket may hold the lock: never wait past the timeout for it.
      if (!lock.tryLock(timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS)) return;
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

  // ---- the flusher ----

  private void flushLoop() {
    while (true) {
      Encoder batch;
      lock.lock();
      try {
        room.signalAll(); // the last batch is out: wake writers waiting for room or a drain
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
        writeOut(batch);
        out.flush();
        lastWriteNanos = System.nanoTime();
      } catch (IOException e) {
        failed(e);
        return;
      } finally {
        socketLock.unlock();
      }
    }
  }

  /** Writes and clears a buffer; the caller holds socketLock. */
  private void writeOut(Encoder buffer) throws IOException {
    if (buffer.position() > 0) {
      try {
        out.write(buffer.array(), 0, buffer.position());
      } finally {
        buffer.reset();
      }
    }
  }

  private IOException failed(IOException e) {
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
    return e;
  }

  // ---- under lock ----

  private void awaitRoom() throws IOException {
    checkFailure();
    if (pending.position() < MAX_PENDING) return;
    long left = maxWaitForRoomNanos;
    while (pending.position() >= MAX_PENDING) {
      if (left <= 0) {
        throw new NoRoomException(
            "nothing could be queued for "
                + java.time.Duration.ofNanos(maxWaitForRoomNanos).toMillis()
                + " ms: the broker is not reading (a resource alarm?) or the network is stalled");
      }
      try {
        left = room.awaitNanos(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while waiting to queue frames");
      }
      checkFailure();
    }
  }

  /**
   * The pending buffer stayed full for the whole wait; nothing of the call was queued, so the
   * connection is intact.
   */
  static final class NoRoomException extends IOException {
    private static final long serialVersionUID = 1L;

    NoRoomException(String message) {
      super(message);
    }
  }

  private void checkFailure() throws IOException {
    if (failure != null)
      throw new IOException("an earlier write failed: " + failure.getMessage(), failure);
    if (closed) throw new IOException("the connection is closed");
  }

  private void wakeFlusher() {
    if (flusherWaiting) work.signal();
  }

  private static int beginFrame(Encoder e, int type, int channel) {
    e.octet(type).shortUint(channel);
    int sizeAt = e.position();
    e.longInt(0);
    return sizeAt;
  }

  private static void endFrame(Encoder e, int sizeAt) {
    int end = e.position();
    e.position(sizeAt);
    e.longInt(end - sizeAt - 4);
    e.position(end);
    e.octet(FrameReader.FRAME_END);
  }
}
