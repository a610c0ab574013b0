package dev.amqpkit.amqp091.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.amqp091.ExchangeSpec;
import dev.amqpkit.amqp091.QueueSpec;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The record of declared topology follows what the broker keeps, so it cannot grow without end. */
class TopologyRecordTest {
  private final TopologyRecord record = new TopologyRecord();

  private static TopologyRecord.Binding queueBinding(String queue, String exchange) {
    return new TopologyRecord.Binding(false, queue, exchange, "", Map.of());
  }

  @Test
  void deletingAnEntityTakesItsBindingsWithIt() {
    record.exchangeDeclared(ExchangeSpec.of("x", ExchangeSpec.FANOUT));
    record.exchangeDeclared(ExchangeSpec.of("y", ExchangeSpec.FANOUT));
    record.queueDeclared(QueueSpec.named("q"), "q");
    record.bound(queueBinding("q", "x"));
    record.bound(queueBinding("q", "y"));
    record.bound(new TopologyRecord.Binding(true, "y", "x", "k", Map.of()));
    assertThat(record.size()).isEqualTo(6);

    record.exchangeDeleted("x");
    assertThat(record.bindings()).containsExactly(queueBinding("q", "y"));
    record.queueDeleted("q");
    assertThat(record.bindings()).isEmpty();
    record.exchangeDeleted("y");
    assertThat(record.size()).isZero();
  }

  @Test
  void predeclaredExchangesAreNotRecorded() {
    record.exchangeDeclared(ExchangeSpec.of("", ExchangeSpec.DIRECT));
    record.exchangeDeclared(ExchangeSpec.of("amq.topic", ExchangeSpec.TOPIC));
    assertThat(record.size()).isZero();
  }

  @Test
  void anUnbindingAndARepeatedDeclarationLeaveOneOfEach() {
    record.queueDeclared(QueueSpec.named("q"), "q");
    record.queueDeclared(QueueSpec.named("q"), "q");
    record.bound(queueBinding("q", "x"));
    record.bound(queueBinding("q", "x"));
    assertThat(record.size()).isEqualTo(2);
    record.unbound(queueBinding("q", "x"));
    assertThat(record.size()).isEqualTo(1);
  }

  @Test
  void anAutoDeleteQueueLeavesWithItsLastConsumer() {
    record.queueDeclared(QueueSpec.named("auto").autoDelete(), "auto");
    record.bound(queueBinding("auto", "x"));
    record.consumerStarted("auto");
    record.consumerStarted("auto");

    record.consumerEnded("auto");
    assertThat(record.queueNames()).containsExactly("auto");
    record.consumerEnded("auto");
    assertThat(record.size()).isZero();
  }

  @Test
  void anAutoDeleteQueueThatNeverHadAConsumerStays() {
    // RabbitMQ deletes an auto-delete queue only once a consumer has come and gone.
    record.queueDeclared(QueueSpec.named("auto").autoDelete(), "auto");
    record.consumerEnded("auto");
    assertThat(record.queueNames()).containsExactly("auto");
  }

  @Test
  void anExpiringQueueLeavesOnceUnusedForItsExpiry() {
    record.queueDeclared(QueueSpec.named("brief").expires(Duration.ofMillis(50)), "brief");
    record.queueDeclared(QueueSpec.named("busy").expires(Duration.ofMillis(50)), "busy");
    record.consumerStarted("busy");

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              record.forgetExpired();
              assertThat(record.queueNames()).containsExactly("busy");
            });
  }

  @Test
  void manyQueuesDeclaredAndDeletedLeaveNothing() {
    for (int i = 0; i < 10_000; i++) {
      String name = "amq.gen-" + i;
      record.queueDeclared(QueueSpec.serverNamed().exclusive(), name);
      record.bound(queueBinding(name, "x"));
      record.consumerStarted(name);
      record.queueDeleted(name);
    }
    assertThat(record.size()).isZero();
  }
}
