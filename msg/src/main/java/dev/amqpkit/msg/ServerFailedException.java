package dev.amqpkit.msg;

import java.io.IOException;

/**
 * A server stopped serving because its backend could not go on: its connection was lost for good,
 * its queue or link was deleted or refused. The cause is the backend's own exception.
 */
public class ServerFailedException extends IOException {
  private static final long serialVersionUID = 1L;

  /** For a failure the cause tells more about. */
  public ServerFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
