package dev.amqpkit.amqp091;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.testkit.RabbitMq;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QueueAndExchangeIT extends ChannelFixture {

  @Test
  void serverNamedExclusiveQueuesGetANameAndDieWithTheConnection(RabbitMq broker) {
    QueueDeclareOk ok = channel.queueDeclare(QueueSpec.serverNamed().exclusive().autoDelete());
    assertThat(ok.queue()).startsWith("amq.gen-");
    assertThat(ok.messageCount()).isZero();
    assertThat(ok.consumerCount()).isZero();

    connection.close();

    assertThat(broker.admin().queueExists(ok.queue())).isFalse();
  }

  @Test
  void quorumAndStreamQueuesAndArguments(RabbitMq broker) {
    String quorum = broker.queueName("quorum");
    String stream = broker.queueName("stream");
    String ttl = broker.queueName("ttl");

    channel.queueDeclare(
        QueueSpec.named(quorum).durable().quorum().deadLetterExchange("amq.fanout"));
    channel.queueDeclare(QueueSpec.named(stream).durable().stream());
    channel.queueDeclare(
        QueueSpec.named(ttl)
            .messageTtl(Duration.ofMinutes(1))
            .maxLength(10)
            .maxPriority(5)
            .expires(Duration.ofMinutes(5)));

    assertThat(channel.queueDeclarePassive(quorum).queue()).isEqualTo(quorum);
    assertThat(channel.queueDeclarePassive(stream).queue()).isEqualTo(stream);
    for (int i = 0; i < 15; i++) channel.basicPublish("", ttl, BasicProperties.EMPTY, new byte[1]);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> channel.queueDeclarePassive(ttl).messageCount() == 10);
  }

  @Test
  void redeclaringWithOtherSettingsIsPreconditionFailed(RabbitMq broker) {
    String queue = broker.queueName("q");
    channel.queueDeclare(QueueSpec.named(queue));

    assertThatThrownBy(() -> channel.queueDeclare(QueueSpec.named(queue).durable()))
        .isInstanceOfSatisfying(
            ChannelClosedException.class, e -> assertThat(e.replyCode()).isEqualTo(406));
  }

  @Test
  void noWaitFormsTakeEffect(RabbitMq broker) {
    String exchange = broker.exchangeName("x");
    String queue = broker.queueName("q");

    channel.exchangeDeclareNoWait(ExchangeSpec.of(exchange, ExchangeSpec.DIRECT).autoDelete());
    channel.queueDeclareNoWait(QueueSpec.named(queue));
    channel.queueBindNoWait(queue, exchange, "k", Map.of());
    channel.basicPublish(exchange, "k", BasicProperties.EMPTY, "via-nowait".getBytes(UTF_8));

    Delivery d =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> channel.basicGetAutoAck(queue), Optional::isPresent)
            .get();
    assertThat(new String(d.body(), UTF_8)).isEqualTo("via-nowait");
  }

  @Test
  void deleteConditionsAreHonoured(RabbitMq broker) {
    String queue = broker.queueName("q");
    channel.queueDeclare(QueueSpec.named(queue));
    channel.basicPublish("", queue, BasicProperties.EMPTY, new byte[1]);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> channel.queueDeclarePassive(queue).messageCount() == 1);

    assertThatThrownBy(() -> channel.queueDelete(queue, DeleteCondition.IF_EMPTY))
        .isInstanceOfSatisfying(
            ChannelClosedException.class, e -> assertThat(e.replyCode()).isEqualTo(406));
    Channel other = connection.openChannel();
    assertThat(other.queueDelete(queue, DeleteCondition.IF_UNUSED)).isEqualTo(1);
    assertThatThrownBy(() -> other.exchangeDelete("amq.direct", DeleteCondition.IF_EMPTY))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void internalExchangesRefusePublishers(RabbitMq broker) throws Exception {
    String exchange = broker.exchangeName("internal");
    channel.exchangeDeclare(ExchangeSpec.of(exchange, ExchangeSpec.FANOUT).internal());
    channel.confirmSelect();

    var future = channel.basicPublishWithConfirm(exchange, "", BasicProperties.EMPTY, new byte[1]);

    assertThat(future)
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableThat()
        .havingRootCause()
        .isInstanceOf(ChannelClosedException.class);
    assertThat(channel.closeCause().replyCode()).isEqualTo(403);
  }

  @Test
  void transactionsCommitAndRollBack(RabbitMq broker) {
    String queue = broker.queueName("q");
    channel.queueDeclare(QueueSpec.named(queue));
    channel.txSelect();

    channel.basicPublish("", queue, BasicProperties.EMPTY, new byte[1]);
    channel.txRollback();
    assertThat(channel.queueDeclarePassive(queue).messageCount()).isZero();

    channel.basicPublish("", queue, BasicProperties.EMPTY, new byte[1]);
    channel.basicPublish("", queue, BasicProperties.EMPTY, new byte[1]);
    channel.txCommit();
    assertThat(channel.queueDeclarePassive(queue).messageCount()).isEqualTo(2);
  }

  @Test
  void directReplyToAnswersARequest(RabbitMq broker) throws Exception {
    String requests = broker.queueName("requests");
    channel.queueDeclare(QueueSpec.named(requests));
    Channel server = connection.openChannel();
    server.basicConsume(
        requests,
        ConsumeOptions.defaults().autoAck(),
        d ->
            server.basicPublish(
                "",
                d.properties().replyTo(),
                BasicProperties.builder().correlationId(d.properties().correlationId()).build(),
                ("re: " + new String(d.body(), UTF_8)).getBytes(UTF_8)));
    ConsumerIT.Recorder replies = new ConsumerIT.Recorder();
    channel.basicConsume("amq.rabbitmq.reply-to", ConsumeOptions.defaults().autoAck(), replies);

    channel.basicPublish(
        "",
        requests,
        BasicProperties.builder().replyTo("amq.rabbitmq.reply-to").correlationId("42").build(),
        "ping".getBytes(UTF_8));

    Delivery reply = replies.next();
    assertThat(new String(reply.body(), UTF_8)).isEqualTo("re: ping");
    assertThat(reply.properties().correlationId()).isEqualTo("42");
  }
}
