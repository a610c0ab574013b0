package dev.amqpkit.amqp091;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RabbitMqControl;
import dev.amqpkit.testkit.RequiresRabbitMq;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real resource alarm: the broker blocks publishers, then unblocks them. */
@RequiresRabbitMq
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockedIT {

  @Test
  void aMemoryAlarmBlocksAndUnblocksPublishers(RabbitMq broker) throws Exception {
    assumeTrue(
        RabbitMqControl.availableFor(broker.endpoint()), "needs rabbitmqctl for the local broker");
    CompletableFuture<String> blocked = new CompletableFuture<>();
    CompletableFuture<Void> unblocked = new CompletableFuture<>();
    try (Connection connection = Connection.open(broker.uri())) {
      connection.addListener(
          new ConnectionListener() {
            @Override
            public void blocked(String reason) {
              blocked.complete(reason);
            }

            @Override
            public void unblocked() {
              unblocked.complete(null);
            }
          });
      Channel channel = connection.openChannel();
      try {
        RabbitMqControl.setMemoryHighWatermark("0");
        // RabbitMQ blocks a connection when it publishes during an alarm.
        channel.basicPublish("amq.fanout", "", BasicProperties.EMPTY, new byte[1]);
        assertThat(blocked.get(20, TimeUnit.SECONDS)).contains("memory");
        assertThat(connection.isBlocked()).isTrue();
      } finally {
        RabbitMqControl.setMemoryHighWatermark("0.4");
      }
      unblocked.get(20, TimeUnit.SECONDS);
      assertThat(connection.isBlocked()).isFalse();
      assertThat(connection.isOpen()).isTrue();
    }
  }

  @Test
  void publishingIntoABrokerThatStopsReadingTimesOutInsteadOfHanging(RabbitMq broker)
      throws Exception {
    assumeTrue(
        RabbitMqControl.availableFor(broker.endpoint()), "needs rabbitmqctl for the local broker");
    ConnectionOptions options =
        ConnectionOptions.builder()
            .uri(broker.uri())
            .rpcTimeout(java.time.Duration.ofSeconds(2))
            .build();
    try (Connection connection = Connection.open(options)) {
      Channel channel = connection.openChannel();
      channel.confirmSelect();
      long before = channel.nextPublishSequenceNumber();
      byte[] body = new byte[32 * 1024]; // under 256 KiB: copied into the queue
      AmqpTimeoutException timeout = null;
      long sent = 0;
      try {
        RabbitMqControl.setMemoryHighWatermark("0");
        // The broker stops reading once blocked: socket buffers fill, then the client's queue.
        for (int i = 0; i < 4096 && timeout == null; i++) {
          try {
            channel.basicPublish("amq.fanout", "", BasicProperties.EMPTY, body);
            sent++;
          } catch (AmqpTimeoutException e) {
            timeout = e;
          }
        }
      } finally {
        RabbitMqControl.setMemoryHighWatermark("0.4");
      }

      assertThat(timeout).as("a publish that could not be queued").isNotNull();
      assertThat(timeout).hasMessageContaining("not reading");
      // The timed-out publish took no sequence number, and the connection is still usable.
      assertThat(channel.nextPublishSequenceNumber()).isEqualTo(before + sent);
      channel.waitForConfirms(java.time.Duration.ofSeconds(30));
      assertThat(connection.isOpen()).isTrue();
    }
  }
}
