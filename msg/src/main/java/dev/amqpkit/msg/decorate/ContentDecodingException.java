package dev.amqpkit.msg.decorate;

import java.io.IOException;

/**
 * A received body did not decode in a content coding its {@code Content-Encoding} names: it is
 * corrupt or truncated, or the coding is not available. The receive fails with it, so the server
 * puts the message back or dead-letters it; the cause, when there is one, is the codec's own
 * exception.
 */
public class ContentDecodingException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String encoding;

  /**
   * @param encoding the token of the coding that failed ({@code gzip})
   * @param message what went wrong
   * @param cause the codec's exception, or null
   */
  public ContentDecodingException(String encoding, String message, Throwable cause) {
    super(message, cause);
    this.encoding = encoding;
  }

  /** The token of the content coding that failed, such as {@code gzip}. */
  public String encoding() {
    return encoding;
  }
}
