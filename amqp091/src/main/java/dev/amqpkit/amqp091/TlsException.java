package dev.amqpkit.amqp091;

import javax.net.ssl.SSLException;

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

  public TlsException(String message, Throwable cause) {
    this(Problem.HANDSHAKE_FAILED, message, cause);
  }

  private TlsException(Problem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }

  /** Classifies a handshake failure with an endpoint. */
  public static TlsException describe(Endpoint endpoint, SSLException e) {
    String detail = String.valueOf(e.getMessage());
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) detail += " / " + t.getMessage();
    if (detail.contains("No subject alternative") || detail.contains("No name matching")) {
      return new TlsException(
          Problem.HOSTNAME_MISMATCH,
          "TLS to "
              + endpoint
              + " failed: the broker's certificate does not name host '"
              + endpoint.host()
              + "' ("
              + e.getMessage()
              + ")",
          e);
    }
    if (detail.contains("PKIX") || detail.contains("unable to find valid certification path")) {
      return new TlsException(
          Problem.UNTRUSTED_CERTIFICATE,
          "TLS to "
              + endpoint
              + " failed: the broker's certificate is not trusted ("
              + e.getMessage()
              + ")",
          e);
    }
    return new TlsException(
        Problem.HANDSHAKE_FAILED, "TLS to " + endpoint + " failed: " + e.getMessage(), e);
  }
}
