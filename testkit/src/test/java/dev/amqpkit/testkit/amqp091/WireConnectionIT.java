package dev.amqpkit.testkit.amqp091;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.testkit.BrokerEndpoint;
import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RequiresRabbitMq;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The first link of the chain: the broker the tests use speaks AMQP 0-9-1 to us. */
@RequiresRabbitMq
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WireConnectionIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @Test
  void theBrokerAnswersTheProtocolHeaderWithConnectionStart(RabbitMq broker) throws Exception {
    BrokerEndpoint endpoint = broker.endpoint();

    ConnectionStart start = WireConnection.probe(endpoint.host(), endpoint.port(), TIMEOUT);

    assertThat(start.versionMajor()).isZero();
    assertThat(start.versionMinor()).isEqualTo(9);
    assertThat(start.product()).isEqualTo("RabbitMQ");
    assertThat(start.mechanisms()).contains("PLAIN", "AMQPLAIN");
    assertThat(start.locales()).contains("en_US");
    assertThat(start.capabilities())
        .contains(
            "publisher_confirms",
            "exchange_exchange_bindings",
            "basic.nack",
            "consumer_cancel_notify",
            "connection.blocked",
            "authentication_failure_close",
            "per_consumer_qos",
            "direct_reply_to");
  }

  @Test
  void logsInAndNegotiatesLimits(RabbitMq broker) throws Exception {
    BrokerEndpoint e = broker.endpoint();

    try (WireConnection connection = open(e, e.password(), e.virtualHost())) {
      assertThat(connection.channelMax()).isPositive();
      assertThat(connection.frameMax()).isBetween(4096L, (long) WireConnection.FRAME_MAX);
      connection.openChannel(1);
      connection.closeChannel(1);
    }
  }

  @Test
  void aWrongPasswordIsRefusedWithAccessRefused(RabbitMq broker) {
    BrokerEndpoint e = broker.endpoint();

    assertThatThrownBy(() -> open(e, e.password() + "-wrong", e.virtualHost()))
        .isInstanceOfSatisfying(
            BrokerCloseException.class,
            close -> {
              assertThat(close.scope()).isEqualTo(BrokerCloseException.Scope.CONNECTION);
              assertThat(close.replyCode()).isEqualTo(403);
              assertThat(close.replyText()).contains("ACCESS_REFUSED");
            });
  }

  @Test
  void anUnknownVirtualHostIsRefusedWithNotAllowed(RabbitMq broker) {
    BrokerEndpoint e = broker.endpoint();

    assertThatThrownBy(() -> open(e, e.password(), "amqpkit-no-such-vhost"))
        .isInstanceOfSatisfying(
            BrokerCloseException.class, close -> assertThat(close.replyCode()).isEqualTo(530));
  }

  private static WireConnection open(BrokerEndpoint e, String password, String virtualHost)
      throws Exception {
    return WireConnection.open(e.host(), e.port(), e.username(), password, virtualHost, TIMEOUT);
  }
}
