package dev.amqpkit.amqp10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RabbitMqExternalAuth;
import dev.amqpkit.testkit.RequiresRabbitMq;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SASL EXTERNAL over AMQP 1.0 against the real broker: the TLS listener {@link
 * RabbitMqExternalAuth} starts on the local node (it serves both protocols) requires a client
 * certificate and logs the client in as its common name.
 */
@RequiresRabbitMq
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ExternalAuthIT {
  private static RabbitMqExternalAuth sharedListener;

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

  private static ConnectionOptions external(RabbitMqExternalAuth listener, String commonName)
      throws Exception {
    return ConnectionOptions.builder()
        .endpoint(listener.host(), listener.port())
        .sslContext(listener.clientContext(commonName))
        .saslMechanism(SaslMechanism.EXTERNAL)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  @Test
  void aClientCertificateLogsInAndBeginsASession(RabbitMq broker) throws Exception {
    RabbitMqExternalAuth listener = listener(broker);
    String user = listener.newUserName();
    listener.addUser(user, broker.endpoint().virtualHost());

    try (Connection c = Connection.open(external(listener, user))) {
      assertThat(c.isOpen()).isTrue();
      assertThat(c.openSession().isOpen()).isTrue();
    }
  }

  @Test
  void aCertificateWhoseCommonNameIsNoUserIsRefused(RabbitMq broker) throws Exception {
    RabbitMqExternalAuth listener = listener(broker);
    ConnectionOptions options = external(listener, listener.newUserName());

    assertThatThrownBy(() -> Connection.open(options))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining(
            "refused the login with the client's TLS certificate (SASL EXTERNAL)");
  }
}
