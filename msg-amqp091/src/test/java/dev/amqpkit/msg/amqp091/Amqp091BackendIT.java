package dev.amqpkit.msg.amqp091;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.amqp091.BasicProperties;
import dev.amqpkit.amqp091.Channel;
import dev.amqpkit.amqp091.Connection;
import dev.amqpkit.amqp091.Delivery;
import dev.amqpkit.amqp091.PublishReturnedException;
import dev.amqpkit.amqp091.QueueSpec;
import dev.amqpkit.msg.Attributes;
import dev.amqpkit.msg.FailurePolicy;
import dev.amqpkit.msg.Message;
import dev.amqpkit.msg.MessageWriter;
import dev.amqpkit.msg.SendFailedException;
import dev.amqpkit.msg.ServerFailedException;
import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RequiresRabbitMq;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the 0-9-1 backend does beyond the conformance suite: mapping, refusals, failures. */
@RequiresRabbitMq
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class Amqp091BackendIT {
  private Connection connection;
  private Channel channel;

  @BeforeEach
  void open(RabbitMq broker) {
    connection = Connection.open(broker.uri());
    channel = connection.openChannel();
  }

  @AfterEach
  void close() {
    connection.close();
  }

  private static CompletableFuture<Void> serveAsync(
      Amqp091Server server, dev.amqpkit.msg.Receiver r) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            server.serve(r);
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        });
  }

  @Test
  void attributesBecomePropertiesAndHeadersAsDocumented(RabbitMq broker) throws Exception {
    String queue = broker.queueName("mapping");
    channel.queueDeclare(QueueSpec.named(queue));
    try (Amqp091Topic topic = Amqp091Topic.forQueue(connection, queue)) {
      MessageWriter w = topic.newWriter();
      w.attributes()
          .set("content-type", "text/plain")
          .set("Message-Id", "m-1")
          .set("Expiration", "60000")
          .set("Type", "x".repeat(256))
          .setAll("Reply-To", List.of("a", "b"))
          .setAll("X-Many", List.of("1", "2"))
          .set("X-One", "only");
      w.write("hi".getBytes(UTF_8));
      w.close();
    }
    Delivery d =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> channel.basicGetAutoAck(queue), Optional::isPresent)
            .orElseThrow();
    BasicProperties p = d.properties();
    assertThat(p.contentType()).isEqualTo("text/plain");
    assertThat(p.messageId()).isEqualTo("m-1");
    assertThat(p.expiration()).isEqualTo("60000");
    assertThat(p.isPersistent()).isTrue();
    assertThat(p.type()).as("over 255 bytes: a header").isNull();
    assertThat(p.replyTo()).as("two values: a header").isNull();
    assertThat(p.headers())
        .containsEntry("Type", "x".repeat(256))
        .containsEntry("Reply-To", List.of("a", "b"))
        .containsEntry("X-Many", List.of("1", "2"))
        .containsEntry("X-One", "only");
  }

  @Test
  void anotherPublishersHeadersAreReadAsText(RabbitMq broker) throws Exception {
    String queue = broker.queueName("foreign");
    channel.queueDeclare(QueueSpec.named(queue));
    channel.basicPublish(
        "",
        queue,
        BasicProperties.builder()
            .correlationId("c-9")
            .appId("legacy")
            .userId("guest")
            .header("x-count", 42)
            .header("x-price", new BigDecimal("9.99"))
            .header("x-raw", "bytes".getBytes(UTF_8))
            .header("x-list", List.of("a", 7L))
            .header("x-when", Instant.ofEpochSecond(1_700_000_000))
            .build(),
        new byte[] {1});
    AtomicReference<Attributes> got = new AtomicReference<>();
    Amqp091Server server = Amqp091Server.builder(connection, queue).build();
    CompletableFuture<Void> serving = serveAsync(server, m -> got.set(m.attributes().copy()));
    await().atMost(Duration.ofSeconds(10)).until(() -> got.get() != null);
    assertThat(server.shutdown(Duration.ofSeconds(5))).isTrue();
    serving.get(10, TimeUnit.SECONDS);

    Attributes a = got.get();
    assertThat(a.get("Correlation-Id")).contains("c-9");
    assertThat(a.get("App-Id")).contains("legacy");
    assertThat(a.contains("User-Id")).isFalse();
    assertThat(a.get("x-count")).contains("42");
    assertThat(a.get("x-price")).contains("9.99");
    assertThat(a.get("x-raw")).contains("bytes");
    assertThat(a.getAll("x-list")).containsExactly("a", "7");
    assertThat(a.get("x-when")).contains("2023-11-14T22:13:20Z");
  }

  @Test
  void aMessageNoQueueTakesFailsItsClose() throws Exception {
    try (Amqp091Topic topic =
        Amqp091Topic.builder(connection)
            .exchange("amq.direct")
            .routingKey("nobody-binds-this")
            .build()) {
      MessageWriter w = topic.newWriter();
      w.write(1);
      assertThatThrownBy(w::close)
          .isInstanceOf(SendFailedException.class)
          .hasMessageContaining("no queue took the message sent to exchange 'amq.direct'")
          .hasCauseInstanceOf(PublishReturnedException.class);
      // The topic goes on.
      assertThat(topic.toString()).contains("amq.direct");
    }
  }

  @Test
  void aKeyTooLongForAHeaderFailsTheSendAndTheTopicGoesOn(RabbitMq broker) throws Exception {
    String queue = broker.queueName("longkey");
    channel.queueDeclare(QueueSpec.named(queue));
    try (Amqp091Topic topic = Amqp091Topic.forQueue(connection, queue)) {
      MessageWriter w = topic.newWriter();
      w.attributes().set("K".repeat(300), "v");
      assertThatThrownBy(w::close)
          .isInstanceOf(SendFailedException.class)
          .hasMessageContaining("300 bytes: an AMQP 0-9-1 header name has at most 255");
      topic.send(Message.of(new byte[] {2}));
    }
    assertThat(broker.admin().messageCount(queue)).isEqualTo(1);
  }

  @Test
  void deadLetterPolicyNacksWithoutRequeueSoTheDeadLetterExchangeTakesIt(RabbitMq broker)
      throws Exception {
    String dead = broker.queueName("dead");
    String queue = broker.queueName("live");
    channel.queueDeclare(QueueSpec.named(dead));
    channel.queueDeclare(
        QueueSpec.named(queue).deadLetterExchange("").argument("x-dead-letter-routing-key", dead));
    try (Amqp091Topic topic = Amqp091Topic.forQueue(connection, queue)) {
      topic.send(Message.of(Attributes.of("X-Id", "bad"), new byte[] {1}));
    }
    Amqp091Server server =
        Amqp091Server.builder(connection, queue).onFailure(FailurePolicy.DEAD_LETTER).build();
    CompletableFuture<Void> serving =
        serveAsync(
            server,
            m -> {
              throw new IllegalArgumentException("cannot process");
            });
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.admin().messageCount(dead) == 1);
    assertThat(server.shutdown(Duration.ofSeconds(5))).isTrue();
    serving.get(10, TimeUnit.SECONDS);
    Delivery d = channel.basicGetAutoAck(dead).orElseThrow();
    assertThat(d.properties().headers()).containsKey("X-Id").containsKey("x-death");
  }

  @Test
  void deletingTheQueueEndsServeWithAServerFailure(RabbitMq broker) throws Exception {
    String queue = broker.queueName("deleted");
    channel.queueDeclare(QueueSpec.named(queue));
    Amqp091Server server = Amqp091Server.builder(connection, queue).concurrency(2).build();
    CompletableFuture<Void> serving = serveAsync(server, m -> {});
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> channel.queueDeclarePassive(queue).consumerCount() == 1);
    channel.queueDelete(queue);
    ExecutionException e =
        catchThrowableOfType(ExecutionException.class, () -> serving.get(60, TimeUnit.SECONDS));
    Throwable failure = e.getCause().getCause();
    assertThat(failure)
        .isInstanceOf(ServerFailedException.class)
        .hasMessageContaining("the broker cancelled the consumer of queue '" + queue + "'");
  }
}
