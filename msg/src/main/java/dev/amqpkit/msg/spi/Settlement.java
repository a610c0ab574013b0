package dev.amqpkit.msg.spi;

/**
 * How a backend settles one message once its receive ended: acknowledge it, or put it back or
 * dead-letter it. Called on the worker thread that ran the receive, exactly once.
 */
public interface Settlement {

  /** The receive returned: the message is processed and may be forgotten. */
  void succeeded() throws Exception;

  /**
   * The receive threw {@code cause}: the message was not processed.
   *
   * @param cause what the receiver threw
   */
  void failed(Throwable cause) throws Exception;
}
