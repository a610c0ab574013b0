package dev.amqpkit.amqp091;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.amqpkit.common.Backoff;
import dev.amqpkit.common.Recovery;
import dev.amqpkit.testkit.FaultProxy;
import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RabbitMqControl;
import dev.amqpkit.testkit.RequiresRabbitMq;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connections that heal themselves, against RabbitMQ: cut and stalled by a TCP proxy in between,
 * closed by the broker, and refused while it is "down".
 */
@RequiresRabbitMq
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RecoveryIT {
  private static final Recovery FAST =
      Recovery.builder().backoff(Backoff.fixed(Duration.ofMillis(100))).build();

  private FaultProxy proxy;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final Events events = new Events();

  /** What a connection's listener heard, in order. */
  static final class Events implements ConnectionListener {
    final List<String> heard = new CopyOnWriteArrayList<>();
    final BlockingQueue<String> recovered = new LinkedBlockingQueue<>();

    @Override
    public void disconnected(ConnectionClosedException cause) {
      heard.add("disconnected " + cause.initiator());
    }

    @Override
    public void reconnecting(int attempt, Duration delay) {
      heard.add("reconnecting " + attempt);
    }

    @Override
    public void recovered() {
      heard.add("recovered");
      recovered.add("recovered");
    }

    @Override
    public void queueRenamed(String oldName, String newName) {
      heard.add("renamed");
    }

    @Override
    public void gaveUp(Exception cause) {
      heard.add("gave up");
    }

    @Override
    public void closed(ConnectionClosedException cause) {
      heard.add("closed " + cause.initiator());
    }

    void awaitRecovery() throws InterruptedException {
      assertThat(recovered.poll(30, TimeUnit.SECONDS)).as("recovered within 30 s").isNotNull();
    }
  }

  @BeforeEach
  void startProxy(RabbitMq broker) throws IOException {
    proxy = FaultProxy.start(broker.endpoint().host(), broker.endpoint().port());
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : toClose) c.close();
    proxy.close();
  }

  private ConnectionOptions.Builder throughProxy(RabbitMq broker) {
    return ConnectionOptions.builder()
        .uri(broker.uri())
        .endpoints(List.of(new Endpoint(proxy.host(), proxy.port())))
        .recovery(FAST);
  }

  private Connection open(ConnectionOptions options) {
    Connection connection = Connection.open(options);
    connection.addListener(events);
    toClose.add(connection);
    return connection;
  }

  /** A connection straight to the broker, without recovery, to watch what reaches it. */
  private Channel direct(RabbitMq broker) {
    Connection connection =
        Connection.open(
            ConnectionOptions.builder().uri(broker.uri()).recovery(Recovery.disabled()).build());
    toClose.add(connection);
    return connection.openChannel();
  }

  @Test
  void aCutConnectionComesBackWithItsTopologyChannelsAndConsumers(RabbitMq broker)
      throws Exception {
    Connection connection = open(throughProxy(broker).build());
    Channel channel = connection.openChannel();
    String exchange = broker.exchangeName("x");
    channel.exchangeDeclare(ExchangeSpec.of(exchange, ExchangeSpec.FANOUT).autoDelete());
    String queue = channel.queueDeclare(QueueSpec.serverNamed().exclusive()).queue();
    channel.queueBind(queue, exchange, "", null);
    channel.basicQos(10);
    BlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
    String tag = channel.basicConsume(queue, ConsumeOptions.defaults().autoAck(), received::add);

    assertThat(proxy.cut()).isEqualTo(1);
    events.awaitRecovery();

    // The same objects work: the exclusive queue is back under a new name, bound, consumed.
    channel.basicPublish(exchange, "", BasicProperties.EMPTY, "after".getBytes(UTF_8));
    Delivery delivery = received.poll(10, TimeUnit.SECONDS);
    assertThat(delivery).isNotNull();
    assertThat(new String(delivery.body(), UTF_8)).isEqualTo("after");
    assertThat(delivery.consumerTag()).isEqualTo(tag);
    assertThat(events.heard)
        .containsExactly("disconnected NETWORK", "reconnecting 1", "renamed", "recovered");
    assertThat(connection.isOpen()).isTrue();
    assertThat(channel.isOpen()).isTrue();
    Channel direct = direct(broker);
    assertThatThrownBy(() -> direct.queueDeclarePassive(queue))
        .as("the old exclusive queue went with its connection")
        .isInstanceOf(ChannelClosedException.class)
        .hasMessageContaining("404");
  }

  @Test
  void aConnectionTheBrokerClosesComesBack(RabbitMq broker) throws Exception {
    assumeTrue(
        RabbitMqControl.availableFor(broker.endpoint()), "needs rabbitmqctl for the local broker");
    String name = "amqpkit-recovery-" + System.nanoTime();
    Connection connection =
        open(
            ConnectionOptions.builder()
                .uri(broker.uri())
                .connectionName(name)
                .recovery(FAST)
                .build());
    Channel channel = connection.openChannel();
    String queue = broker.queueName("forced");
    channel.queueDeclare(QueueSpec.named(queue));

    assertThat(RabbitMqControl.closeConnectionsNamed(name)).isEqualTo(1);
    events.awaitRecovery();

    channel.basicPublish("", queue, BasicProperties.EMPTY, new byte[1]);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> channel.queueDeclarePassive(queue).messageCount() == 1);
    assertThat(events.heard).startsWith("disconnected BROKER");
  }

  @Test
  void unconfirmedPublishesAreSentAgainSoThatNoneIsLost(RabbitMq broker) throws Exception {
    String queue = broker.queueName("lossless");
    Channel watcher = direct(broker);
    watcher.queueDeclare(QueueSpec.named(queue));
    Set<String> seen = ConcurrentHashMap.newKeySet();
    watcher.basicConsume(
        queue, ConsumeOptions.defaults().autoAck(), d -> seen.add(new String(d.body(), UTF_8)));

    Connection connection = open(throughProxy(broker).build());
    Channel channel = connection.openChannel();
    channel.confirmSelect(200);
    int count = 20_000;
    List<CompletableFuture<Void>> confirms = new ArrayList<>();
    int cuts = 0;
    for (int i = 0; i < count; i++) {
      byte[] body = ("m" + i).getBytes(UTF_8);
      if (i % 2 == 0) confirms.add(channel.basicPublishWithConfirm("", queue, null, body));
      else channel.basicPublish("", queue, null, body);
      if (i % 5_000 == 2_500) {
        // Each cut hits a live connection with publishes in flight.
        int recovered = cuts;
        await().atMost(Duration.ofSeconds(30)).until(() -> recoveries() == recovered);
        assertThat(proxy.cut()).isEqualTo(1);
        cuts++;
      }
    }
    channel.waitForConfirms(Duration.ofSeconds(60));

    assertThat(confirms).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(seen).hasSize(count));
    assertThat(recoveries()).isEqualTo(4);
  }

  private long recoveries() {
    return events.heard.stream().filter("recovered"::equals).count();
  }

  /**
   * Kept copies come from a pool and go back to it once confirmed: what is sent again after a cut
   * must still be the body published, whatever the application did with its array since and
   * whichever publishes reused the pool's arrays meanwhile. Bodies from 1 KiB to 21 KiB, and every
   * 50th from 264 KiB to 293 KiB (past the size the writer sends by reference), each filled with a
   * pattern of its own. Before each cut the network stalls, so that the 20 publishes made then are
   * surely unconfirmed when it is cut, and sent again.
   */
  @Test
  void keptCopiesOfBodiesAreSentAgainIntactWhileTheApplicationReusesItsArrays(RabbitMq broker)
      throws Exception {
    String queue = broker.queueName("intact");
    Channel watcher = direct(broker);
    watcher.queueDeclare(QueueSpec.named(queue));
    Set<Integer> seen = ConcurrentHashMap.newKeySet();
    List<String> damaged = new CopyOnWriteArrayList<>();
    watcher.basicConsume(
        queue,
        ConsumeOptions.defaults().autoAck(),
        d -> {
          byte[] body = d.body();
          int id = java.nio.ByteBuffer.wrap(body).getInt();
          if (!java.util.Arrays.equals(body, body(id)))
            damaged.add(id + " (" + body.length + " B)");
          seen.add(id);
        });

    Connection connection = open(throughProxy(broker).build());
    Channel channel = connection.openChannel();
    channel.confirmSelect(200);
    int count = 3_000;
    List<CompletableFuture<Void>> confirms = new ArrayList<>();
    for (int id = 0; id < count; id++) {
      byte[] body = body(id);
      if (id % 2 == 0) confirms.add(channel.basicPublishWithConfirm("", queue, null, body));
      else channel.basicPublish("", queue, null, body);
      java.util.Arrays.fill(body, (byte) 0x55); // the application reuses its array at once
      if (id == 1_000 || id == 2_000) {
        int recovered = id / 1_000 - 1;
        await().atMost(Duration.ofSeconds(30)).until(() -> recoveries() == recovered);
        channel.waitForConfirms(Duration.ofSeconds(30)); // room in the window for what follows
        proxy.stall();
      }
      if (id == 1_019 || id == 2_019) {
        assertThat(proxy.cut()).isEqualTo(1);
        proxy.resume();
      }
    }
    channel.waitForConfirms(Duration.ofSeconds(60));

    assertThat(confirms).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(seen).hasSize(count));
    assertThat(damaged).as("bodies that arrived altered").isEmpty();
    assertThat(recoveries()).isEqualTo(2);
  }

  /** Message {@code id}'s body: its number, then a pattern of its own; 1 KiB to 293 KiB long. */
  private static byte[] body(int id) {
    int length =
        id % 50 == 25 ? 270_000 + (id * 7_919) % 30_000 : 1_025 + (int) ((id * 7_919L) % 20_000);
    byte[] body = new byte[length];
    for (int i = 4; i < length; i++) body[i] = (byte) (i * 31 + id);
    java.nio.ByteBuffer.wrap(body).putInt(id);
    return body;
  }

  @Test
  void publishesMadeWhileRecoveringWaitAndGoOutInOrder(RabbitMq broker) throws Exception {
    String queue = broker.queueName("buffered");
    Channel watcher = direct(broker);
    watcher.queueDeclare(QueueSpec.named(queue));
    Connection connection = open(throughProxy(broker).build());
    Channel channel = connection.openChannel();
    channel.confirmSelect();

    proxy.refuse(true);
    proxy.cut();
    await().atMost(Duration.ofSeconds(10)).until(() -> events.heard.contains("reconnecting 2"));
    List<CompletableFuture<Void>> confirms = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      // Returns at once: the publish waits in the buffer, not the caller.
      confirms.add(channel.basicPublishWithConfirm("", queue, null, ("b" + i).getBytes(UTF_8)));
    }
    assertThat(confirms).noneMatch(CompletableFuture::isDone);
    proxy.refuse(false);

    CompletableFuture.allOf(confirms.toArray(new CompletableFuture<?>[0]))
        .get(30, TimeUnit.SECONDS);
    for (int i = 0; i < 50; i++) {
      Delivery d = watcher.basicGetAutoAck(queue).orElseThrow();
      assertThat(new String(d.body(), UTF_8)).isEqualTo("b" + i);
    }
  }

  @Test
  void withNoBufferAPublishWhileRecoveringFailsAtOnce(RabbitMq broker) throws Exception {
    Connection connection =
        open(throughProxy(broker).recovery(FAST.newBuilder().bufferedPublishes(0).build()).build());
    Channel channel = connection.openChannel();
    proxy.refuse(true);
    proxy.cut();
    await().atMost(Duration.ofSeconds(10)).until(() -> events.heard.contains("reconnecting 1"));

    assertThatThrownBy(() -> channel.basicPublish("", "q", null, new byte[1]))
        .isInstanceOf(ConnectionRecoveringException.class)
        .hasMessageContaining("fail at once");
    proxy.refuse(false);
    events.awaitRecovery();
    assertThatCode(() -> channel.basicPublish("", "q", null, new byte[1]))
        .doesNotThrowAnyException();
  }

  @Test
  void anAckForADeliveryFromBeforeTheRecoveryIsDroppedAndTheMessageComesAgain(RabbitMq broker)
      throws Exception {
    String queue = broker.queueName("stale");
    direct(broker).queueDeclare(QueueSpec.named(queue));
    Connection connection = open(throughProxy(broker).build());
    Channel channel = connection.openChannel();
    BlockingQueue<Long> stale = new LinkedBlockingQueue<>();
    channel.addListener(
        new ChannelListener() {
          @Override
          public void staleAcknowledgement(long deliveryTag) {
            stale.add(deliveryTag);
          }
        });
    BlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
    channel.basicConsume(queue, received::add);
    channel.basicPublish("", queue, null, "once".getBytes(UTF_8));
    Delivery first = received.poll(10, TimeUnit.SECONDS);
    assertThat(first).isNotNull();
    assertThat(first.redelivered()).isFalse();

    proxy.cut();
    events.awaitRecovery();
    channel.basicAck(first.deliveryTag()); // not a 406 that closes the new channel

    assertThat(stale.poll(10, TimeUnit.SECONDS)).isEqualTo(first.deliveryTag());
    Delivery again = received.poll(10, TimeUnit.SECONDS);
    assertThat(again).isNotNull();
    assertThat(again.redelivered()).isTrue();
    assertThat(again.deliveryTag()).isGreaterThan(first.deliveryTag());
    channel.basicAck(again.deliveryTag());
    assertThat(channel.isOpen()).isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> channel.queueDeclarePassive(queue).messageCount() == 0);
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void recoveryGivesUpAfterItsAttemptsAndFailsWhatWaits(RabbitMq broker) throws Exception {
    Connection connection =
        open(throughProxy(broker).recovery(FAST.newBuilder().maxAttempts(3).build()).build());
    Channel channel = connection.openChannel();
    channel.confirmSelect();
    proxy.refuse(true);
    proxy.cut();
    await().atMost(Duration.ofSeconds(10)).until(() -> events.heard.contains("reconnecting 1"));
    CompletableFuture<Void> waiting = channel.basicPublishWithConfirm("", "q", null, new byte[1]);

    await().atMost(Duration.ofSeconds(20)).until(() -> events.heard.contains("closed NETWORK"));
    assertThat(events.heard)
        .containsExactly(
            "disconnected NETWORK",
            "reconnecting 1",
            "reconnecting 2",
            "reconnecting 3",
            "gave up",
            "closed NETWORK");
    assertThat(waiting)
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(ChannelClosedException.class)
        .withMessageContaining("gave up recovering after 3 attempt(s)");
    assertThat(connection.isOpen()).isFalse();
    assertThat(channel.isOpen()).isFalse();
    assertThatThrownBy(() -> channel.basicPublish("", "q", null, new byte[1]))
        .isInstanceOf(ChannelClosedException.class);
  }

  @Test
  void aStalledNetworkIsNoticedByHeartbeatsAndRecovered(RabbitMq broker) throws Exception {
    Connection connection =
        open(
            throughProxy(broker)
                .heartbeat(Duration.ofSeconds(1))
                .connectionTimeout(Duration.ofSeconds(2))
                .build());
    Channel channel = connection.openChannel();
    String queue = broker.queueName("stalled");
    channel.queueDeclare(QueueSpec.named(queue));

    proxy.stallUntil(() -> events.heard.contains("disconnected CLIENT"), Duration.ofSeconds(15));
    events.awaitRecovery();

    channel.basicPublish("", queue, null, new byte[1]);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> channel.queueDeclarePassive(queue).messageCount() == 1);
  }

  @Test
  void aRefusedLoginEndsRecoveryUnlessToldToRetryIt(RabbitMq broker) throws Exception {
    assumeTrue(
        RabbitMqControl.availableFor(broker.endpoint()), "needs rabbitmqctl for the local broker");
    String user = "amqpkit-recovery-" + System.nanoTime();
    RabbitMqControl.addUser(user, "first", broker.endpoint().virtualHost());
    try {
      ConnectionOptions.Builder asUser = throughProxy(broker).username(user).password("first");
      Events retrying = new Events();
      Connection patient =
          Connection.open(
              asUser.recovery(FAST.newBuilder().retryAuthenticationFailures(true).build()).build());
      patient.addListener(retrying);
      toClose.add(patient);
      Connection strict = open(asUser.recovery(FAST).build());

      RabbitMqControl.changePassword(user, "second");
      proxy.cut();

      await().atMost(Duration.ofSeconds(15)).until(() -> events.heard.contains("closed NETWORK"));
      assertThat(events.heard)
          .containsExactly("disconnected NETWORK", "reconnecting 1", "gave up", "closed NETWORK");
      assertThat(strict.closeCause())
          .hasCauseInstanceOf(AuthenticationException.class)
          .hasMessageContaining("gave up recovering the connection after 1 attempt(s)");
      await().atMost(Duration.ofSeconds(15)).until(() -> retrying.heard.contains("reconnecting 3"));
      assertThat(patient.isOpen()).isTrue();

      RabbitMqControl.changePassword(user, "first");
      retrying.awaitRecovery();
      assertThat(patient.openChannel().isOpen()).isTrue();
    } finally {
      RabbitMqControl.deleteUser(user);
    }
  }

  @Test
  void aConsumerWhoseQueueWentIsLeftOutAndTheChannelKeepsWorking(RabbitMq broker) throws Exception {
    String gone = broker.queueName("gone");
    String kept = broker.queueName("kept");
    Channel direct = direct(broker);
    direct.queueDeclare(QueueSpec.named(gone));
    direct.queueDeclare(QueueSpec.named(kept));
    Connection connection = open(throughProxy(broker).build());
    Channel channel = connection.openChannel();
    CompletableFuture<CloseInitiator> cancelled = new CompletableFuture<>();
    channel.basicConsume(
        gone,
        ConsumeOptions.defaults().autoAck(),
        new DeliveryHandler() {
          @Override
          public void handle(Delivery delivery) {}

          @Override
          public void cancelled(String consumerTag, CloseInitiator initiator) {
            cancelled.complete(initiator);
          }
        });
    BlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
    channel.basicConsume(kept, ConsumeOptions.defaults().autoAck(), received::add);

    proxy.refuse(true);
    proxy.cut();
    await().atMost(Duration.ofSeconds(10)).until(() -> events.heard.contains("reconnecting 1"));
    direct.queueDelete(gone);
    proxy.refuse(false);
    events.awaitRecovery();

    assertThat(cancelled).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(CloseInitiator.BROKER);
    direct.basicPublish("", kept, null, "still".getBytes(UTF_8));
    assertThat(received.poll(10, TimeUnit.SECONDS)).isNotNull();
    assertThat(channel.isOpen()).isTrue();
    channel.queueDeclarePassive(kept); // the channel takes calls
  }

  @Test
  void aTransactionTheFailureInterruptedFailsItsCommitAndLeavesNothing(RabbitMq broker)
      throws Exception {
    String queue = broker.queueName("tx");
    Channel direct = direct(broker);
    direct.queueDeclare(QueueSpec.named(queue));
    Connection connection = open(throughProxy(broker).build());
    Channel channel = connection.openChannel();
    channel.txSelect();
    channel.basicPublish("", queue, null, "before".getBytes(UTF_8));

    proxy.cut();
    events.awaitRecovery();
    channel.basicPublish("", queue, null, "after".getBytes(UTF_8));
    assertThatThrownBy(channel::txCommit)
        .isInstanceOf(ConnectionRecoveringException.class)
        .hasMessageContaining("do the transaction's work again");
    assertThat(direct.queueDeclarePassive(queue).messageCount()).isZero();

    // Done again, it commits.
    channel.basicPublish("", queue, null, "again".getBytes(UTF_8));
    channel.txCommit();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> direct.queueDeclarePassive(queue).messageCount() == 1);
    assertThat(new String(direct.basicGetAutoAck(queue).orElseThrow().body(), UTF_8))
        .isEqualTo("again");
  }

  @Test
  void sequenceNumbersKeepGrowingAcrossARecovery(RabbitMq broker) throws Exception {
    String queue = broker.queueName("numbers");
    direct(broker).queueDeclare(QueueSpec.named(queue));
    Connection connection = open(throughProxy(broker).build());
    Channel channel = connection.openChannel();
    channel.confirmSelect();
    List<Long> acked = new CopyOnWriteArrayList<>();
    channel.addConfirmListener(
        new ConfirmListener() {
          @Override
          public void acked(long sequenceNumber, boolean multiple) {
            acked.add(sequenceNumber);
          }

          @Override
          public void nacked(long sequenceNumber, boolean multiple) {}
        });
    for (int i = 0; i < 3; i++) channel.basicPublish("", queue, null, new byte[1]);
    channel.waitForConfirms(Duration.ofSeconds(10));
    assertThat(channel.nextPublishSequenceNumber()).isEqualTo(4);

    proxy.cut();
    events.awaitRecovery();
    channel.basicPublish("", queue, null, new byte[1]);
    channel.waitForConfirms(Duration.ofSeconds(10));

    assertThat(channel.nextPublishSequenceNumber()).isEqualTo(5);
    await().atMost(Duration.ofSeconds(5)).until(() -> acked.contains(4L));
    assertThat(acked).isSorted().allMatch(n -> n >= 1 && n <= 4);
  }

  @Test
  void aConsumerCancelledWhileRecoveringStaysCancelled(RabbitMq broker) throws Exception {
    String queue = broker.queueName("cancelled");
    Channel direct = direct(broker);
    direct.queueDeclare(QueueSpec.named(queue));
    Connection connection = open(throughProxy(broker).build());
    Channel channel = connection.openChannel();
    BlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
    CompletableFuture<CloseInitiator> cancelled = new CompletableFuture<>();
    String tag =
        channel.basicConsume(
            queue,
            ConsumeOptions.defaults().autoAck(),
            new DeliveryHandler() {
              @Override
              public void handle(Delivery delivery) {
                received.add(delivery);
              }

              @Override
              public void cancelled(String consumerTag, CloseInitiator initiator) {
                cancelled.complete(initiator);
              }
            });

    proxy.refuse(true);
    proxy.cut();
    await().atMost(Duration.ofSeconds(10)).until(() -> events.heard.contains("reconnecting 1"));
    CompletableFuture<Void> cancel = CompletableFuture.runAsync(() -> channel.basicCancel(tag));
    proxy.refuse(false);

    assertThat(cancel).succeedsWithin(Duration.ofSeconds(20));
    assertThat(cancelled)
        .succeedsWithin(Duration.ofSeconds(10))
        .isEqualTo(CloseInitiator.APPLICATION);
    events.awaitRecovery();
    direct.basicPublish("", queue, null, new byte[1]);
    assertThat(received.poll(1, TimeUnit.SECONDS))
        .as("no delivery to a cancelled consumer")
        .isNull();
    assertThat(direct.queueDeclarePassive(queue).consumerCount()).isZero();
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void anApplicationCloseIsNotRecovered(RabbitMq broker) throws Exception {
    Connection connection = open(throughProxy(broker).build());
    Channel channel = connection.openChannel();
    connection.close();

    await().atMost(Duration.ofSeconds(10)).until(() -> events.heard.contains("closed APPLICATION"));
    assertThat(events.heard).containsExactly("closed APPLICATION");
    assertThat(channel.isOpen()).isFalse();
    assertThat(proxy.openConnections()).isZero();
  }

  @Test
  void aConnectionLevelErrorTheApplicationCausedIsNotRecovered(RabbitMq broker) throws Exception {
    Connection connection = open(throughProxy(broker).build());
    Channel channel = connection.openChannel();

    // channel.flow(false) is not implemented by RabbitMQ: 540, a connection-level error.
    assertThatThrownBy(() -> channel.channelFlow(false)).isInstanceOf(AmqpException.class);

    await().atMost(Duration.ofSeconds(10)).until(() -> !connection.isOpen());
    assertThat(connection.closeCause().replyCode()).isEqualTo(540);
    assertThat(events.heard).containsExactly("closed BROKER");
  }
}
