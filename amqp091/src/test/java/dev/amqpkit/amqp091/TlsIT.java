package dev.amqpkit.amqp091;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RequiresRabbitMq;
import dev.amqpkit.testkit.TestCertificates;
import dev.amqpkit.testkit.TlsProxy;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TLS against a listener with a certificate made for the test: a TLS proxy in front of the real
 * broker, its certificate naming {@code localhost} only and signed by a CA made for the run.
 */
@RequiresRabbitMq
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsIT {
  private static TestCertificates certificates;
  private static SSLContext trustsTestCa;

  @BeforeAll
  static void makeCertificates() throws Exception {
    certificates = TestCertificates.create("localhost");
    trustsTestCa = certificates.clientContext();
  }

  private static TlsProxy proxy;

  private static TlsProxy proxyTo(RabbitMq broker) throws Exception {
    if (proxy == null) {
      proxy =
          TlsProxy.start(
              certificates.serverContext(), broker.endpoint().host(), broker.endpoint().port());
    }
    return proxy;
  }

  @AfterAll
  static void stopProxy() {
    if (proxy != null) proxy.close();
  }

  private static ConnectionOptions.Builder amqps(RabbitMq broker, String host) throws Exception {
    return ConnectionOptions.builder()
        .uri("amqps://guest:guest@" + host + ":" + proxyTo(broker).port() + "/")
        .username(broker.endpoint().username())
        .password(broker.endpoint().password())
        .virtualHost(broker.endpoint().virtualHost())
        .connectionTimeout(Duration.ofSeconds(10));
  }

  @Test
  void aTrustedCertificateForTheHostConnects(RabbitMq broker) throws Exception {
    try (Connection connection =
        Connection.open(amqps(broker, "localhost").sslContext(trustsTestCa).build())) {
      Channel channel = connection.openChannel();
      String queue = channel.queueDeclare(QueueSpec.serverNamed().exclusive()).queue();
      channel.basicPublish("", queue, BasicProperties.EMPTY, "over tls".getBytes(UTF_8));
      Delivery d =
          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> channel.basicGetAutoAck(queue), Optional::isPresent)
              .get();
      assertThat(new String(d.body(), UTF_8)).isEqualTo("over tls");
    }
  }

  @Test
  void aCertificateThatDoesNotNameTheHostIsRefused(RabbitMq broker) throws Exception {
    ConnectionOptions options = amqps(broker, "127.0.0.1").sslContext(trustsTestCa).build();

    assertThatThrownBy(() -> Connection.open(options))
        .isInstanceOfSatisfying(
            TlsException.class,
            e -> assertThat(e.problem()).isEqualTo(TlsException.Problem.HOSTNAME_MISMATCH))
        .hasMessageContaining("does not name host '127.0.0.1'");
  }

  @Test
  void anUntrustedCertificateIsRefused(RabbitMq broker) throws Exception {
    // The JDK's default trust store does not know the CA made for this run.
    ConnectionOptions options = amqps(broker, "localhost").build();

    assertThatThrownBy(() -> Connection.open(options))
        .isInstanceOfSatisfying(
            TlsException.class,
            e -> assertThat(e.problem()).isEqualTo(TlsException.Problem.UNTRUSTED_CERTIFICATE))
        .hasMessageContaining("is not trusted");
  }

  @Test
  void hostNameVerificationCanBeTurnedOffExplicitly(RabbitMq broker) throws Exception {
    ConnectionOptions options =
        amqps(broker, "127.0.0.1").sslContext(trustsTestCa).disableHostnameVerification().build();

    try (Connection connection = Connection.open(options)) {
      assertThat(connection.isOpen()).isTrue();
    }
  }

  @Test
  void amqpsNeverFallsBackToPlainText(RabbitMq broker) {
    // The broker's plain AMQP port: a TLS client must fail there, not speak AMQP in the clear.
    ConnectionOptions options =
        ConnectionOptions.builder()
            .uri("amqps://" + broker.endpoint().host() + ":" + broker.endpoint().port() + "/")
            .sslContext(trustsTestCa)
            .connectionTimeout(Duration.ofSeconds(5))
            .build();

    assertThatThrownBy(() -> Connection.open(options))
        .isInstanceOfSatisfying(
            TlsException.class,
            e -> assertThat(e.problem()).isEqualTo(TlsException.Problem.HANDSHAKE_FAILED));
  }
}
