package dev.amqpkit.amqp091;

/** The broker refused the login: wrong credentials, or a mechanism it does not accept. */
public final class AuthenticationException extends AmqpException {
  private static final long serialVersionUID = 1L;

  public AuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
