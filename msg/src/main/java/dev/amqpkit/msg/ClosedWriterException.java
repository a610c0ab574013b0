package dev.amqpkit.msg;

import java.io.IOException;

/** A message writer was written to or closed after it had been closed. */
public final class ClosedWriterException extends IOException {
  private static final long serialVersionUID = 1L;

  /** With the message "msg: message writer closed". */
  public ClosedWriterException() {
    super("msg: message writer closed");
  }
}
