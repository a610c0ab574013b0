package dev.amqpkit.bench;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The official RabbitMQ Java client, used the way its documentation shows. */
final class ReferenceClient implements BenchClient {
  static String version() {
    return "com.rabbitmq:amqp-client "
        + ConnectionFactory.class.getPackage().getImplementationVersion();
  }

  @Override
  public String name() {
    return "reference";
  }

  @Override
  public Session open(String uri) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(uri);
    Connection connection = factory.newConnection("bench");
    Channel channel = connection.createChannel();
    return new Session() {
      @Override
      public long publish(String queue, int count, int size, int inFlight) throws Exception {
        byte[] body = new byte[size];
        if (inFlight == 0) {
          for (int i = 0; i < count; i++) channel.basicPublish("", queue, null, body);
          return count;
        }
        channel.confirmSelect();
        InFlight window = new InFlight(inFlight);
        channel.addConfirmListener(window::settle, window::settle);
        for (int i = 0; i < count; i++) {
          window.acquire();
          channel.basicPublish("", queue, null, body);
        }
        window.awaitAll();
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
                false,
                (consumerTag, d) -> {
                  long n = received.incrementAndGet();
                  if (n % ackEvery == 0 || n == count) {
                    channel.basicAck(d.getEnvelope().getDeliveryTag(), true);
                  }
                  if (n == count) done.countDown();
                },
                consumerTag -> {});
        if (!done.await(300, TimeUnit.SECONDS))
          throw new IllegalStateException("consume timed out");
        channel.basicCancel(tag);
        return count;
      }

      @Override
      public void close() throws java.io.IOException {
        connection.close();
      }
    };
  }
}
