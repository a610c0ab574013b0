package dev.amqpkit.testkit.amqp091;

import java.io.IOException;

/** Bytes that do not form a valid AMQP 0-9-1 frame or method argument list. */
public final class FrameFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public FrameFormatException(String message) {
    super(message);
  }
}
