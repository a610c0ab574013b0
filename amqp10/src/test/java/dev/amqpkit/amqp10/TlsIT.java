package dev.amqpkit.amqp10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RequiresRabbitMq;
import dev.amqpkit.testkit.TestCertificates;
import dev.amqpkit.testkit.TlsProxy;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * AMQP 1.0 over TLS to RabbitMQ, through a TLS proxy whose certificate, made for the run, names
 * {@code localhost} only and is signed by a CA made for the run.
 */
@RequiresRabbitMq
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsIT {
  private static TestCertificates certificates;
  private static SSLContext trustsTestCa;
  private static TlsProxy proxy;

  @BeforeAll
  static void makeCertificates() throws Exception {
    certificates = TestCertificates.create("localhost");
    trustsTestCa = certificates.clientContext();
  }

  @AfterAll
  static void stopProxy() {
    if (proxy != null) proxy.close();
  }

  private static synchronized ConnectionOptions.Builder amqps(RabbitMq broker, String host)
      throws Exception {
    if (proxy == null) {
      proxy =
          TlsProxy.start(
              certificates.serverContext(), broker.endpoint().host(), broker.endpoint().port());
    }
    return ConnectionOptions.builder()
        .endpoint(host, proxy.port())
        .credentials(broker.endpoint().username(), broker.endpoint().password());
  }

  @Test
  void aTrustedCertificateNamingTheHostConnects(RabbitMq broker) throws Exception {
    try (Connection c =
        Connection.open(amqps(broker, "localhost").sslContext(trustsTestCa).build())) {
      assertThat(c.isOpen()).isTrue();
      assertThat(c.remoteContainerId()).isNotBlank();
    }
  }

  @Test
  void aCertificateNotNamingTheHostIsRefusedAsSuch(RabbitMq broker) throws Exception {
    ConnectionOptions options = amqps(broker, "127.0.0.1").sslContext(trustsTestCa).build();

    assertThatThrownBy(() -> Connection.open(options))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining("does not name host '127.0.0.1'")
        .extracting(e -> ((TlsException) e).problem())
        .isEqualTo(TlsException.Problem.HOSTNAME_MISMATCH);
  }

  @Test
  void anUntrustedCertificateIsRefusedAsSuch(RabbitMq broker) throws Exception {
    ConnectionOptions options = amqps(broker, "localhost").tls().build(); // the JVM's own trust

    assertThatThrownBy(() -> Connection.open(options))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining("not trusted")
        .extracting(e -> ((TlsException) e).problem())
        .isEqualTo(TlsException.Problem.UNTRUSTED_CERTIFICATE);
  }

  @Test
  void aServerHostnameIsWhatTheCertificateIsCheckedAgainst(RabbitMq broker) throws Exception {
    // Connected to an address the certificate does not name, checked against the name it does.
    ConnectionOptions options =
        amqps(broker, "127.0.0.1").sslContext(trustsTestCa).serverHostname("localhost").build();

    try (Connection c = Connection.open(options)) {
      assertThat(c.isOpen()).isTrue();
    }
    ConnectionOptions wrong =
        amqps(broker, "localhost").sslContext(trustsTestCa).serverHostname("other.example").build();
    assertThatThrownBy(() -> Connection.open(wrong))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining("does not name host 'other.example'");
  }

  @Test
  void hostNameVerificationCanBeTurnedOffExplicitly(RabbitMq broker) throws Exception {
    ConnectionOptions options =
        amqps(broker, "127.0.0.1").sslContext(trustsTestCa).disableHostnameVerification().build();

    try (Connection c = Connection.open(options)) {
      assertThat(c.isOpen()).isTrue();
    }
  }
}
