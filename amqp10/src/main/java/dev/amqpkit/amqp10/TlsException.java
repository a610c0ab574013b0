package dev.amqpkit.amqp10;

/**
 * The TLS handshake failed; {@link #problem()} says whether the peer's certificate is untrusted,
 * does not name the host, or something else failed. Never followed by a plain-text attempt.
 */
public final class TlsException extends AmqpException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, as far as the JDK's TLS error tells. */
  public enum Problem {
    /** The certificate chain does not lead to a trusted certificate. */
    UNTRUSTED_CERTIFICATE,
    /** The certificate does not name the host connected to. */
    HOSTNAME_MISMATCH,
    /** Anything else: protocol versions, ciphers, a client certificate the peer refused. */
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
