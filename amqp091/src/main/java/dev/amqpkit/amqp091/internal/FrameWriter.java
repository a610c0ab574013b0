package dev.amqpkit.amqp091.internal;

import dev.amqpkit.amqp091.BasicProperties;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Writes frames to the socket behind the callers' backs. Callers encode frames into a pending
 * buffer under {@code lock} and return; a flusher thread, the only one that writes to the socket,
 * swaps the pending buffer for an empty one and writes it whole, so a stream of small messages
 * costs few system calls. A message of up to {@link #STREAMING_THRESHOLD} bytes is appended under
 * one lock hold; a larger body is streamed frame by frame as room appears, its channel marked busy
 * meanwhile so no other frame of that channel gets between its frames.
 *
 * <p>Order: the flusher takes {@code socketLock} before it lets go of {@code lock} when it swaps,
 * so batches reach the socket in the order they were appended.
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
  static final int STREAMING_THRESHOLD = 256 * 1024;
  static final int MAX_PENDING = 512 * 1024;
  private static final int BUFFER_SIZE = 256 * 1024;

  private final OutputStream out;
  private final Consumer<IOException> onFailure;
  private final long maxWaitForRoomNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition room = lock.newCondition();
  private final ReentrantLock socketLock = new ReentrantLock();

  // Guarded by lock.
  private Encoder pending = new Encoder(BUFFER_SIZE);
  private Encoder writing = new Encoder(BUFFER_SIZE);
  private boolean flusherWaiting;
  // Channels in the middle of a streamed body: no other frame of theirs may be queued.
  private final java.util.BitSet busyChannels = new java.util.BitSet();
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
      awaitTurn(channel);
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
   * frames of at most {@code frameMax} bytes, with no other frame of the channel between them.
   */
  void writeContent(
      int channel, Method method, BasicProperties properties, byte[] body, int frameMax)
      throws IOException {
    lock.lock();
    try {
      awaitTurn(channel);
      int start = pending.position();
      int sizeAt = beginFrame(pending, METHOD, channel);
      method.encode(pending);
      endFrame(pending, sizeAt);
      appendContent(channel, start, properties, body, frameMax, null, null);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Told, under the writer's lock, that a publish's frames are queued and nothing can take them
   * back: the broker will number it next on its channel.
   */
  interface PublishSequencer {
    void queued(PublishWindow.PendingConfirm confirm);
  }

  /**
   * Writes a {@code basic.publish} and its content, encoding the method in place. On a channel in
   * confirm mode {@code sequencer} numbers the publish, in wire order.
   *
   * @throws NoRoomException if nothing could be queued within the wait; nothing was
   * @throws IOException if the connection failed, before or while the message was written
   */
  void writePublish(
      int channel,
      String exchange,
      String routingKey,
      boolean mandatory,
      BasicProperties properties,
      byte[] body,
      int frameMax,
      PublishSequencer sequencer,
      PublishWindow.PendingConfirm confirm)
      throws IOException {
    lock.lock();
    try {
      awaitTurn(channel);
      int start = pending.position();
      encodePublishMethod(pending, channel, exchange, routingKey, mandatory);
      appendContent(channel, start, properties, body, frameMax, sequencer, confirm);
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

  /**
   * Appends the content header and body frames after a method frame that starts at {@code start}. A
   * body of at most {@link #STREAMING_THRESHOLD} bytes is appended whole; a larger one is streamed
   * frame by frame, waiting for room as the flusher drains, so memory stays bounded whatever the
   * message size. If encoding fails, nothing of the message stays queued.
   */
  private void appendContent(
      int channel,
      int start,
      BasicProperties properties,
      byte[] body,
      int frameMax,
      PublishSequencer sequencer,
      PublishWindow.PendingConfirm confirm)
      throws IOException {
    boolean whole = body.length <= STREAMING_THRESHOLD;
    try {
      int sizeAt = beginFrame(pending, HEADER, channel);
      ContentHeader.encode(pending, body.length, properties);
      endFrame(pending, sizeAt);
      if (whole) encodeBody(pending, channel, body, 0, body.length, frameMax);
    } catch (RuntimeException e) {
      pending.position(start);
      throw e;
    }
    if (sequencer != null) sequencer.queued(confirm);
    if (whole) {
      wakeFlusher();
    } else {
      streamBody(channel, body, frameMax);
    }
  }

  private static void encodeBody(
      Encoder e, int channel, byte[] body, int offset, int end, int frameMax) {
    int maxChunk = frameMax - 8;
    for (; offset < end; offset += maxChunk) {
      int length = Math.min(maxChunk, end - offset);
      e.octet(BODY).shortUint(channel).longInt(length);
      e.bytes(body, offset, length);
      e.octet(FrameReader.FRAME_END);
    }
  }

  /**
   * Appends a large body frame by frame. While it waits for room the lock is free, so other
   * channels keep writing; this channel is marked busy, so none of its frames gets between the
   * body's. The message is already partly queued: if the broker reads nothing for the whole wait,
   * the connection cannot continue, and fails.
   */
  private void streamBody(int channel, byte[] body, int frameMax) throws IOException {
    busyChannels.set(channel);
    try {
      int maxChunk = frameMax - 8;
      for (int offset = 0; offset < body.length; ) {
        if (pending.position() >= MAX_PENDING) {
          wakeFlusher();
          long left = maxWaitForRoomNanos;
          while (pending.position() >= MAX_PENDING) {
            if (left <= 0) {
              throw failed(
                  new IOException(
                      "the broker read nothing for "
                          + java.time.Duration.ofNanos(maxWaitForRoomNanos).toMillis()
                          + " ms in the middle of a "
                          + body.length
                          + "-byte message on channel "
                          + channel
                          + "; a message cannot be taken back once partly sent, so the"
                          + " connection is closed"));
            }
            try {
              left = room.awaitNanos(left);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw failed(
                  new java.io.InterruptedIOException(
                      "interrupted in the middle of a message on channel " + channel));
            }
            checkFailure();
          }
        }
        int end = Math.min(body.length, offset + maxChunk);
        encodeBody(pending, channel, body, offset, end, frameMax);
        offset = end;
        wakeFlusher();
      }
    } finally {
      busyChannels.clear(channel);
      room.signalAll();
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
      awaitTurn(0);
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

  /** Waits, at most the configured wait, until there is room and the channel is not mid-message. */
  private void awaitTurn(int channel) throws IOException {
    checkFailure();
    if (pending.position() < MAX_PENDING && (busyChannels.isEmpty() || !busyChannels.get(channel)))
      return;
    long left = maxWaitForRoomNanos;
    while (pending.position() >= MAX_PENDING || busyChannels.get(channel)) {
      if (left <= 0) {
        throw new NoRoomException(
            busyChannels.get(channel)
                ? "nothing could be queued for "
                    + java.time.Duration.ofNanos(maxWaitForRoomNanos).toMillis()
                    + " ms: channel "
                    + channel
                    + " is still sending a large message"
                : "nothing could be queued for "
                    + java.time.Duration.ofNanos(maxWaitForRoomNanos).toMillis()
                    + " ms: the broker is not reading (a resource alarm?) or the network is"
                    + " stalled");
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
