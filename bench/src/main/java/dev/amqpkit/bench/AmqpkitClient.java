package dev.amqpkit.bench;

import dev.amqpkit.amqp091.BasicProperties;
import dev.amqpkit.amqp091.Channel;
import dev.amqpkit.amqp091.Connection;
import dev.amqpkit.amqp091.ConnectionOptions;
import dev.amqpkit.common.Recovery;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * amqpkit's AMQP 0-9-1 client, used the way its README shows: with the default self-healing
 * connection, or the bare one ({@link Recovery#disabled()}).
 */
final class AmqpkitClient implements BenchClient {
  private final boolean recovery;

  AmqpkitClient(boolean recovery) {
    this.recovery = recovery;
  }

  @Override
  public String name() {
    return recovery ? "amqpkit" : "bare";
  }

  @Override
  public Session open(String uri) {
    Connection connection =
        Connection.open(
            ConnectionOptions.builder()
                .uri(uri)
                .recovery(recovery ? Recovery.defaults() : Recovery.disabled())
                .build());
    Channel channel = connection.openChannel();
    return new Session() {
      @Override
      public long publish(String queue, int count, int size, int inFlight) throws Exception {
        byte[] body = new byte[size];
        if (inFlight == 0) {
          for (int i = 0; i < count; i++)
            channel.basicPublish("", queue, BasicProperties.EMPTY, body);
          return count;
        }
        // The channel's own window bounds what is in flight; a publish waits for room in it.
        channel.confirmSelect(inFlight);
        for (int i = 0; i < count; i++) {
          channel.basicPublish("", queue, BasicProperties.EMPTY, body);
        }
        channel.waitForConfirms(Duration.ofSeconds(60));
        return count;
      }

      @Override
      public long consume(String queue, int count, int prefetch, int ackEvery) throws Exception {
        channel.basicQos(prefetch);
        CountDownLatch done = new CountDownLatch(1);
        AtomicLong received = new AtomicLong();
        String tag =
            channel.basicConsume(
                queue,
                d -> {
                  long n = received.incrementAndGet();
                  if (n % ackEvery == 0 || n == count) channel.basicAckUpTo(d.deliveryTag());
                  if (n == count) done.countDown();
                });
        if (!done.await(300, TimeUnit.SECONDS))
          throw new IllegalStateException("consume timed out");
        channel.basicCancel(tag);
        return count;
      }

      @Override
      public void close() {
        connection.close();
      }
    };
  }
}
