package dev.amqpkit.msg.decorate;

import dev.amqpkit.msg.Attributes;
import dev.amqpkit.msg.ClosedWriterException;
import dev.amqpkit.msg.MessageWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * A writer that streams the body through content encoders into another writer, and on close records
 * the codings and closes that writer. Not thread-safe.
 */
final class EncodingWriter extends MessageWriter {
  private final MessageWriter target;
  private final List<ContentEncoding> encodings;
  private OutputStream encoder;
  private IOException writeFailure;
  private boolean closed;

  EncodingWriter(MessageWriter target, List<ContentEncoding> encodings) {
    this.target = target;
    this.encodings = encodings;
  }

  @Override
  public Attributes attributes() {
    return target.attributes();
  }

  private OutputStream encoder() throws IOException {
    if (closed) throw new ClosedWriterException();
    if (encoder == null) {
      OutputStream out = new Unclosable(target);
      for (int i = encodings.size() - 1; i >= 0; i--) out = encodings.get(i).encoder(out);
      encoder = out;
    }
    return encoder;
  }

  @Override
  public void write(int b) throws IOException {
    try {
      encoder().write(b);
    } catch (ClosedWriterException e) {
      throw e;
    } catch (IOException e) {
      writeFailure = e;
      throw e;
    }
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      encoder().write(b, off, len);
    } catch (ClosedWriterException e) {
      throw e;
    } catch (IOException e) {
      writeFailure = e;
      throw e;
    }
  }

  @Override
  public void flush() throws IOException {
    encoder().flush();
  }

  /**
   * Finishes the encodings, appends their tokens to {@code Content-Encoding} and closes the
   * underlying writer.
   *
   * @throws ClosedWriterException if the writer was closed before
   * @throws IOException if an earlier write failed or finishing an encoding failed; nothing was
   *     sent
   */
  @Override
  public void close() throws IOException {
    OutputStream out;
    try {
      out = encoder();
    } finally {
      closed = true;
    }
    if (writeFailure != null) {
      throw new IOException(
          "message not sent: writing its body failed: " + writeFailure.getMessage(), writeFailure);
    }
    out.close();
    for (ContentEncoding encoding : encodings) {
      target.attributes().add(Encoding.CONTENT_ENCODING, encoding.token());
    }
    target.close();
  }

  /** Passes writes on to the message writer; closing it (as an encoder does) leaves that open. */
  private static final class Unclosable extends OutputStream {
    private final OutputStream out;

    Unclosable(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() {}
  }
}
