package dev.amqpkit.common.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * The reading of handshake failures, with the messages the JDK's own TLS stack gives; the clients'
 * TLS integration tests prove the same against real handshakes.
 */
class TlsSocketsTest {

  @Test
  void aCertificateNotNamingTheHostIsAHostnameMismatchWhereverTheJdkSaysIt() {
    SSLException e =
        new SSLHandshakeException(
            "(certificate_unknown) No subject alternative names matching IP address 127.0.0.1 found");
    SSLException wrapped = new SSLException("handshake failed");
    wrapped.initCause(new CertificateException("No name matching example.org found"));

    assertThat(TlsSockets.classify(e)).isEqualTo(TlsSockets.Failure.HOSTNAME_MISMATCH);
    assertThat(TlsSockets.classify(wrapped)).isEqualTo(TlsSockets.Failure.HOSTNAME_MISMATCH);
  }

  @Test
  void aChainWithoutATrustedRootIsUntrusted() {
    SSLException e =
        new SSLHandshakeException(
            "PKIX path building failed: unable to find valid certification path to requested target");

    assertThat(TlsSockets.classify(e)).isEqualTo(TlsSockets.Failure.UNTRUSTED_CERTIFICATE);
    assertThat(TlsSockets.describe(TlsSockets.Failure.UNTRUSTED_CERTIFICATE, "h:5671", "h", e))
        .startsWith("TLS to h:5671 failed: the peer's certificate is not trusted (PKIX");
  }

  @Test
  void anythingElseIsAFailedHandshakeWithTheJdksWords() {
    SSLException e = new SSLHandshakeException("No appropriate protocol (protocol is disabled)");

    assertThat(TlsSockets.classify(e)).isEqualTo(TlsSockets.Failure.HANDSHAKE_FAILED);
    assertThat(TlsSockets.describe(TlsSockets.Failure.HANDSHAKE_FAILED, "h:1", "h", e))
        .isEqualTo("TLS to h:1 failed: No appropriate protocol (protocol is disabled)");
  }
}
