package dev.amqpkit.msg.spi;

import dev.amqpkit.msg.Attributes;
import dev.amqpkit.msg.ClosedWriterException;
import dev.amqpkit.msg.MessageWriter;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A writer that keeps the body in memory and, on the first {@link #close()}, hands it with the
 * attributes to {@link #send}. Writes and closes after that throw {@link ClosedWriterException}.
 *
 * <p>The body may grow to {@code maxBodySize}; a write past it fails with an {@code IOException}
 * that says so, and the writer then sends nothing. Not thread-safe, like any writer.
 */
public abstract class BufferedMessageWriter extends MessageWriter {
  private final Attributes attributes = new Attributes();
  private final int maxBodySize;
  private byte[] buffer;
  private int size;
  private boolean closed;
  private boolean tooLarge;

  /**
   * @param maxBodySize the largest body this writer takes, in bytes
   */
  protected BufferedMessageWriter(int maxBodySize) {
    if (maxBodySize < 0) throw new IllegalArgumentException("maxBodySize < 0: " + maxBodySize);
    this.maxBodySize = maxBodySize;
    this.buffer = new byte[Math.min(256, maxBodySize)];
  }

  /**
   * Sends the message. Called once, by the first {@link #close()}.
   *
   * @param attributes the writer's attributes (no copy: the writer is done with them)
   * @param body the body's bytes, from index 0
   * @param length how many bytes of {@code body} the message has
   */
  protected abstract void send(Attributes attributes, byte[] body, int length) throws IOException;

  @Override
  public final Attributes attributes() {
    return attributes;
  }

  @Override
  public final void write(int b) throws IOException {
    ensureRoom(1);
    buffer[size++] = (byte) b;
  }

  @Override
  public final void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    ensureRoom(len);
    System.arraycopy(b, off, buffer, size, len);
    size += len;
  }

  private void ensureRoom(int more) throws IOException {
    if (closed) throw new ClosedWriterException();
    if (more > maxBodySize - size) {
      tooLarge = true;
      throw new IOException(
          "message body over " + maxBodySize + " bytes, the largest this topic sends");
    }
    if (size + more > buffer.length) {
      long doubled = Math.max((long) buffer.length * 2, size + more);
      buffer = Arrays.copyOf(buffer, (int) Math.min(doubled, maxBodySize));
    }
  }

  @Override
  public final void close() throws IOException {
    if (closed) throw new ClosedWriterException();
    closed = true;
    byte[] body = buffer;
    buffer = null;
    if (tooLarge) {
      throw new IOException("not sent: its body went over " + maxBodySize + " bytes");
    }
    send(attributes, body, size);
  }
}
