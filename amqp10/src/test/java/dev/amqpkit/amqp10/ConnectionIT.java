package dev.amqpkit.amqp10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RequiresRabbitMq;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Connections to RabbitMQ's AMQP 1.0 plugin, on the same port as AMQP 0-9-1. */
@RequiresRabbitMq
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionIT {

  @Test
  void opensAndClosesAgainstRabbitMq(RabbitMq broker) {
    Connection c = Connection.open(broker.uri());

    assertThat(c.isOpen()).isTrue();
    assertThat(c.remoteContainerId()).isNotBlank();
    assertThat(c.maxFrameSize()).isBetween(512, 1024 * 1024);
    assertThat(c.containerId()).startsWith("amqpkit-");

    c.close();
    assertThat(c.isOpen()).isFalse();
    assertThat(c.closeCause().initiator()).isEqualTo(CloseInitiator.APPLICATION);
    c.close(); // idempotent
  }

  @Test
  void sessionsBeginAndEndOnTheirOwn(RabbitMq broker) {
    try (Connection c = Connection.open(broker.uri())) {
      Session first = c.openSession();
      Session second = c.openSession();
      assertThat(first.isOpen()).isTrue();
      assertThat(second.channel()).isNotEqualTo(first.channel());

      first.close();
      assertThat(first.isOpen()).isFalse();
      assertThat(first.closeCause().initiator()).isEqualTo(CloseInitiator.APPLICATION);
      assertThat(second.isOpen()).isTrue();
      assertThat(c.openSession().isOpen()).isTrue();
    }
  }

  @Test
  void anonymousLogsInAsTheBrokersDefaultUser(RabbitMq broker) {
    // RabbitMQ's AMQP 1.0 plugin maps ANONYMOUS to its default user (guest unless configured).
    ConnectionOptions options =
        ConnectionOptions.builder()
            .endpoint(broker.endpoint().host(), broker.endpoint().port())
            .saslMechanism(SaslMechanism.ANONYMOUS)
            .build();

    try (Connection c = Connection.open(options)) {
      assertThat(c.openSession().isOpen()).isTrue();
    }
  }

  @Test
  void aWrongPasswordIsAnAuthenticationError(RabbitMq broker) {
    ConnectionOptions options =
        ConnectionOptions.builder()
            .endpoint(broker.endpoint().host(), broker.endpoint().port())
            .credentials(broker.endpoint().username(), "not-the-password")
            .build();

    assertThatThrownBy(() -> Connection.open(options))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("refused the login of user '" + broker.endpoint().username() + "'")
        .hasMessageNotContaining("not-the-password");
  }

  @Test
  void staysOpenAcrossSeveralOfItsOwnIdleTimeouts(RabbitMq broker) {
    // RabbitMQ answers an idle-time-out with heartbeats of its own: with a 1 s limit, staying open
    // for 3 s proves they arrive, and the broker's own limit, if any, is kept by ours.
    Connection c =
        Connection.open(
            ConnectionOptions.builder()
                .uri(broker.uri())
                .idleTimeout(Duration.ofSeconds(1))
                .build());
    try {
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(c::isOpen);
    } finally {
      c.close();
    }
  }
}
