package dev.amqpkit.amqp10;

/**
 * The connection is recovering, and the call cannot wait for it: a send when {@link
 * dev.amqpkit.common.Recovery#bufferedPublishes()} is 0. The connection, its sessions and links
 * stay usable once it is back.
 */
public final class ConnectionRecoveringException extends AmqpException {
  private static final long serialVersionUID = 1L;

  public ConnectionRecoveringException(String message, Throwable cause) {
    super(message, cause);
  }
}
