package dev.amqpkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.testkit.engine.EngineTestKit;

/** What the fixture does around a test when the broker answers. */
@RequiresRabbitMq
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RabbitMqExtensionIT {

  static final List<String> queuesDeclared = new CopyOnWriteArrayList<>();
  static final List<String> exchangesDeclared = new CopyOnWriteArrayList<>();

  /** Run through the engine below, never directly. */
  @RequiresRabbitMq
  static class DeclaresThings {
    @Test
    void declaresAQueueAndAnExchange(RabbitMq broker) {
      String queue = broker.queueName("work");
      String exchange = broker.exchangeName("events");
      broker.admin().declareQueue(queue);
      broker.admin().declareExchange(exchange, "fanout");
      queuesDeclared.add(queue);
      exchangesDeclared.add(exchange);
    }

    @Test
    void declaresAQueueTheFixtureDidNotName(RabbitMq broker) {
      String queue = "amqpkit-test.foreign." + System.nanoTime();
      broker.admin().declareQueue(queue);
      broker.deleteQueueAfterTest(queue);
      queuesDeclared.add(queue);
    }
  }

  @Test
  void deletesWhatTheTestDeclaredWhenItEnds(RabbitMq broker) {
    queuesDeclared.clear();
    exchangesDeclared.clear();

    EngineTestKit.engine("junit-jupiter")
        .configurationParameter(RabbitMqExtension.URI_PROPERTY, broker.uri())
        .selectors(selectClass(DeclaresThings.class))
        .execute()
        .testEvents()
        .assertStatistics(stats -> stats.succeeded(2).failed(0));

    assertThat(queuesDeclared).hasSize(2);
    assertThat(exchangesDeclared).hasSize(1);
    try (BrokerAdmin admin = BrokerAdmin.open(broker.endpoint(), Duration.ofSeconds(10))) {
      assertThat(queuesDeclared).noneMatch(admin::queueExists);
      assertThat(exchangesDeclared).noneMatch(admin::exchangeExists);
    }
  }

  @Test
  void eachTestGetsItsOwnBroker(RabbitMq broker) {
    assertThat(broker.trackedQueues()).isEmpty();
    assertThat(broker.endpoint().port()).isPositive();
    assertThat(broker.queueName("a")).contains("RabbitMqExtensionIT.eachTestGetsItsOwnBroker.a.");
  }
}
