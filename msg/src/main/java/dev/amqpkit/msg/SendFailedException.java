package dev.amqpkit.msg;

import java.io.IOException;

/**
 * A message was not sent, or the backend cannot say that it was: the broker refused it, no queue
 * took it, its outcome did not come in time, or the connection is gone for good. The cause, when
 * there is one, is the backend's own exception (a protocol client's, with the broker's reply code
 * or error condition).
 */
public class SendFailedException extends IOException {
  private static final long serialVersionUID = 1L;

  /** For a failure the message says all about. */
  public SendFailedException(String message) {
    super(message);
  }

  /** For a failure the cause tells more about. */
  public SendFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
