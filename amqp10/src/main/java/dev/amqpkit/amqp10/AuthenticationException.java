package dev.amqpkit.amqp10;

/**
 * The peer refused the login, or the two sides share no SASL mechanism. Not retried: the same
 * credentials would be refused again.
 */
public final class AuthenticationException extends AmqpException {
  private static final long serialVersionUID = 1L;

  private final int saslCode;

  /**
   * @param saslCode the {@code sasl-outcome} code (1 auth, 2 sys, 3 sys-perm, 4 sys-temp), or -1
   *     when the login never got as far as an outcome
   */
  public AuthenticationException(String message, int saslCode) {
    super(message);
    this.saslCode = saslCode;
  }

  /** The {@code sasl-outcome} code, or -1 when there was no outcome. */
  public int saslCode() {
    return saslCode;
  }
}
