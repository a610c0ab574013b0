package dev.amqpkit.msg.spi;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/** Message bodies a backend makes from what it received. */
public final class Bodies {
  private Bodies() {}

  /**
   * A body over {@code bytes}, which the caller hands over: nothing else holds or changes them.
   * Reading it whole with {@code readAllBytes()} then returns them without a copy.
   */
  public static InputStream handedOver(byte[] bytes) {
    return new HandedOver(Objects.requireNonNull(bytes, "bytes == null"));
  }

  private static final class HandedOver extends ByteArrayInputStream {
    HandedOver(byte[] bytes) {
      super(bytes);
    }

    @Override
    public synchronized byte[] readAllBytes() {
      byte[] rest = pos == 0 ? buf : Arrays.copyOfRange(buf, pos, count);
      pos = count;
      return rest;
    }
  }
}
