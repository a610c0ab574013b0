package dev.amqpkit.amqp091.internal;

import dev.amqpkit.amqp091.BasicProperties;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Writes frames to the socket behind the callers' backs. Callers encode frames into a pending
 * buffer under {@code lock} and return; a flusher thread, the only one that writes to the socket,
 * swaps the pending buffer for an empty one and writes it whole, so a stream of small messages
 * costs few system calls. A message's frames are appended under one lock hold, so they are never
 * interleaved with another's. A body over {@link #REFERENCE_THRESHOLD} bytes is not copied: its
 * frames refer to the caller's array, and the caller waits until the flusher has written them, or,
 * if the connection closes or fails meanwhile, until nothing will read them again.
 *
 * <p>Given a socket channel (plain TCP), the pending buffers are direct: a body is copied once, by
 * the caller, and the flusher hands the buffer to the kernel as it is. An output stream (TLS) takes
 * heap buffers, which the JDK copies to native memory again on the way out. Frames other than
 * bodies are encoded into a small scratch encoder first, then copied into the pending buffer.
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
  // Pending buffers start small (a direct one is freed only when collected) and grow as needed:
  // to at most MAX_PENDING plus one message, but for replies, which may go to 2 * MAX_PENDING.
  private static final int BUFFER_SIZE = 64 * 1024;
  private static final long LET_GO_POLL_NANOS = 10_000_000;

  private final WritableByteChannel channel; // null when writing to a stream
  private final OutputStream out; // null when writing to a channel
  private final Consumer<IOException> onFailure;
  private final long maxWaitForRoomNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition room = lock.newCondition();
  private final Condition written = lock.newCondition(); // a referenced body is out
  private final ReentrantLock socketLock = new ReentrantLock();

  // Guarded by lock.
  private final Encoder scratch = new Encoder(512);
  private ByteBuffer pending;
  private ByteBuffer writing;
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

  /** A writer to a stream, such as a TLS socket's, from heap buffers. */
  FrameWriter(
      OutputStream out,
      String name,
      java.time.Duration maxWaitForRoom,
      Consumer<IOException> onFailure) {
    this(
        null,
        java.util.Objects.requireNonNull(out, "out == null"),
        name,
        maxWaitForRoom,
        onFailure);
  }

  /** A writer to a blocking channel, such as a plain TCP socket's, from direct buffers. */
  FrameWriter(
      WritableByteChannel channel,
      String name,
      java.time.Duration maxWaitForRoom,
      Consumer<IOException> onFailure) {
    this(
        java.util.Objects.requireNonNull(channel, "channel == null"),
        null,
        name,
        maxWaitForRoom,
        onFailure);
  }

  private FrameWriter(
      WritableByteChannel channel,
      OutputStream out,
      String name,
      java.time.Duration maxWaitForRoom,
      Consumer<IOException> onFailure) {
    this.channel = channel;
    this.out = out;
    this.pending = allocate(BUFFER_SIZE);
    this.writing = allocate(BUFFER_SIZE);
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
      appendMethod(channel, method);
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
    /**
     * Returns the publish's sequence number, or -1 if the channel closed: nothing will confirm it.
     */
    long queued(PublishWindow.PendingConfirm confirm);

    /**
     * Takes back the last {@link #queued}: the writer removed the publish before any of it went.
     */
    void unqueued(long sequence);
  }

  /**
   * Writes a {@code basic.publish} and its content. On a channel in confirm mode {@code sequencer}
   * numbers the publish, in wire order.
   *
   * @return the sequence number {@code sequencer} gave the publish; 0 without one
   * @throws NoRoomException if nothing could be queued within the wait; nothing was
   * @throws IOException if the connection failed, before or while the message was written
   */
  long writePublish(
      int channel,
      String exchange,
      String routingKey,
      boolean mandatory,
      BasicProperties properties,
      byte[] body,
      int bodyLength,
      int frameMax,
      PublishSequencer sequencer,
      PublishWindow.PendingConfirm confirm)
      throws IOException {
    lock.lock();
    try {
      awaitRoom();
      // Everything that can fail to encode goes to the scratch encoder, before anything is queued.
      scratch.reset();
      encodePublishMethod(scratch, channel, exchange, routingKey, mandatory);
      int sizeAt = beginFrame(scratch, HEADER, channel);
      ContentHeader.encode(scratch, bodyLength, properties);
      endFrame(scratch, sizeAt);
      return appendContent(channel, body, bodyLength, frameMax, sequencer, confirm);
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
   * Appends the method and header frames encoded in the scratch encoder, then the body frames. A
   * body of up to {@link #REFERENCE_THRESHOLD} bytes is copied in (cheaper than a thread hand-off,
   * as measured with 256 KiB bodies); a larger one is queued by reference, frame by frame, and the
   * call waits until the flusher has written it, so the caller may reuse its array on return and
   * memory stays bounded whatever the message size.
   */
  private long appendContent(
      int channel,
      byte[] body,
      int bodyLength,
      int frameMax,
      PublishSequencer sequencer,
      PublishWindow.PendingConfirm confirm)
      throws IOException {
    boolean byReference = bodyLength > REFERENCE_THRESHOLD;
    int start = pending.position();
    int slicesBefore = pendingSlices.count;
    int maxChunk = frameMax - 8;
    int frames = (int) (((long) bodyLength + maxChunk - 1) / maxChunk);
    ensure(scratch.position() + 8 * frames + (byReference ? 0 : bodyLength));
    pending.put(scratch.array(), 0, scratch.position());
    for (int offset = 0; offset < bodyLength; offset += maxChunk) {
      int length = Math.min(maxChunk, bodyLength - offset);
      pending.put((byte) BODY).putShort((short) channel).putInt(length);
      if (byReference) {
        pendingSlices.add(pending.position(), body, offset, length);
      } else {
        pending.put(body, offset, length);
      }
      pending.put((byte) FrameReader.FRAME_END);
    }
    long sequence = sequencer == null ? 0 : sequencer.queued(confirm);
    wakeFlusher();
    if (byReference) {
      slicesQueued += pendingSlices.count - slicesBefore;
      awaitWritten(channel, bodyLength, start, slicesBefore, sequencer, sequence);
    }
    return sequence;
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

  /**
   * Waits until the flusher has written every slice queued so far, ours last among them. The wait
   * is bounded by the time without progress, not by the size: a slow broker that keeps reading
   * never fails a large message. If nothing moves for the whole wait, a message the flusher has not
   * touched is taken back (a clean timeout); one partly written cannot be, and the connection
   * fails.
   */
  private void awaitWritten(
      int channel, int size, int start, int slicesBefore, PublishSequencer sequencer, long sequence)
      throws IOException {
    long target = slicesQueued;
    int end = pending.position();
    int endSlices = pendingSlices.count;
    long swapsAtAppend = swaps;
    long seen = slicesWritten;
    long left = maxWaitForRoomNanos;
    while (slicesWritten < target) {
      if (failure != null || closed) {
        boolean takenBack = letGo(start, end, slicesBefore, endSlices, swapsAtAppend, target);
        if (takenBack && sequencer != null) sequencer.unqueued(sequence);
        checkFailure();
      }
      boolean interrupted = false;
      if (left > 0) {
        if (target < wakeAtSlices) wakeAtSlices = target;
        try {
          left = written.awaitNanos(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          interrupted = true;
        }
        if (failure != null || closed) continue;
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
        if (sequencer != null) sequencer.unqueued(sequence);
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

  /**
   * The connection closed or failed while a caller waited for its body, queued by reference, to be
   * written: returns only once nothing will read the caller's array again, so that the caller may
   * change it as soon as it hears of the failure (a closing connection's flusher drains what is
   * pending, and bytes it hands the kernel may still reach the broker). Takes the message back
   * whole if the flusher never reached it and it is last in line (returns true: nothing of it was
   * sent); otherwise waits until the flusher wrote it, or stopped for good (failed, and out of the
   * socket), within the writer's wait. Holds the lock but while waiting.
   */
  private boolean letGo(
      int start, int end, int slicesBefore, int endSlices, long swapsAtAppend, long target) {
    if (swaps == swapsAtAppend && pending.position() == end && pendingSlices.count == endSlices) {
      pending.position(start);
      pendingSlices.truncate(slicesBefore);
      slicesQueued -= endSlices - slicesBefore;
      return true;
    }
    long deadline = System.nanoTime() + maxWaitForRoomNanos;
    boolean interrupted = false;
    // The flusher lets go of the socket lock after it signals its failure: look again now and then.
    while (slicesWritten < target && (failure == null || socketLock.isLocked())) {
      long left = deadline - System.nanoTime();
      if (left <= 0) break;
      try {
        written.awaitNanos(Math.min(left, LET_GO_POLL_NANOS));
      } catch (InterruptedException e) {
        interrupted = true; // the array must be let go of all the same; the interrupt is kept
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
    return false;
  }

  private long waitedMillis() {
    return java.time.Duration.ofNanos(maxWaitForRoomNanos).toMillis();
  }

  /**
   * Body slices queued by reference: each is written from the caller's array right after the
   * buffer's bytes up to its position. Guarded by the writer's lock until swapped to the flusher.
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
      appendMethod(channel, method);
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
      appendMethod(channel, method);
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
      ensure(8);
      pending.put((byte) FRAME_HEARTBEAT).putShort((short) 0).putInt(0);
      pending.put((byte) FrameReader.FRAME_END);
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
      ensure(bytes.length);
      pending.put(bytes);
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
      ByteBuffer batch;
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
        if (out != null) out.flush();
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
  private void writeOut(ByteBuffer buffer, Slices slices) throws IOException {
    try {
      int end = buffer.position();
      int from = 0;
      for (int i = 0; i < slices.count; i++) {
        int at = slices.positions[i];
        write(buffer, from, at);
        write(slices.arrays[i], slices.offsets[i], slices.lengths[i]);
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
      write(buffer, from, end);
    } finally {
      buffer.clear();
      slices.truncate(0);
    }
  }

  /** Writes {@code [from, to)} of a pending buffer; moves its position and limit. */
  private void write(ByteBuffer buffer, int from, int to) throws IOException {
    if (out != null) {
      out.write(buffer.array(), from, to - from);
      return;
    }
    buffer.limit(to).position(from);
    while (buffer.hasRemaining()) channel.write(buffer);
  }

  private void write(byte[] array, int offset, int length) throws IOException {
    if (out != null) {
      out.write(array, offset, length);
      return;
    }
    ByteBuffer slice = ByteBuffer.wrap(array, offset, length);
    while (slice.hasRemaining()) channel.write(slice);
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

  private ByteBuffer allocate(int capacity) {
    return channel != null ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
  }

  /** Makes room for {@code more} bytes in the pending buffer, replacing it by a larger one. */
  private void ensure(int more) {
    if (pending.remaining() >= more) return;
    int wanted = pending.position() + more;
    ByteBuffer larger = allocate(Math.max(wanted, pending.capacity() * 2));
    pending.flip();
    larger.put(pending);
    pending = larger;
  }

  /** Appends the frames in the scratch encoder. */
  private void appendScratch() {
    ensure(scratch.position());
    pending.put(scratch.array(), 0, scratch.position());
  }

  private void appendMethod(int channel, Method method) {
    scratch.reset();
    encodeMethod(scratch, channel, method);
    appendScratch();
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
