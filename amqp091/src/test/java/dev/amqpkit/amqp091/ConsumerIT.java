package dev.amqpkit.amqp091;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.testkit.RabbitMq;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConsumerIT extends ChannelFixture {

  private String queueWith(RabbitMq broker, int messages) {
    String queue = broker.queueName("q");
    channel.queueDeclare(QueueSpec.named(queue));
    for (int i = 0; i < messages; i++) {
      channel.basicPublish("", queue, BasicProperties.EMPTY, ("m" + i).getBytes(UTF_8));
    }
    return queue;
  }

  /** A handler that records deliveries and cancellations. */
  static final class Recorder implements DeliveryHandler {
    final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    final CompletableFuture<CloseInitiator> cancelled = new CompletableFuture<>();

    @Override
    public void handle(Delivery delivery) {
      deliveries.add(delivery);
    }

    @Override
    public void cancelled(String consumerTag, CloseInitiator initiator) {
      cancelled.complete(initiator);
    }

    Delivery next() throws InterruptedException {
      Delivery d = deliveries.poll(10, TimeUnit.SECONDS);
      assertThat(d).as("a delivery within 10 s").isNotNull();
      return d;
    }
  }

  @Test
  void cancelByTheApplicationIsReportedAfterTheDeliveries(RabbitMq broker) throws Exception {
    String queue = queueWith(broker, 3);
    Recorder recorder = new Recorder();
    String tag =
        channel.basicConsume(
            queue, ConsumeOptions.defaults().consumerTag("mine").autoAck(), recorder);
    assertThat(tag).isEqualTo("mine");
    for (int i = 0; i < 3; i++) recorder.next();

    channel.basicCancel(tag);

    assertThat(recorder.cancelled.get(10, TimeUnit.SECONDS)).isEqualTo(CloseInitiator.APPLICATION);
    assertThatThrownBy(() -> channel.basicCancel(tag)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void cancelByTheBrokerWhenTheQueueIsDeleted(RabbitMq broker) throws Exception {
    String queue = queueWith(broker, 0);
    Recorder recorder = new Recorder();
    channel.basicConsume(queue, recorder);

    try (Channel other = connection.openChannel()) {
      other.queueDelete(queue);
    }

    assertThat(recorder.cancelled.get(10, TimeUnit.SECONDS)).isEqualTo(CloseInitiator.BROKER);
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void nackAndRejectRequeueOrDiscard(RabbitMq broker) throws Exception {
    String queue = queueWith(broker, 4);
    Recorder recorder = new Recorder();
    channel.basicConsume(queue, recorder);
    Delivery m0 = recorder.next();
    Delivery m1 = recorder.next();
    Delivery m2 = recorder.next();
    Delivery m3 = recorder.next();
    assertThat(m0.redelivered()).isFalse();

    channel.basicReject(m0.deliveryTag(), Requeue.DISCARD);
    channel.basicNack(m1.deliveryTag(), Requeue.REQUEUE);
    Delivery again = recorder.next();
    assertThat(new String(again.body(), UTF_8)).isEqualTo("m1");
    assertThat(again.redelivered()).isTrue();

    channel.basicNackUpTo(m3.deliveryTag(), Requeue.DISCARD); // m2 and m3 go
    channel.basicAck(again.deliveryTag());
    assertThat(recorder.deliveries.poll(300, TimeUnit.MILLISECONDS)).isNull();
    try (Channel other = connection.openChannel()) {
      assertThat(other.queueDeclarePassive(queue).messageCount()).isZero();
    }
    assertThat(m2.deliveryTag()).isLessThan(m3.deliveryTag());
  }

  @Test
  void recoverRedeliversWhatIsUnacknowledged(RabbitMq broker) throws Exception {
    String queue = queueWith(broker, 2);
    Recorder recorder = new Recorder();
    channel.basicConsume(queue, recorder);
    recorder.next();
    recorder.next();

    channel.basicRecover(Requeue.REQUEUE);

    Delivery first = recorder.next();
    Delivery second = recorder.next();
    assertThat(first.redelivered()).isTrue();
    assertThat(second.redelivered()).isTrue();
    channel.basicAckUpTo(second.deliveryTag());
  }

  @Test
  void anExclusiveConsumerKeepsOthersOut(RabbitMq broker) {
    String queue = queueWith(broker, 0);
    channel.basicConsume(queue, ConsumeOptions.defaults().exclusive(), new Recorder());
    Channel other = connection.openChannel();

    assertThatThrownBy(() -> other.basicConsume(queue, new Recorder()))
        .isInstanceOfSatisfying(
            ChannelClosedException.class, e -> assertThat(e.replyCode()).isEqualTo(403));
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void prefetchLimitsUnacknowledgedDeliveries(RabbitMq broker) throws Exception {
    String queue = queueWith(broker, 10);
    channel.basicQos(3, QosScope.PER_CHANNEL);
    Recorder recorder = new Recorder();
    channel.basicConsume(queue, recorder);

    for (int i = 0; i < 3; i++) recorder.next();
    assertThat(recorder.deliveries.poll(500, TimeUnit.MILLISECONDS)).isNull();
    channel.basicAck(3);
    recorder.next();
  }

  @Test
  void aSlowHandlerStopsNeitherOtherChannelsNorTheConnection(RabbitMq broker) throws Exception {
    String slowQueue = queueWith(broker, 1);
    String fastQueue = broker.queueName("fast");
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch slowStarted = new CountDownLatch(1);
    channel.basicConsume(
        slowQueue,
        ConsumeOptions.defaults().autoAck(),
        d -> {
          slowStarted.countDown();
          release.await(30, TimeUnit.SECONDS);
        });
    assertThat(slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
    Channel other = connection.openChannel();
    other.queueDeclare(QueueSpec.named(fastQueue));
    Recorder fast = new Recorder();
    other.basicConsume(fastQueue, ConsumeOptions.defaults().autoAck(), fast);

    other.basicPublish("", fastQueue, BasicProperties.EMPTY, "quick".getBytes(UTF_8));

    assertThat(new String(fast.next().body(), UTF_8)).isEqualTo("quick");
    release.countDown();
  }

  @Test
  void aHandlerThatThrowsDoesNotStopTheNextDelivery(RabbitMq broker) throws Exception {
    String queue = queueWith(broker, 2);
    List<String> seen = new CopyOnWriteArrayList<>();
    CountDownLatch both = new CountDownLatch(2);
    channel.basicConsume(
        queue,
        ConsumeOptions.defaults().autoAck(),
        d -> {
          seen.add(new String(d.body(), UTF_8));
          both.countDown();
          throw new IllegalStateException("handler failure for the test");
        });

    assertThat(both.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(seen).containsExactly("m0", "m1");
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void deliveriesRunOnTheApplicationsExecutorWhenGivenOne(RabbitMq broker) throws Exception {
    java.util.concurrent.ExecutorService mine =
        java.util.concurrent.Executors.newFixedThreadPool(
            2, r -> new Thread(r, "application-pool"));
    try (Connection own =
        Connection.open(
            ConnectionOptions.builder().uri(broker.uri()).consumerExecutor(mine).build())) {
      Channel ch = own.openChannel();
      String queue = broker.queueName("q");
      ch.queueDeclare(QueueSpec.named(queue));
      BlockingQueue<String> threads = new LinkedBlockingQueue<>();
      ch.basicConsume(
          queue,
          ConsumeOptions.defaults().autoAck(),
          d -> threads.add(Thread.currentThread().getName()));

      ch.basicPublish("", queue, BasicProperties.EMPTY, new byte[1]);

      assertThat(threads.poll(10, TimeUnit.SECONDS)).isEqualTo("application-pool");
    } finally {
      mine.shutdownNow();
    }
  }
}
