package dev.amqpkit.amqp091;

/**
 * The connection is recovering, and the call cannot wait for it: a publish when {@link
 * dev.amqpkit.common.Recovery#bufferedPublishes()} is 0, or a transaction that the failure ended.
 * The connection itself stays usable once it is back.
 */
public final class ConnectionRecoveringException extends AmqpException {
  private static final long serialVersionUID = 1L;

  public ConnectionRecoveringException(String message, Throwable cause) {
    super(message, cause);
  }
}
