package dev.amqpkit.testkit.amqp10;

import java.io.IOException;

/** Bytes that do not form a valid AMQP 1.0 frame, protocol header or encoded value. */
public final class FrameFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public FrameFormatException(String message) {
    super(message);
  }
}
