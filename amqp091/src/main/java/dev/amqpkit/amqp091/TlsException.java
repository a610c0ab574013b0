package dev.amqpkit.amqp091;

/**
 * The TLS handshake failed. The message says why in plain words: the broker's certificate is not
 * trusted, it does not name the host connected to, or the two sides share no protocol or cipher.
 * The connection never falls back to plain text.
 */
public final class TlsException extends AmqpException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, as far as the JDK's TLS error tells. */
  public enum Problem {
    /** The certificate chain does not lead to a trusted certificate. */
    UNTRUSTED_CERTIFICATE,
    /** The certificate does not name the host connected to. */
    HOSTNAME_MISMATCH,
    /** Anything else: protocol versions, ciphers, a client certificate the broker refused. */
    HANDSHAKE_FAILED
  }

  private final Problem problem;

  public TlsException(Problem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
