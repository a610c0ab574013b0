package dev.amqpkit.amqp10;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.amqpkit.common.Backoff;
import dev.amqpkit.common.Recovery;
import dev.amqpkit.testkit.BrokerAdmin;
import dev.amqpkit.testkit.BrokerEndpoint;
import dev.amqpkit.testkit.FaultProxy;
import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RabbitMqControl;
import dev.amqpkit.testkit.RequiresRabbitMq;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Self-healing AMQP 1.0 connections against RabbitMQ's AMQP 1.0 plugin, with real faults: a TCP
 * proxy that cuts, refuses or stalls connections, and the broker closing what it serves.
 */
@RequiresRabbitMq
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RecoveryIT {
  private static final Recovery FAST =
      Recovery.builder().backoff(Backoff.fixed(Duration.ofMillis(100))).build();

  private FaultProxy proxy;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final RecoveryEvents events = new RecoveryEvents();

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
    BrokerEndpoint b = broker.endpoint();
    return ConnectionOptions.builder()
        .endpoint(proxy.host(), proxy.port())
        .credentials(b.username(), b.password())
        .recovery(FAST);
  }

  private Connection open(ConnectionOptions options) {
    Connection connection = Connection.open(options);
    connection.addListener(events);
    toClose.add(connection);
    return connection;
  }

  /** A session straight to the broker, without recovery, to watch what reaches it. */
  private Session direct(RabbitMq broker) {
    Connection connection =
        Connection.open(
            ConnectionOptions.fromUri(broker.uri())
                .newBuilder()
                .recovery(Recovery.disabled())
                .build());
    toClose.add(connection);
    return connection.openSession();
  }

  private static String queue(RabbitMq broker, String hint) {
    String queue = broker.queueName(hint);
    broker.admin().declareQueue(queue);
    broker.deleteQueueAfterTest(queue);
    return "/amq/queue/" + queue;
  }

  private static Message numbered(int n) {
    return Message.ofData(Integer.toString(n).getBytes(UTF_8));
  }

  private static int number(Delivery d) {
    return Integer.parseInt(new String(d.message().bodyBytes(), UTF_8));
  }

  /** Receives until {@code count} distinct numbers arrived; returns them in arrival order. */
  private static List<Integer> receiveAll(Receiver receiver, int count) {
    List<Integer> arrived = new ArrayList<>();
    Set<Integer> distinct = new HashSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (distinct.size() < count) {
      assertThat(System.nanoTime()).as("all %d arrived within 30 s", count).isLessThan(deadline);
      Delivery d = receiver.receive(Duration.ofSeconds(1));
      if (d == null) continue;
      int n = number(d);
      arrived.add(n);
      distinct.add(n);
      d.accept();
    }
    return arrived;
  }

  @Test
  void sendsThatAwaitedAnOutcomeWhenTheConnectionWasCutAreSentAgain(RabbitMq broker)
      throws Exception {
    String address = queue(broker, "resend");
    Connection connection = open(throughProxy(broker).build());
    Session session = connection.openSession();
    Sender sender = session.openSender(address);
    List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      outcomes.add(sender.send(numbered(i)));
      if (i == 1_000) assertThat(proxy.cut()).isEqualTo(1);
    }
    for (CompletableFuture<Outcome> f : outcomes) {
      assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.ACCEPTED);
    }
    assertThat(events.heard).startsWith("disconnected NETWORK", "reconnecting 1");
    await().atMost(Duration.ofSeconds(10)).until(() -> events.heard.contains("recovered"));
    assertThat(proxy.accepted()).isEqualTo(2);
    assertThat(connection.isOpen()).isTrue();
    assertThat(session.isOpen()).isTrue();
    assertThat(sender.isOpen()).isTrue();
    assertThat(sender.unsettled()).isZero();

    Receiver receiver = direct(broker).openReceiver(address);
    List<Integer> arrived = receiveAll(receiver, 2_000);
    System.out.printf(
        "RecoveryIT: 2000 sends across a cut: %d deliveries, %d duplicates%n",
        arrived.size(), arrived.size() - 2_000);
  }

  @Test
  void sendsMadeWhileRecoveringWaitAndGoOutInTheirOrder(RabbitMq broker) throws Exception {
    String address = queue(broker, "buffered");
    Connection connection = open(throughProxy(broker).build());
    Sender sender = connection.openSession().openSender(address);
    sender.send(numbered(-1)).get(10, TimeUnit.SECONDS);

    proxy.refuse(true);
    proxy.cut();
    await().atMost(Duration.ofSeconds(10)).until(() -> events.heard.contains("reconnecting 2"));
    List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
    for (int i = 0; i < 100; i++) outcomes.add(sender.send(numbered(i)));
    assertThat(sender.unsettled()).isEqualTo(100);
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> outcomes.stream().noneMatch(CompletableFuture::isDone));

    proxy.refuse(false);
    for (CompletableFuture<Outcome> f : outcomes) {
      assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.ACCEPTED);
    }
    Receiver receiver = direct(broker).openReceiver(address);
    List<Integer> arrived = receiveAll(receiver, 101);
    assertThat(arrived).hasSize(101).isSorted();
  }

  @Test
  void withNoBufferASendWhileRecoveringFailsAtOnce(RabbitMq broker) throws Exception {
    String address = queue(broker, "nobuffer");
    Connection connection =
        open(throughProxy(broker).recovery(FAST.newBuilder().bufferedPublishes(0).build()).build());
    Sender sender = connection.openSession().openSender(address);

    proxy.refuse(true);
    proxy.cut();
    await().atMost(Duration.ofSeconds(10)).until(() -> events.heard.contains("reconnecting 1"));
    assertThatThrownBy(() -> sender.send(numbered(1)))
        .isInstanceOf(ConnectionRecoveringException.class)
        .hasMessageContaining("bufferedPublishes() is 0");

    proxy.refuse(false);
    events.awaitRecovery();
    assertThat(sender.send(numbered(2)).get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.ACCEPTED);
  }

  @Test
  void aFullBufferMakesTheSenderWaitThenTimesOut(RabbitMq broker) throws Exception {
    String address = queue(broker, "fullbuffer");
    Connection connection =
        open(
            throughProxy(broker)
                .recovery(FAST.newBuilder().bufferedPublishes(3).build())
                .requestTimeout(Duration.ofMillis(500))
                .build());
    Sender sender = connection.openSession().openSender(address);

    proxy.refuse(true);
    proxy.cut();
    await().atMost(Duration.ofSeconds(10)).until(() -> events.heard.contains("reconnecting 1"));
    List<CompletableFuture<Outcome>> buffered = new ArrayList<>();
    for (int i = 0; i < 3; i++) buffered.add(sender.send(numbered(i)));
    long start = System.nanoTime();
    assertThatThrownBy(() -> sender.send(numbered(3)))
        .isInstanceOf(AmqpTimeoutException.class)
        .hasMessageContaining("3 sends already wait")
        .hasMessageContaining("the message was not sent");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isBetween(Duration.ofMillis(400), Duration.ofSeconds(5));

    proxy.refuse(false);
    for (CompletableFuture<Outcome> f : buffered) {
      assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.ACCEPTED);
    }
  }

  @Test
  void aReceiverComesBackAndSettlingADeliveryFromBeforeIsAReportedNoOp(RabbitMq broker)
      throws Exception {
    String address = queue(broker, "stale");
    Sender direct = direct(broker).openSender(address);
    for (int i = 0; i < 5; i++) direct.send(numbered(i)).get(10, TimeUnit.SECONDS);
    Connection connection = open(throughProxy(broker).build());
    Receiver receiver =
        connection.openSession().openReceiver(ReceiverOptions.builder().address(address).build());
    Delivery before = receiver.receive(Duration.ofSeconds(10));
    assertThat(number(before)).isZero();

    proxy.cut();
    events.awaitRecovery();
    before.accept(); // no exception: a local no-op, reported on the settlement
    assertThatThrownBy(() -> before.settlement().get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(StaleDeliveryException.class)
        .hasMessageContaining("settling it here did nothing");
    assertThatThrownBy(before::accept).isInstanceOf(IllegalStateException.class);

    // The five come again, the one taken before the cut among them, on the same receiver.
    assertThat(receiveAll(receiver, 5)).containsExactly(0, 1, 2, 3, 4);
    assertThat(receiver.isOpen()).isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> broker.admin().messageCount(address.substring(11)) == 0);
  }

  @Test
  void aReceiveWaitingWhenTheLinkFailsWaitsForTheRecoveredLink(RabbitMq broker) throws Exception {
    String address = queue(broker, "waiting");
    Connection connection = open(throughProxy(broker).build());
    Receiver receiver = connection.openSession().openReceiver(address);
    CompletableFuture<Delivery> received =
        LinkTestSupport.waitingReceive(receiver, Duration.ofSeconds(30));
    proxy.cut();
    events.awaitRecovery();
    assertThat(received).isNotDone();
    direct(broker).openSender(address).send(numbered(7)).get(10, TimeUnit.SECONDS);
    Delivery d = received.get(20, TimeUnit.SECONDS);
    assertThat(number(d)).isEqualTo(7);
    d.accept();
    assertThat(d.settlement()).succeedsWithin(Duration.ofSeconds(5));
  }

  @Test
  void manualCreditIsGrantedAgainOnTheRecoveredLink(RabbitMq broker) throws Exception {
    String address = queue(broker, "credit");
    Connection connection = open(throughProxy(broker).build());
    Receiver receiver =
        connection
            .openSession()
            .openReceiver(ReceiverOptions.builder().address(address).manualCredit().build());
    receiver.addCredit(3);
    proxy.cut();
    events.awaitRecovery();
    receiver.addCredit(1);
    assertThat(receiver.credit()).isEqualTo(4);

    Sender direct = direct(broker).openSender(address);
    for (int i = 0; i < 6; i++) direct.send(numbered(i)).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.prefetched() == 4);
    // And no more: the credit is spent.
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> receiver.prefetched() == 4);
    assertThat(receiver.credit()).isZero();
  }

  @Test
  void recoveryGivesUpAfterItsAttemptsAndFailsWhatWaits(RabbitMq broker) throws Exception {
    String address = queue(broker, "giveup");
    Connection connection =
        open(
            throughProxy(broker)
                .recovery(
                    Recovery.builder()
                        .backoff(Backoff.fixed(Duration.ofMillis(50)))
                        .maxAttempts(2)
                        .build())
                .build());
    Session session = connection.openSession();
    Sender sender = session.openSender(address);
    Receiver receiver = session.openReceiver(address);

    proxy.refuse(true);
    proxy.cut();
    CompletableFuture<Outcome> waiting = sender.send(numbered(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> events.heard.contains("closed NETWORK"));
    assertThat(events.heard)
        .containsExactly(
            "disconnected NETWORK",
            "reconnecting 1",
            "reconnecting 2",
            "gave up",
            "closed NETWORK");
    assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(SessionClosedException.class)
        .hasMessageContaining("gave up recovering the connection after 2 attempt(s)");
    assertThat(connection.isOpen()).isFalse();
    assertThat(connection.closeCause()).hasMessageContaining("gave up");
    assertThat(session.isOpen()).isFalse();
    assertThat(sender.isOpen()).isFalse();
    assertThatThrownBy(() -> sender.send(numbered(2))).isInstanceOf(SessionClosedException.class);
    assertThatThrownBy(() -> receiver.receive(Duration.ofSeconds(1)))
        .isInstanceOf(SessionClosedException.class);
    assertThat(proxy.openConnections()).isZero();
  }

  @Test
  void anApplicationCloseIsNotRecovered(RabbitMq broker) throws Exception {
    String address = queue(broker, "appclose");
    Connection connection = open(throughProxy(broker).build());
    Sender sender = connection.openSession().openSender(address);
    connection.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> events.heard.contains("closed APPLICATION"));
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> events.heard.equals(List.of("closed APPLICATION")));
    assertThat(proxy.accepted()).isEqualTo(1);
    assertThatThrownBy(() -> sender.send(numbered(1)))
        .isInstanceOf(SessionClosedException.class)
        .hasCauseInstanceOf(ConnectionClosedException.class);
  }

  @Test
  void aSessionTheBrokerEndsIsBegunAgainOnTheSameConnection(RabbitMq broker) throws Exception {
    assumeTrue(
        RabbitMqControl.availableFor(broker.endpoint()), "needs rabbitmqctl for the local broker");
    String address = queue(broker, "sessionend");
    Connection connection = open(throughProxy(broker).build());
    Session session = connection.openSession();
    Sender sender = session.openSender(address);
    Receiver receiver = session.openReceiver(address);
    assertThat(sender.send(numbered(1)).get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.ACCEPTED);

    // RabbitMQ 3.10 closes the internal connection behind the session: amqp:internal-error.
    RabbitMqControl.closeAllConnections();
    events.awaitRecovery();
    assertThat(events.heard).containsExactly("session recovered");
    assertThat(proxy.accepted()).isEqualTo(1); // the same TCP connection
    assertThat(sender.send(numbered(2)).get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.ACCEPTED);
    assertThat(receiveAll(receiver, 2)).contains(1, 2);
  }

  @Test
  void aLinkThePeerRefusesWhenRecoveringIsLostAndTheOthersGoOn(RabbitMq broker) throws Exception {
    String gone = queue(broker, "gone");
    String kept = queue(broker, "kept");
    Connection connection = open(throughProxy(broker).build());
    Session session = connection.openSession();
    Receiver doomed = session.openReceiver(gone);
    Sender sender = session.openSender(kept);
    Receiver receiver = session.openReceiver(kept);

    proxy.refuse(true);
    proxy.cut();
    await().atMost(Duration.ofSeconds(10)).until(() -> events.heard.contains("reconnecting 1"));
    try (BrokerAdmin admin = BrokerAdmin.open(broker.endpoint(), Duration.ofSeconds(10))) {
      admin.deleteQueue(gone.substring(11));
    }
    proxy.refuse(false);
    events.awaitRecovery();

    assertThat(events.heard).contains("link lost " + doomed.name());
    assertThat(doomed.isOpen()).isFalse();
    assertThat(doomed.closeCause())
        .isInstanceOf(SessionClosedException.class)
        .hasMessageContaining("amqp:not-found");
    assertThatThrownBy(() -> doomed.receive(Duration.ofMillis(100)))
        .isInstanceOf(SessionClosedException.class);
    assertThat(session.isOpen()).isTrue();
    assertThat(sender.send(numbered(3)).get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.ACCEPTED);
    assertThat(receiveAll(receiver, 1)).containsExactly(3);
  }

  @Test
  void aStalledNetworkIsNoticedByTheIdleTimeoutAndRecovered(RabbitMq broker) throws Exception {
    String address = queue(broker, "stall");
    Connection connection = open(throughProxy(broker).idleTimeout(Duration.ofSeconds(1)).build());
    Sender sender = connection.openSession().openSender(address);
    proxy.stallUntil(() -> events.disconnected.get() == 1, Duration.ofSeconds(10));
    events.awaitRecovery();
    assertThat(events.heard.get(0)).isEqualTo("disconnected NETWORK");
    assertThat(sender.send(numbered(1)).get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.ACCEPTED);
  }

  @Test
  void aRefusedLoginEndsRecoveryUnlessToldToRetryIt(RabbitMq broker) throws Exception {
    assumeTrue(
        RabbitMqControl.availableFor(broker.endpoint()), "needs rabbitmqctl for the local broker");
    String user = "amqpkit-recovery10-" + System.nanoTime();
    RabbitMqControl.addUser(user, "first", broker.endpoint().virtualHost());
    try {
      ConnectionOptions.Builder asUser =
          ConnectionOptions.builder()
              .endpoint(proxy.host(), proxy.port())
              .credentials(user, "first");
      RecoveryEvents retrying = new RecoveryEvents();
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
      assertThat(patient.openSession().isOpen()).isTrue();
    } finally {
      RabbitMqControl.deleteUser(user);
    }
  }
}
