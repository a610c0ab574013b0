package dev.amqpkit.msg.amqp10;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.amqp091.Channel;
import dev.amqpkit.amqp091.QueueSpec;
import dev.amqpkit.amqp10.AmqpException;
import dev.amqpkit.amqp10.Body;
import dev.amqpkit.amqp10.Connection;
import dev.amqpkit.amqp10.Delivery;
import dev.amqpkit.amqp10.Message;
import dev.amqpkit.amqp10.Receiver;
import dev.amqpkit.amqp10.Sender;
import dev.amqpkit.amqp10.Session;
import dev.amqpkit.amqp10.types.UnsignedLong;
import dev.amqpkit.msg.Attributes;
import dev.amqpkit.msg.FailurePolicy;
import dev.amqpkit.msg.MessageWriter;
import dev.amqpkit.msg.SendFailedException;
import dev.amqpkit.msg.ServerFailedException;
import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RequiresRabbitMq;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the 1.0 backend does beyond the conformance suite: mapping, refusals, failures. */
@RequiresRabbitMq
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class Amqp10BackendIT {
  private Connection connection;
  private Session session;
  private dev.amqpkit.amqp091.Connection admin;
  private Channel channel;

  @BeforeEach
  void open(RabbitMq broker) {
    connection = Connection.open(broker.uri());
    session = connection.openSession();
    admin = dev.amqpkit.amqp091.Connection.open(broker.uri());
    channel = admin.openChannel();
  }

  @AfterEach
  void close() {
    connection.close();
    admin.close();
  }

  private String queue(RabbitMq broker, String hint) {
    String queue = broker.queueName(hint);
    channel.queueDeclare(QueueSpec.named(queue));
    return queue;
  }

  private static CompletableFuture<Void> serveAsync(
      Amqp10Server server, dev.amqpkit.msg.Receiver r) {
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
  void attributesBecomePropertiesAndApplicationPropertiesAsDocumented(RabbitMq broker)
      throws Exception {
    String address = "/amq/queue/" + queue(broker, "mapping");
    try (Amqp10Topic topic = Amqp10Topic.create(connection, address)) {
      MessageWriter w = topic.newWriter();
      w.attributes()
          .set("content-type", "text/plain")
          .set("Content-Encoding", "gzíp")
          .set("Message-Id", "m-1")
          .set("Subject", "greeting")
          .setAll("X-Many", List.of("1", "two, \"three\""))
          .set("X-One", "only");
      w.write("hi".getBytes(UTF_8));
      w.close();
    }
    Receiver receiver = session.openReceiver(address);
    Delivery d = receiver.receive(Duration.ofSeconds(10));
    assertThat(d).isNotNull();
    d.accept();
    Message m = d.message();
    assertThat(m.contentType()).isEqualTo("text/plain");
    assertThat(m.contentEncoding()).as("not ASCII: an application property").isNull();
    assertThat(m.messageId()).isEqualTo("m-1");
    assertThat(m.subject()).isEqualTo("greeting");
    assertThat(m.durable()).isTrue();
    assertThat(m.bodyBytes()).isEqualTo("hi".getBytes(UTF_8));
    assertThat(m.applicationProperties())
        .containsEntry("Content-Encoding", "gzíp")
        .containsEntry("X-Many", "1")
        .containsEntry("amqpkit-values:X-Many", "[\"1\",\"two, \\\"three\\\"\"]")
        .containsEntry("X-One", "only");
  }

  @Test
  void anotherSendersMessageIsReadAsText(RabbitMq broker) throws Exception {
    String address = "/amq/queue/" + queue(broker, "foreign");
    UUID id = UUID.randomUUID();
    Sender sender = session.openSender(address);
    sender
        .send(
            Message.builder()
                .messageId(id)
                .correlationId(UnsignedLong.valueOf(42))
                .applicationProperty("count", 7)
                .applicationProperty("ok", true)
                .text("héllo")
                .build())
        .get(10, TimeUnit.SECONDS);
    AtomicReference<dev.amqpkit.msg.Message> got = new AtomicReference<>();
    Amqp10Server server = Amqp10Server.builder(connection, address).build();
    CompletableFuture<Void> serving =
        serveAsync(server, m -> got.set(m.withBody(m.body().readAllBytes())));
    await().atMost(Duration.ofSeconds(10)).until(() -> got.get() != null);
    assertThat(server.shutdown(Duration.ofSeconds(5))).isTrue();
    serving.get(10, TimeUnit.SECONDS);

    Attributes a = got.get().attributes();
    assertThat(a.get("Message-Id")).contains(id.toString());
    assertThat(a.get("Correlation-Id")).contains("42");
    assertThat(a.get("count")).contains("7");
    assertThat(a.get("ok")).contains("true");
    assertThat(got.get().body().readAllBytes()).isEqualTo("héllo".getBytes(UTF_8));
  }

  @Test
  void aBodyMsgCannotReadIsRejectedWithoutReachingTheReceiver(RabbitMq broker) throws Exception {
    String queue = queue(broker, "sequence");
    String address = "/amq/queue/" + queue;
    Sender sender = session.openSender(address);
    sender
        .send(Message.builder().body(new Body.Sequence(List.of(List.of(1, 2)))).build())
        .get(10, TimeUnit.SECONDS);
    sender.send(Message.ofData(new byte[] {9})).get(10, TimeUnit.SECONDS);
    AtomicInteger received = new AtomicInteger();
    Amqp10Server server = Amqp10Server.builder(connection, address).build();
    CompletableFuture<Void> serving = serveAsync(server, m -> received.incrementAndGet());
    await().atMost(Duration.ofSeconds(10)).until(() -> received.get() == 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> channel.queueDeclarePassive(queue).messageCount() == 0);
    assertThat(server.shutdown(Duration.ofSeconds(5))).isTrue();
    serving.get(10, TimeUnit.SECONDS);
    assertThat(received).as("only the data message").hasValue(1);
    assertThat(channel.queueDeclarePassive(queue).messageCount())
        .as("rejected, not requeued")
        .isZero();
  }

  @Test
  void deadLetterPolicyRejectsSoTheDeadLetterExchangeTakesIt(RabbitMq broker) throws Exception {
    String dead = queue(broker, "dead");
    String queue = broker.queueName("live");
    channel.queueDeclare(
        QueueSpec.named(queue).deadLetterExchange("").argument("x-dead-letter-routing-key", dead));
    String address = "/amq/queue/" + queue;
    try (Amqp10Topic topic = Amqp10Topic.create(connection, address)) {
      topic.send(dev.amqpkit.msg.Message.of(Attributes.of("X-Id", "bad"), new byte[] {1}));
    }
    Amqp10Server server =
        Amqp10Server.builder(connection, address).onFailure(FailurePolicy.DEAD_LETTER).build();
    CompletableFuture<Void> serving =
        serveAsync(
            server,
            m -> {
              throw new IllegalArgumentException("cannot process");
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> channel.queueDeclarePassive(dead).messageCount() == 1);
    assertThat(server.shutdown(Duration.ofSeconds(5))).isTrue();
    serving.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aReservedKeyFailsTheSendAndTheTopicGoesOn(RabbitMq broker) throws Exception {
    String queue = queue(broker, "reserved");
    try (Amqp10Topic topic = Amqp10Topic.create(connection, "/amq/queue/" + queue)) {
      MessageWriter w = topic.newWriter();
      w.attributes().set("amqpkit-values:X", "[]");
      assertThatThrownBy(w::close)
          .isInstanceOf(SendFailedException.class)
          .hasMessageContaining("reserved");
      topic.send(dev.amqpkit.msg.Message.of(new byte[] {2}));
    }
    assertThat(channel.queueDeclarePassive(queue).messageCount()).isEqualTo(1);
  }

  @Test
  void aServerOnAnAddressThatDoesNotExistFails(RabbitMq broker) throws Exception {
    String address = "/amq/queue/" + broker.queueName("missing");
    // (A sender RabbitMQ 3.10 attaches, and accepts and drops what it sends: see the README.)
    Amqp10Server server = Amqp10Server.builder(connection, address).build();
    ExecutionException e =
        catchThrowableOfType(
            ExecutionException.class, () -> serveAsync(server, m -> {}).get(30, TimeUnit.SECONDS));
    assertThat(e.getCause().getCause())
        .isInstanceOf(ServerFailedException.class)
        .hasCauseInstanceOf(AmqpException.class)
        .hasMessageContaining("amqp:not-found");
  }

  @Test
  void deletingTheQueueEndsServeWithAServerFailure(RabbitMq broker) throws Exception {
    String queue = queue(broker, "deleted");
    Amqp10Server server =
        Amqp10Server.builder(connection, "/amq/queue/" + queue).concurrency(2).build();
    CompletableFuture<Void> serving = serveAsync(server, m -> {});
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> channel.queueDeclarePassive(queue).consumerCount() == 1);
    channel.queueDelete(queue);
    ExecutionException e =
        catchThrowableOfType(ExecutionException.class, () -> serving.get(60, TimeUnit.SECONDS));
    assertThat(e.getCause().getCause()).isInstanceOf(ServerFailedException.class);
  }

  @Test
  void anInterruptedServeThrowsInterruptedExceptionAndTheMessageComesBack(RabbitMq broker)
      throws Exception {
    String queue = queue(broker, "interrupted");
    String address = "/amq/queue/" + queue;
    try (Amqp10Topic topic = Amqp10Topic.create(connection, address)) {
      topic.send(dev.amqpkit.msg.Message.of(Attributes.of("X-Id", "slow"), new byte[] {1}));
    }
    CountDownLatch started = new CountDownLatch(1);
    AtomicReference<Throwable> ended = new AtomicReference<>();
    Amqp10Server server = Amqp10Server.builder(connection, address).build();
    Thread serving =
        new Thread(
            () -> {
              try {
                server.serve(
                    m -> {
                      started.countDown();
                      Thread.sleep(60_000);
                    });
                ended.set(new AssertionError("serve returned normally"));
              } catch (Throwable t) {
                ended.set(t);
              }
            });
    serving.start();
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    serving.interrupt();
    serving.join(10_000);
    assertThat(serving.isAlive()).as("serve returned").isFalse();
    assertThat(ended.get()).isInstanceOf(InterruptedException.class);

    AtomicReference<String> again = new AtomicReference<>();
    Amqp10Server next = Amqp10Server.builder(connection, address).build();
    CompletableFuture<Void> nextServing =
        serveAsync(next, m -> again.set(m.attributes().get("X-Id").orElse("?")));
    await().atMost(Duration.ofSeconds(20)).until(() -> "slow".equals(again.get()));
    assertThat(next.shutdown(Duration.ofSeconds(5))).isTrue();
    nextServing.get(10, TimeUnit.SECONDS);
  }
}
