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
 * costs few system calls. A message's frames are appended under one lock hold, so they are never
 * interleaved with another's. A body over {@link #REFERENCE_THRESHOLD} bytes is not copied: its
 * frames refer to the caller's array, and the caller waits until the flusher has written them.
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
  static final int REFERENCE_THRESHOLD = 256 * 1024;
  static final int MAX_PENDING = 512 * 1024;
  private static final int BUFFER_SIZE = 256 * 1024;

  private final OutputStream out;
  private final Consumer<IOException> onFailure;
  private final long maxWaitForRoomNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition room = lock.newCondition();
  private final Condition written = lock.newCondition(); // a referenced body is out
  private final ReentrantLock socketLock = new ReentrantLock();

  // Guarded by lock.
  private Encoder pending = new Encoder(BUFFER_SIZE);
  private Encoder writing = new Encoder(BUFFER_SIZE);
  private boolean flusherWaiting;
  private Slices pendingSlices = new Slices();
  private Slices writingSlices = new Slices();
  private long swaps; // how many times the flusher took the pending buffer
  private long slicesQueued; // slices ever queued (less any taken back)
  private long slicesWritten; // slices the flusher has written
  private long wakeAtSlices = Long.MAX_VALUE; // the least target a caller waits for
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
      encodeMethod(pending, channel, method);
      wakeFlusher();
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

    /**
     * Takes back the last {@link #queued}: the writer removed the publish before any of it went.
     */
    void unqueued(PublishWindow.PendingConfirm confirm);
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
      awaitRoom();
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
    encodeBody(e, channel, body, frameMax);
  }

  /**
   * Appends the content header and body frames after a method frame that starts at {@code start}. A
   * body of up to {@link #REFERENCE_THRESHOLD} bytes is copied in (cheaper than a thread hand-off,
   * as measured with 256 KiB bodies); a larger one is queued by reference, frame by frame, and the
   * call waits until the flusher has written it, so the caller may reuse its array on return and
   * memory stays bounded whatever the message size. If encoding fails, nothing of the message stays
   * queued.
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
    boolean byReference = body.length > REFERENCE_THRESHOLD;
    int slicesBefore = pendingSlices.count;
    try {
      int sizeAt = beginFrame(pending, HEADER, channel);
      ContentHeader.encode(pending, body.length, properties);
      endFrame(pending, sizeAt);
      if (byReference) {
        referenceBody(pending, pendingSlices, channel, body, frameMax);
      } else {
        encodeBody(pending, channel, body, frameMax);
      }
    } catch (RuntimeException e) {
      pending.position(start);
      pendingSlices.truncate(slicesBefore);
      throw e;
    }
    if (sequencer != null) sequencer.queued(confirm);
    wakeFlusher();
    if (byReference) {
      slicesQueued += pendingSlices.count - slicesBefore;
      awaitWritten(channel, body.length, start, slicesBefore, sequencer, confirm);
    }
  }

  private static void encodeBody(Encoder e, int channel, byte[] body, int frameMax) {
    int maxChunk = frameMax - 8;
    for (int offset = 0; offset < body.length; offset += maxChunk) {
      int length = Math.min(maxChunk, body.length - offset);
      e.octet(BODY).shortUint(channel).longInt(length);
      e.bytes(body, offset, length);
      e.octet(FrameReader.FRAME_END);
    }
  }

  private static void referenceBody(
      Encoder e, Slices slices, int channel, byte[] body, int frameMax) {
    int maxChunk = frameMax - 8;
    for (int offset = 0; offset < body.length; offset += maxChunk) {
      int length = Math.min(maxChunk, body.length - offset);
      e.octet(BODY).shortUint(channel).longInt(length);
      slices.add(e.position(), body, offset, length);
      e.octet(FrameReader.FRAME_END);
    }
  }

  /**
   * Waits until the flusher has written every slice queued so far, ours last among them. The wait
   * is bounded by the time without progress, not by the size: a slow broker that keeps reading
   * never fails a large message. If nothing moves for the whole wait, a message the flusher has not
   * touched is taken back (a clean timeout); one partly written cannot be, and the connection
   * fails.
   */
  private void awaitWritten(
      int channel,
      int size,
      int start,
      int slicesBefore,
      PublishSequencer sequencer,
      PublishWindow.PendingConfirm confirm)
      throws IOException {
    long target = slicesQueued;
    int end = pending.position();
    int endSlices = pendingSlices.count;
    long swapsAtAppend = swaps;
    long seen = slicesWritten;
    long left = maxWaitForRoomNanos;
    while (slicesWritten < target) {
      boolean interrupted = false;
      if (left > 0) {
        if (target < wakeAtSlices) wakeAtSlices = target;
        try {
          left = written.awaitNanos(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          interrupted = true;
        }
        checkFailure();
        if (slicesWritten != seen) {
          seen = slicesWritten;
          left = maxWaitForRoomNanos;
        }
        if (!interrupted) continue;
      }
      if (swaps == swapsAtAppend && pending.position() == end && pendingSlices.count == endSlices) {
        // Untouched by the flusher, and last in line: take it back whole.
        pending.position(start);
        pendingSlices.truncate(slicesBefore);
        slicesQueued -= endSlices - slicesBefore;
        if (sequencer != null) sequencer.unqueued(confirm);
        throw new NoRoomException(
            (interrupted ? "interrupted" : "no room for " + waitedMillis() + " ms")
                + " before a "
                + size
                + "-byte message on channel "
                + channel
                + " could be sent: the broker is not reading (a resource alarm?) or the network"
                + " is stalled; nothing of it was sent");
      }
      throw failed(
          new IOException(
              (interrupted
                      ? "interrupted"
                      : "the broker read nothing for " + waitedMillis() + " ms")
                  + " while a "
                  + size
                  + "-byte message on channel "
                  + channel
                  + " was being sent; a message cannot be taken back once partly sent, so the"
                  + " connection is closed"));
    }
  }

  private long waitedMillis() {
    return java.time.Duration.ofNanos(maxWaitForRoomNanos).toMillis();
  }

  /**
   * Body slices queued by reference: each is written from the caller's array right after the
   * encoder's bytes up to its position. Guarded by the writer's lock until swapped to the flusher.
   */
  private static final class Slices {
    int count;
    int[] positions = new int[16];
    byte[][] arrays = new byte[16][];
    int[] offsets = new int[16];
    int[] lengths = new int[16];
    long bytes;

    void add(int position, byte[] array, int offset, int length) {
      if (count == positions.length) {
        int n = count * 2;
        positions = java.util.Arrays.copyOf(positions, n);
        arrays = java.util.Arrays.copyOf(arrays, n);
        offsets = java.util.Arrays.copyOf(offsets, n);
        lengths = java.util.Arrays.copyOf(lengths, n);
      }
      positions[count] = position;
      arrays[count] = array;
      offsets[count] = offset;
      lengths[count] = length;
      count++;
      bytes += length;
    }

    void truncate(int newCount) {
      while (count > newCount) {
        count--;
        bytes -= lengths[count];
        arrays[count] = null;
      }
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
      encodeMethod(pending, channel, method);
      wakeFlusher();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Appends a frame the reader thread owes the broker (close-ok, cancel-ok, flow-ok, a close over a
   * protocol error). The reader must never block: this does not wait for room, and waits for the
   * lock, which callers hold only while they encode, at most the configured wait. Past twice the
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
      encodeMethod(pending, channel, method);
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
      // The lock is held only to encode, but never wait past the timeout for it all the same.
      if (!lock.tryLock(timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS)) return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    try {
      closed = true;
      work.signalAll();
      room.signalAll();
      written.signalAll();
      while ((pendingSize() > 0 || socketLock.isLocked()) && failure == null) {
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
      Slices slices;
      lock.lock();
      try {
        room.signalAll(); // the last batch is out: wake writers waiting for room or a drain
        while (pending.position() == 0 && pendingSlices.count == 0 && !closed && failure == null) {
          flusherWaiting = true;
          try {
            work.await();
          } catch (InterruptedException e) {
            return;
          } finally {
            flusherWaiting = false;
          }
        }
        if (failure != null || (pending.position() == 0 && pendingSlices.count == 0)) return;
        batch = pending;
        pending = writing;
        writing = batch;
        slices = pendingSlices;
        pendingSlices = writingSlices;
        writingSlices = slices;
        swaps++;
        socketLock.lock(); // before unlocking lock: batches reach the socket in order
        room.signalAll();
      } finally {
        lock.unlock();
      }
      try {
        writeOut(batch, slices);
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

  /** Writes and clears a buffer and its slices; the caller holds socketLock. */
  private void writeOut(Encoder buffer, Slices slices) throws IOException {
    try {
      byte[] bytes = buffer.array();
      int from = 0;
      for (int i = 0; i < slices.count; i++) {
        int at = slices.positions[i];
        out.write(bytes, from, at - from);
        out.write(slices.arrays[i], slices.offsets[i], slices.lengths[i]);
        from = at;
        lock.lock();
        try {
          // Wake callers only when one's last slice is out; they watch progress on their own.
          if (++slicesWritten >= wakeAtSlices) {
            wakeAtSlices = Long.MAX_VALUE;
            written.signalAll();
          }
        } finally {
          lock.unlock();
        }
      }
      out.write(bytes, from, buffer.position() - from);
    } finally {
      buffer.reset();
      slices.truncate(0);
    }
  }

  private IOException failed(IOException e) {
    boolean first;
    lock.lock();
    try {
      first = failure == null;
      if (first) failure = e;
      room.signalAll();
      written.signalAll();
      work.signalAll();
    } finally {
      lock.unlock();
    }
    if (first) onFailure.accept(e);
    return e;
  }

  // ---- under lock ----

  private long pendingSize() {
    return pending.position() + pendingSlices.bytes;
  }

  /** Waits, at most the configured wait, until there is room. */
  private void awaitRoom() throws IOException {
    checkFailure();
    if (pendingSize() < MAX_PENDING) return;
    long left = maxWaitForRoomNanos;
    while (pendingSize() >= MAX_PENDING) {
      if (left <= 0) {
        throw new NoRoomException(
            "nothing could be queued for "
                + waitedMillis()
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
