package dev.amqpkit.bench;

import dev.amqpkit.amqp091.BasicProperties;
import dev.amqpkit.amqp091.Channel;
import dev.amqpkit.amqp091.Connection;
import dev.amqpkit.amqp091.QueueSpec;
import java.time.Duration;

/** Unmeasured setup: queues for the runs, filled when a case consumes. */
final class Prefill {
  private Prefill() {}

  /**
   * A queue that keeps at most 10,000 messages (dropping the oldest), so publishing runs in bounded
   * memory.
   */
  static String boundedQueue(String uri) {
    String name = "amqpkit-bench-" + System.nanoTime();
    try (Connection c = Connection.open(uri)) {
      c.openChannel().queueDeclare(QueueSpec.named(name).maxLength(10_000));
    }
    return name;
  }

  /** A queue holding {@code count} messages of {@code size} bytes. */
  static String filledQueue(String uri, int count, int size) {
    String name = "amqpkit-bench-" + System.nanoTime();
    try (Connection c = Connection.open(uri)) {
      Channel channel = c.openChannel();
      channel.queueDeclare(QueueSpec.named(name));
      channel.confirmSelect();
      byte[] body = new byte[size];
      for (int i = 0; i < count; i++) {
        channel.basicPublish("", name, BasicProperties.EMPTY, body);
        if (i % 5000 == 4999) channel.waitForConfirms(Duration.ofSeconds(60));
      }
      channel.waitForConfirms(Duration.ofSeconds(60));
    }
    return name;
  }

  static void delete(String uri, String queue) {
    if (queue == null || queue.equals("bench")) return;
    try (Connection c = Connection.open(uri)) {
      c.openChannel().queueDelete(queue);
    }
  }
}
