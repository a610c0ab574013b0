package dev.amqpkit.msg;

import java.io.IOException;
import java.io.OutputStream;

/**
 * One message on its way out: write the body to this stream, set {@link #attributes()}, then {@link
 * #close()} sends it.
 *
 * <p>Once closed, whether sending succeeded or not, {@code write} and {@code close} throw {@link
 * ClosedWriterException}. A writer that is never closed sends nothing. Not thread-safe: a writer
 * belongs to the thread writing the message; make one writer per message from the (thread-safe)
 * {@link Topic}.
 */
public abstract class MessageWriter extends OutputStream {

  /** The attributes the message is sent with; change them any time before {@link #close()}. */
  public abstract Attributes attributes();

  /**
   * Sends the message, and returns once the backend has taken responsibility for it (for a broker,
   * once it confirmed the message), within the backend's timeout.
   *
   * @throws ClosedWriterException if the writer was closed before
   * @throws SendFailedException if the message could not be sent; it says why
   * @throws IOException if a decorator's transformation failed
   */
  @Override
  public abstract void close() throws IOException;
}
