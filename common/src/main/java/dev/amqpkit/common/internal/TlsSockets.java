package dev.amqpkit.common.internal;

import java.io.IOException;
import java.net.Socket;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Turns a connected socket into a TLS one, checking the peer's certificate and, unless told not to,
 * that it names the host; and reads a failed handshake's exception for what went wrong. Stateless
 * and thread-safe.
 */
public final class TlsSockets {
  private TlsSockets() {}

  /** What a TLS handshake failure amounts to, as far as the JDK's exception tells. */
  public enum Failure {
    /** The certificate chain does not lead to a trusted certificate. */
    UNTRUSTED_CERTIFICATE,
    /** The certificate does not name the host connected to. */
    HOSTNAME_MISMATCH,
    /** Anything else. */
    HANDSHAKE_FAILED
  }

  /**
   * Layers TLS over {@code plain} and completes the handshake, within the socket's read timeout.
   * The host name goes out as SNI when it is a name, not an address.
   *
   * @param context the TLS context, or null for the JVM's default
   * @throws SSLException if the handshake fails; {@link #classify} says why
   * @throws IOException if the socket fails or the read timeout passes
   */
  public static SSLSocket handshake(
      Socket plain, SSLContext context, String host, int port, boolean verifyHostname)
      throws IOException {
    SSLContext tlsContext = context;
    if (tlsContext == null) {
      try {
        tlsContext = SSLContext.getDefault();
      } catch (NoSuchAlgorithmException e) {
        throw new SSLException("no default TLS context in this JVM", e);
      }
    }
    SSLSocket tls = (SSLSocket) tlsContext.getSocketFactory().createSocket(plain, host, port, true);
    tls.setSoTimeout(plain.getSoTimeout());
    SSLParameters parameters = tls.getSSLParameters();
    if (verifyHostname) parameters.setEndpointIdentificationAlgorithm("HTTPS");
    if (!host.isEmpty() && Character.isLetter(host.charAt(0))) {
      parameters.setServerNames(List.of(new SNIHostName(host)));
    }
    tls.setSSLParameters(parameters);
    tls.startHandshake();
    return tls;
  }

  /** Reads a handshake failure, and the exceptions it wraps, for what went wrong. */
  public static Failure classify(SSLException e) {
    StringBuilder all = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      all.append(" / ").append(t.getMessage());
    }
    String detail = all.toString();
    if (detail.contains("No subject alternative") || detail.contains("No name matching")) {
      return Failure.HOSTNAME_MISMATCH;
    }
    if (detail.contains("PKIX") || detail.contains("unable to find valid certification path")) {
      return Failure.UNTRUSTED_CERTIFICATE;
    }
    return Failure.HANDSHAKE_FAILED;
  }

  /** Says in plain words what {@link #classify} found, naming the peer and the host. */
  public static String describe(Failure failure, String peer, String host, SSLException e) {
    return switch (failure) {
      case HOSTNAME_MISMATCH ->
          "TLS to "
              + peer
              + " failed: the peer's certificate does not name host '"
              + host
              + "' ("
              + e.getMessage()
              + ")";
      case UNTRUSTED_CERTIFICATE ->
          "TLS to "
              + peer
              + " failed: the peer's certificate is not trusted ("
              + e.getMessage()
              + ")";
      case HANDSHAKE_FAILED -> "TLS to " + peer + " failed: " + e.getMessage();
    };
  }
}
