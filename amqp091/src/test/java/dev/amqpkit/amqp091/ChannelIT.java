package dev.amqpkit.amqp091;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.testkit.RabbitMq;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ChannelIT extends ChannelFixture {

  @Test
  void publishesAndFetches(RabbitMq broker) {
    String queue = broker.queueName("q");
    channel.queueDeclare(QueueSpec.named(queue));
    BasicProperties props =
        BasicProperties.builder()
            .contentType("text/plain")
            .contentEncoding("utf-8")
            .header("h", "v")
            .persistent()
            .priority(3)
            .correlationId("c")
            .replyTo("r")
            .expiration("60000")
            .messageId("m")
            .timestamp(Instant.ofEpochSecond(1_700_000_000L))
            .type("t")
            .userId("guest")
            .appId("a")
            .build();

    channel.basicPublish("", queue, props, "hello".getBytes(UTF_8));

    Delivery d =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> channel.basicGet(queue), Optional::isPresent)
            .get();
    assertThat(new String(d.body(), UTF_8)).isEqualTo("hello");
    assertThat(d.properties()).isEqualTo(props);
    assertThat(d.routingKey()).isEqualTo(queue);
    assertThat(d.messageCount()).isZero();
    channel.basicAck(d.deliveryTag());
    assertThat(channel.basicGet(queue)).isEmpty();
  }

  @Test
  void consumesInOrderOffTheIoThread(RabbitMq broker) throws Exception {
    String queue = broker.queueName("q");
    channel.queueDeclare(QueueSpec.named(queue));
    BlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
    BlockingQueue<String> threads = new LinkedBlockingQueue<>();
    channel.basicQos(50);
    String tag =
        channel.basicConsume(
            queue,
            d -> {
              threads.add(Thread.currentThread().getName());
              received.add(d);
              channel.basicAck(d.deliveryTag());
            });
    // A self-healing channel names its consumers itself, so that it knows them before the broker
    // answers (the bare channel gets the broker's amq.ctag-... names).
    assertThat(tag).startsWith("amqpkit-");

    for (int i = 0; i < 500; i++)
      channel.basicPublish("", queue, BasicProperties.EMPTY, ("m" + i).getBytes(UTF_8));

    for (int i = 0; i < 500; i++) {
      Delivery d = received.poll(10, TimeUnit.SECONDS);
      assertThat(d).as("delivery %d", i).isNotNull();
      assertThat(new String(d.body(), UTF_8)).isEqualTo("m" + i);
    }
    assertThat(threads).noneMatch(name -> name.startsWith("amqpkit-reader"));
  }

  @Test
  void theBareChannelTakesTheBrokersConsumerTag(RabbitMq broker) {
    try (Connection bare =
        Connection.open(
            ConnectionOptions.builder()
                .uri(broker.uri())
                .recovery(dev.amqpkit.common.Recovery.disabled())
                .build())) {
      Channel ch = bare.openChannel();
      String queue = ch.queueDeclare(QueueSpec.serverNamed().exclusive()).queue();
      assertThat(ch.basicConsume(queue, d -> {})).startsWith("amq.ctag-");
    }
  }

  @Test
  void largeBodiesAreSplitAtFrameMax(RabbitMq broker) {
    String queue = broker.queueName("big");
    channel.queueDeclare(QueueSpec.named(queue));
    byte[] body = new byte[20 * 1024 * 1024 + 17];
    for (int i = 0; i < body.length; i++) body[i] = (byte) (i * 31);

    channel.basicPublish("", queue, BasicProperties.EMPTY, body);

    Delivery d =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> channel.basicGetAutoAck(queue), Optional::isPresent)
            .get();
    assertThat(d.body()).isEqualTo(body);
  }

  @Test
  void aChannelErrorClosesOnlyThatChannel(RabbitMq broker) {
    Channel other = connection.openChannel();

    assertThatThrownBy(() -> channel.queueDeclarePassive(broker.queueName("missing")))
        .isInstanceOfSatisfying(
            ChannelClosedException.class,
            e -> {
              assertThat(e.replyCode()).isEqualTo(404);
              assertThat(e.reason().replyText()).contains("NOT_FOUND");
              assertThat(e.reason().classId()).as(e.reason().toString()).isEqualTo(50);
              assertThat(e.reason().methodId()).isEqualTo(10);
              assertThat(e.initiator()).isEqualTo(CloseInitiator.BROKER);
            });
    assertThat(channel.isOpen()).isFalse();
    assertThatThrownBy(() -> channel.basicPublish("", "x", BasicProperties.EMPTY, new byte[0]))
        .isInstanceOf(ChannelClosedException.class);
    assertThat(connection.isOpen()).isTrue();
    assertThat(other.queueDeclare(QueueSpec.serverNamed().exclusive()).queue())
        .startsWith("amq.gen-");
  }

  @Test
  void confirmsEveryPublish(RabbitMq broker) throws Exception {
    String queue = broker.queueName("q");
    channel.queueDeclare(QueueSpec.named(queue));
    channel.confirmSelect();
    assertThat(channel.nextPublishSequenceNumber()).isEqualTo(1);

    // Publishes with and without a future of their own share the sequence numbers.
    List<CompletableFuture<Void>> futures = new java.util.ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      if (i % 2 == 0) channel.basicPublish("", queue, BasicProperties.EMPTY, new byte[10]);
      else
        futures.add(
            channel.basicPublishWithConfirm("", queue, BasicProperties.EMPTY, new byte[10]));
    }

    channel.waitForConfirms(Duration.ofSeconds(20));
    // Once waitForConfirms returns, every future is complete, not merely answered.
    assertThat(futures).hasSize(1000).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    assertThat(channel.nextPublishSequenceNumber()).isEqualTo(2001);
    assertThat(channel.queueDeclarePassive(queue).messageCount()).isEqualTo(2000);
  }

  @Test
  void mandatoryUnroutableMessagesComeBack(RabbitMq broker) throws Exception {
    CompletableFuture<ReturnedMessage> returned = new CompletableFuture<>();
    channel.addListener(
        new ChannelListener() {
          @Override
          public void returned(ReturnedMessage message) {
            returned.complete(message);
          }
        });

    channel.basicPublishMandatory(
        "",
        broker.queueName("nowhere"),
        BasicProperties.builder().messageId("x").build(),
        "b".getBytes(UTF_8));

    ReturnedMessage r = returned.get(10, TimeUnit.SECONDS);
    assertThat(r.replyCode()).isEqualTo(312);
    assertThat(r.properties().messageId()).isEqualTo("x");
    assertThat(r.body()).isEqualTo("b".getBytes(UTF_8));
  }

  @Test
  void aReturnedMandatoryPublishFailsItsFutureAndOnlyItsOwn(RabbitMq broker) throws Exception {
    String queue = broker.queueName("routed");
    channel.queueDeclare(QueueSpec.named(queue));
    channel.confirmSelect();
    String nowhere = broker.queueName("nowhere");

    CompletableFuture<Void> routed =
        channel.basicPublishMandatoryWithConfirm("", queue, null, new byte[1]);
    CompletableFuture<Void> unroutable =
        channel.basicPublishMandatoryWithConfirm("", nowhere, null, "lost".getBytes(UTF_8));
    CompletableFuture<Void> routedAgain =
        channel.basicPublishMandatoryWithConfirm("", queue, null, new byte[1]);

    assertThat(routed).succeedsWithin(Duration.ofSeconds(10));
    assertThat(routedAgain).succeedsWithin(Duration.ofSeconds(10));
    assertThat(unroutable)
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableThat()
        .havingCause()
        .isInstanceOfSatisfying(
            PublishReturnedException.class,
            e -> {
              assertThat(e.returned().replyCode()).isEqualTo(312);
              assertThat(e.returned().routingKey()).isEqualTo(nowhere);
              assertThat(e.returned().body()).isEqualTo("lost".getBytes(UTF_8));
            });
  }

  @Test
  void exchangesBindAndRoute(RabbitMq broker) {
    String source = broker.exchangeName("src");
    String destination = broker.exchangeName("dst");
    String queue = broker.queueName("q");
    channel.exchangeDeclare(ExchangeSpec.of(source, ExchangeSpec.TOPIC));
    channel.exchangeDeclare(ExchangeSpec.of(destination, ExchangeSpec.FANOUT));
    channel.exchangeBind(destination, source, "a.*", Map.of());
    channel.queueDeclare(QueueSpec.named(queue));
    channel.queueBind(queue, destination, "", null);

    channel.basicPublish(source, "a.b", BasicProperties.EMPTY, "routed".getBytes(UTF_8));
    channel.basicPublish(source, "z.b", BasicProperties.EMPTY, "dropped".getBytes(UTF_8));

    Delivery d =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> channel.basicGetAutoAck(queue), Optional::isPresent)
            .get();
    assertThat(new String(d.body(), UTF_8)).isEqualTo("routed");
    assertThat(channel.queuePurge(queue)).isZero();
    channel.exchangeUnbind(destination, source, "a.*", Map.of());
    channel.queueUnbind(queue, destination, "", null);
    channel.exchangeDelete(destination);
    channel.exchangeDeclarePassive(source);
    assertThat(channel.queueDelete(queue)).isZero();
  }

  @Test
  void whatTheApplicationChainsToAConfirmNeverRunsOnTheIoThread(RabbitMq broker) throws Exception {
    String queue = broker.queueName("q");
    channel.queueDeclare(QueueSpec.named(queue));
    channel.confirmSelect();
    java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();

    for (int i = 0; i < 2000; i++) {
      channel
          .basicPublishWithConfirm("", queue, BasicProperties.EMPTY, new byte[10])
          .thenRun(() -> threads.add(Thread.currentThread().getName()));
    }
    channel.waitForConfirms(Duration.ofSeconds(20));

    await().atMost(Duration.ofSeconds(10)).until(() -> !threads.isEmpty());
    assertThat(threads).noneMatch(name -> name.startsWith("amqpkit-reader"));
  }
}
