package dev.amqpkit.amqp091.internal;

import dev.amqpkit.amqp091.BasicProperties;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes frames to the socket. One lock keeps a message's frames together; frames are encoded into
 * one reusable buffer, which is flushed when no other writer is waiting (so concurrent publishers
 * share writes) or when it fills. Large bodies go to the socket straight from the caller's array.
 *
 * <p>Thread-safe.
 */
final class FrameWriter {
  static final int FRAME_HEARTBEAT = 8;
  private static final int METHOD = 1;
  private static final int HEADER = 2;
  private static final int BODY = 3;
  private static final int FLUSH_THRESHOLD = 32 * 1024;
  private static final int DIRECT_WRITE_THRESHOLD = 8 * 1024;

  private final OutputStream out;
  private final ReentrantLock lock = new ReentrantLock();
  private final Encoder buffer = new Encoder(FLUSH_THRESHOLD + 1024);
  private volatile long lastWriteNanos = System.nanoTime();

  FrameWriter(OutputStream out) {
    this.out = out;
  }

  long lastWriteNanos() {
    return lastWriteNanos;
  }

  void writeMethod(int channel, Method method) throws IOException {
    lock.lock();
    try {
      int sizeAt = beginFrame(METHOD, channel);
      method.encode(buffer);
      endFrame(sizeAt);
      flushIfIdle();
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
      int sizeAt = beginFrame(METHOD, channel);
      method.encode(buffer);
      endFrame(sizeAt);
      contentFrames(channel, properties, body, frameMax);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writes a {@code basic.publish} and its content, encoding the method in place: the publish path
   * allocates nothing.
   */
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
      int sizeAt = beginFrame(METHOD, channel);
      buffer
          .shortUint(Method.BasicPublish.CLASS_ID)
          .shortUint(Method.BasicPublish.METHOD_ID)
          .shortUint(0)
          .shortString(exchange)
          .shortString(routingKey)
          .octet(mandatory ? 1 : 0);
      endFrame(sizeAt);
      contentFrames(channel, properties, body, frameMax);
    } finally {
      lock.unlock();
    }
  }

  private void contentFrames(int channel, BasicProperties properties, byte[] body, int frameMax)
      throws IOException {
    int sizeAt = beginFrame(HEADER, channel);
    ContentHeader.encode(buffer, body.length, properties);
    endFrame(sizeAt);
    int maxChunk = frameMax - 8;
    for (int offset = 0; offset < body.length; offset += maxChunk) {
      int length = Math.min(maxChunk, body.length - offset);
      buffer.octet(BODY).shortUint(channel).longInt(length);
      if (length >= DIRECT_WRITE_THRESHOLD) {
        flush();
        out.write(body, offset, length);
      } else {
        buffer.bytes(body, offset, length);
      }
      buffer.octet(FrameReader.FRAME_END);
      if (buffer.position() >= FLUSH_THRESHOLD) flush();
    }
    flushIfIdle();
  }

  /**
   * Writes a method if the lock is free, without waiting for it; for the timer thread, which must
   * never block behind a writer stuck on a full socket.
   *
   * @return whether it was written
   */
  boolean tryWriteMethod(int channel, Method method) throws IOException {
    if (!lock.tryLock()) return false;
    try {
      int sizeAt = beginFrame(METHOD, channel);
      method.encode(buffer);
      endFrame(sizeAt);
      flush();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Writes a heartbeat unless another writer holds the lock (which writes anyway). */
  void writeHeartbeat() throws IOException {
    if (!lock.tryLock()) return;
    try {
      buffer.octet(FRAME_HEARTBEAT).shortUint(0).longInt(0).octet(FrameReader.FRAME_END);
      flush();
    } finally {
      lock.unlock();
    }
  }

  /** Writes raw bytes, such as the protocol header, and flushes. */
  void writeRaw(byte[] bytes) throws IOException {
    lock.lock();
    try {
      buffer.bytes(bytes, 0, bytes.length);
      flush();
    } finally {
      lock.unlock();
    }
  }

  private int beginFrame(int type, int channel) {
    buffer.octet(type).shortUint(channel);
    int sizeAt = buffer.position();
    buffer.longInt(0);
    return sizeAt;
  }

  private void endFrame(int sizeAt) {
    int end = buffer.position();
    buffer.position(sizeAt);
    buffer.longInt(end - sizeAt - 4);
    buffer.position(end);
    buffer.octet(FrameReader.FRAME_END);
  }

  private void flushIfIdle() throws IOException {
    if (!lock.hasQueuedThreads() || buffer.position() >= FLUSH_THRESHOLD) flush();
  }

  private void flush() throws IOException {
    if (buffer.position() > 0) {
      try {
        out.write(buffer.array(), 0, buffer.position());
      } finally {
        buffer.reset();
      }
    }
    out.flush();
    lastWriteNanos = System.nanoTime();
  }
}
