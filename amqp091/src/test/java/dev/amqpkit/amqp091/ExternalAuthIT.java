package dev.amqpkit.amqp091;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RabbitMqExtension;
import dev.amqpkit.testkit.RabbitMqExternalAuth;
import dev.amqpkit.testkit.RabbitMqExternalAuth.ListenerConnection;
import dev.amqpkit.testkit.RequiresRabbitMq;
import dev.amqpkit.testkit.TestCertificates;
import dev.amqpkit.testkit.TlsProxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SASL EXTERNAL against the real broker, over a TLS listener that requires a client certificate and
 * logs the client in as the certificate's common name. {@link RabbitMqExternalAuth} starts that
 * listener on the local node at runtime and removes it after the last test.
 *
 * <p>The listener needs {@code rabbitmqctl} for the node that serves the test broker. Where it
 * cannot be set up, the tests that need it are skipped with the reason, or fail when {@value
 * RabbitMqExtension#REQUIRE_ENV} is {@code true}.
 */
@RequiresRabbitMq
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ExternalAuthIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static RabbitMqExternalAuth sharedListener;

  /** The listener, set up on first use; skips or fails the test when it cannot be. */
  private static synchronized RabbitMqExternalAuth listener(RabbitMq broker) throws Exception {
    if (sharedListener == null)
      sharedListener = RabbitMqExternalAuth.startOrSkip(broker.endpoint());
    return sharedListener;
  }

  @AfterAll
  static synchronized void restoreTheNode() {
    if (sharedListener != null) sharedListener.close();
    sharedListener = null;
  }

  private static ConnectionOptions.Builder external(
      RabbitMqExternalAuth listener, SSLContext context, RabbitMq broker) {
    return ConnectionOptions.builder()
        .endpoint(listener.host(), listener.port())
        .virtualHost(broker.endpoint().virtualHost())
        .sslContext(context)
        .saslMechanism(SaslMechanism.EXTERNAL)
        .connectionTimeout(WAIT);
  }

  @Test
  void aClientCertificateLogsInAsItsCommonName(RabbitMq broker) throws Exception {
    RabbitMqExternalAuth listener = listener(broker);
    String user = listener.newUserName();
    listener.addUser(user, broker.endpoint().virtualHost());
    ConnectionOptions options = external(listener, listener.clientContext(user), broker).build();

    try (Connection connection = Connection.open(options)) {
      Channel channel = connection.openChannel();
      String queue = channel.queueDeclare(QueueSpec.serverNamed().exclusive()).queue();
      broker.deleteQueueAfterTest(queue);
      channel.basicPublish("", queue, BasicProperties.EMPTY, "by certificate".getBytes(UTF_8));
      Delivery delivery =
          await()
              .atMost(WAIT)
              .until(() -> channel.basicGetAutoAck(queue), Optional::isPresent)
              .get();
      assertThat(new String(delivery.body(), UTF_8)).isEqualTo("by certificate");

      // What the broker says about the connection that presented this certificate.
      List<ListenerConnection> ours =
          await()
              .atMost(WAIT)
              .until(
                  () ->
                      listener.connections().stream()
                          .filter(c -> c.peerCertSubject().contains("CN=" + user))
                          .toList(),
                  list -> !list.isEmpty());
      assertThat(ours)
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.user()).isEqualTo(user);
                assertThat(c.authMechanism()).isEqualTo("EXTERNAL");
              });
    }
  }

  @Test
  void aCertificateWhoseCommonNameIsNoUserIsRefused(RabbitMq broker) throws Exception {
    RabbitMqExternalAuth listener = listener(broker);
    String stranger = listener.newUserName(); // no user has this name
    ConnectionOptions options =
        external(listener, listener.clientContext(stranger), broker).build();

    // RabbitMQ answers a refused login with connection.close 403 to a client that announces
    // authentication_failure_close; without it the client would see only the socket close.
    assertThatThrownBy(() -> Connection.open(options))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("refused the login with the client's TLS certificate")
        .hasMessageNotContaining("guest")
        .hasMessageContaining("ACCESS_REFUSED")
        .hasMessageContaining("EXTERNAL")
        .hasMessageNotContaining("closed the connection");
  }

  @Test
  void externalIsRefusedBeforeLoginWhereTheBrokerDoesNotOfferIt(RabbitMq broker) throws Exception {
    // TLS ends at the proxy, so the broker sees a plain connection: RabbitMQ offers EXTERNAL only
    // to TLS connections, whether or not the EXTERNAL listener is set up.
    TestCertificates certificates = TestCertificates.create("localhost");
    try (TlsProxy proxy =
        TlsProxy.start(
            certificates.serverContext(), broker.endpoint().host(), broker.endpoint().port())) {
      ConnectionOptions options =
          ConnectionOptions.builder()
              .endpoint("localhost", proxy.port())
              .virtualHost(broker.endpoint().virtualHost())
              .sslContext(certificates.clientContext())
              .saslMechanism(SaslMechanism.EXTERNAL)
              .connectionTimeout(WAIT)
              .build();

      assertThatThrownBy(() -> Connection.open(options))
          .isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("does not offer SASL EXTERNAL")
          .hasMessageContaining("PLAIN");
    } finally {
      deleteTree(certificates.caCertificate().getParent());
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(path);
    }
  }
}
