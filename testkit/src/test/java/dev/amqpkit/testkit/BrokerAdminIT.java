package dev.amqpkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.testkit.amqp091.BrokerCloseException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@RequiresRabbitMq
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BrokerAdminIT {

  @Test
  void declaresSeesAndDeletesAQueue(RabbitMq broker) {
    BrokerAdmin admin = broker.admin();
    String queue = broker.queueName("q");

    assertThat(admin.queueExists(queue)).isFalse();
    admin.declareQueue(queue);
    assertThat(admin.queueExists(queue)).isTrue();
    assertThat(admin.messageCount(queue)).isZero();
    admin.deleteQueue(queue);
    assertThat(admin.queueExists(queue)).isFalse();
  }

  @Test
  void declaresSeesAndDeletesAnExchange(RabbitMq broker) {
    BrokerAdmin admin = broker.admin();
    String exchange = broker.exchangeName("x");

    assertThat(admin.exchangeExists(exchange)).isFalse();
    admin.declareExchange(exchange, "topic");
    assertThat(admin.exchangeExists(exchange)).isTrue();
    admin.deleteExchange(exchange);
    assertThat(admin.exchangeExists(exchange)).isFalse();
  }

  @Test
  void deletingWhatIsNotThereIsNotAnError(RabbitMq broker) {
    BrokerAdmin admin = broker.admin();

    admin.deleteQueue(broker.queueName("never-declared"));
    admin.deleteExchange(broker.exchangeName("never-declared"));

    assertThat(admin.queueExists(broker.queueName("still-not"))).isFalse();
  }

  @Test
  void aConnectionLevelRefusalCarriesItsReplyCode(RabbitMq broker) {
    BrokerAdmin admin = broker.admin();

    assertThatThrownBy(() -> admin.declareExchange(broker.exchangeName("bad"), "no-such-type"))
        .isInstanceOf(UncheckedIOException.class)
        .cause()
        .isInstanceOfSatisfying(
            BrokerCloseException.class,
            close -> {
              assertThat(close.scope()).isEqualTo(BrokerCloseException.Scope.CONNECTION);
              assertThat(close.replyCode()).isEqualTo(503);
            });
  }

  @Test
  void aChannelErrorReopensTheChannel(RabbitMq broker) {
    BrokerAdmin admin = broker.admin();
    String queue = broker.queueName("q");

    assertThatThrownBy(() -> admin.messageCount(queue))
        .cause()
        .isInstanceOfSatisfying(
            BrokerCloseException.class, close -> assertThat(close.replyCode()).isEqualTo(404));
    admin.declareQueue(queue);
    assertThat(admin.queueExists(queue)).isTrue();
  }
}
