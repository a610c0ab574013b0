package dev.amqpkit.amqp10;

/**
 * A session's windows and limits. Immutable; build with {@link #builder()}.
 *
 * @param incomingWindow how many transfer frames the peer may send before this side widens the
 *     window; default 2048
 * @param outgoingWindow how many transfer frames this side may send ahead of the peer's window;
 *     default 2048
 * @param handleMax the highest link handle this side accepts; default 1023
 */
public record SessionOptions(long incomingWindow, long outgoingWindow, long handleMax) {
  /** The defaults. */
  public static final SessionOptions DEFAULTS = new SessionOptions(2048, 2048, 1023);

  /**
   * @throws IllegalArgumentException if a value is outside 0..2<sup>32</sup>-1
   */
  public SessionOptions {
    uint(incomingWindow, "incomingWindow");
    uint(outgoingWindow, "outgoingWindow");
    uint(handleMax, "handleMax");
  }

  private static void uint(long value, String name) {
    if (value < 0 || value > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(name + " is 0..4294967295: " + value);
    }
  }

  public SessionOptions withIncomingWindow(long window) {
    return new SessionOptions(window, outgoingWindow, handleMax);
  }

  public SessionOptions withOutgoingWindow(long window) {
    return new SessionOptions(incomingWindow, window, handleMax);
  }

  public SessionOptions withHandleMax(long max) {
    return new SessionOptions(incomingWindow, outgoingWindow, max);
  }
}
