package dev.amqpkit.amqp10;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.amqpkit.common.Backoff;
import dev.amqpkit.common.Recovery;
import dev.amqpkit.testkit.BrokerAdmin;
import dev.amqpkit.testkit.BrokerEndpoint;
import dev.amqpkit.testkit.FaultProxy;
import dev.amqpkit.testkit.FaultSchedule;
import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RabbitMqControl;
import dev.amqpkit.testkit.RequiresRabbitMq;
import dev.amqpkit.testkit.ResourceBaseline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * At least once, end to end, over AMQP 1.0 under real faults: 100,000 messages with unique ids sent
 * unsettled and received at the same time, while the connections are cut, stalled until the idle
 * timeout ends them, their sessions closed by the broker, and the broker restarted. Every id whose
 * outcome was accepted must be received; a send that failed is reported with its reason; duplicates
 * are counted and printed.
 */
@RequiresRabbitMq
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RecoveryFaultIT {
  private static final int MESSAGES = 100_000;
  private static final int CUTS = 10;
  private static final int BROKER_CLOSES = 10;
  private static final int STALLS = 10;
  private static final int RESTARTS = FaultSchedule.RESTARTS;

  private FaultProxy proxy;
  private final List<Connection> connections = new ArrayList<>();

  @BeforeEach
  void startProxy(RabbitMq broker) throws Exception {
    assumeTrue(
        RabbitMqControl.availableFor(broker.endpoint()), "needs rabbitmqctl for the local broker");
    proxy = FaultProxy.start(broker.endpoint().host(), broker.endpoint().port());
  }

  @AfterEach
  void close() {
    connections.forEach(Connection::close);
    if (proxy != null) proxy.close();
  }

  private Connection open(RabbitMq broker, RecoveryEvents events) {
    BrokerEndpoint b = broker.endpoint();
    Connection connection =
        Connection.open(
            ConnectionOptions.builder()
                .endpoint(proxy.host(), proxy.port())
                .credentials(b.username(), b.password())
                .idleTimeout(Duration.ofSeconds(1))
                .connectTimeout(Duration.ofSeconds(2))
                .recovery(Recovery.builder().backoff(Backoff.fixed(Duration.ofMillis(200))).build())
                .build());
    connection.addListener(events);
    connections.add(connection);
    return connection;
  }

  @Test
  void everyAcceptedMessageIsReceivedThroughEveryKindOfFault(RabbitMq broker) throws Exception {
    // Durable, and the messages too: what the broker accepted survives its restarts.
    String queue = broker.queueName("faults10");
    try (BrokerAdmin admin = BrokerAdmin.open(broker.endpoint(), Duration.ofSeconds(10))) {
      admin.declareDurableQueue(queue);
    }
    String address = "/amq/queue/" + queue;
    try {
      run(broker, address);
    } finally {
      try (BrokerAdmin admin = BrokerAdmin.open(broker.endpoint(), Duration.ofSeconds(10))) {
        admin.deleteQueue(queue);
      }
    }
  }

  private void run(RabbitMq broker, String address) throws Exception {
    RecoveryEvents publisherEvents = new RecoveryEvents();
    RecoveryEvents consumerEvents = new RecoveryEvents();
    Connection publisherConnection = open(broker, publisherEvents);
    Connection consumerConnection = open(broker, consumerEvents);

    Receiver receiver =
        consumerConnection
            .openSession()
            .openReceiver(ReceiverOptions.builder().address(address).credit(500).build());
    Set<Integer> received = ConcurrentHashMap.newKeySet();
    AtomicLong duplicates = new AtomicLong();
    AtomicBoolean receiving = new AtomicBoolean(true);
    Thread consumer =
        new Thread(
            () -> {
              while (receiving.get()) {
                Delivery d = receiver.receive(Duration.ofMillis(200));
                if (d == null) continue;
                int id = Integer.parseInt(new String(d.message().bodyBytes(), UTF_8));
                if (!received.add(id)) duplicates.incrementAndGet();
                d.accept();
              }
            },
            "fault-consumer");
    consumer.start();

    // As many in flight as the AMQP 0-9-1 fault test's confirm window: what a failure sends again.
    Sender sender =
        publisherConnection
            .openSession()
            .openSender(SenderOptions.builder().address(address).maxInFlight(1_000).build());

    List<String> faults = FaultSchedule.of(CUTS, BROKER_CLOSES, STALLS);

    List<CompletableFuture<Outcome>> outcomes = new ArrayList<>(MESSAGES);
    ExecutorService publishing = Executors.newSingleThreadExecutor();
    int chunk = MESSAGES / (faults.size() + 1);
    int next = 0;
    long start = System.nanoTime();
    Map<String, Integer> injected = new ConcurrentHashMap<>();
    for (String fault : faults) {
      int from = next;
      int to = next + chunk;
      next = to;
      Future<?> publishingChunk = publishing.submit(() -> send(sender, from, to, outcomes));
      Thread.sleep(20); // the fault hits with sends in flight
      int publisherRecoveries =
          publisherEvents.recovered.get() + publisherEvents.sessionsRecovered.get();
      int consumerRecoveries =
          consumerEvents.recovered.get() + consumerEvents.sessionsRecovered.get();
      inject(fault, publisherEvents, consumerEvents);
      injected.merge(fault, 1, Integer::sum);
      publishingChunk.get(60, TimeUnit.SECONDS);
      // Both connections are back before the next fault.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  publisherEvents.recovered.get() + publisherEvents.sessionsRecovered.get()
                          > publisherRecoveries
                      && consumerEvents.recovered.get() + consumerEvents.sessionsRecovered.get()
                          > consumerRecoveries);
    }
    int from = next;
    publishing.submit(() -> send(sender, from, MESSAGES, outcomes)).get();
    publishing.shutdown();

    List<String> failures = new ArrayList<>();
    Set<Integer> accepted = ConcurrentHashMap.newKeySet();
    for (int id = 0; id < MESSAGES; id++) {
      CompletableFuture<Outcome> f = outcomes.get(id);
      try {
        Outcome outcome = f.get(60, TimeUnit.SECONDS);
        if (outcome == Outcome.ACCEPTED) accepted.add(id);
        else failures.add(id + ": " + outcome);
      } catch (Exception e) {
        failures.add(id + ": " + e.getCause());
      }
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> received.containsAll(accepted));
    receiving.set(false);
    consumer.join(5_000);
    Set<Integer> lost = ConcurrentHashMap.newKeySet();
    lost.addAll(accepted);
    lost.removeAll(received);

    System.out.printf(
        "RecoveryFaultIT (AMQP 1.0): %d messages, faults %s, in %d s; publisher recovered %d"
            + " times (sessions %d), consumer %d (sessions %d); accepted %d, failed %d, lost %d,"
            + " duplicates %d%n",
        MESSAGES,
        injected,
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start),
        publisherEvents.recovered.get(),
        publisherEvents.sessionsRecovered.get(),
        consumerEvents.recovered.get(),
        consumerEvents.sessionsRecovered.get(),
        accepted.size(),
        failures.size(),
        lost.size(),
        duplicates.get());
    failures.stream().limit(20).forEach(f -> System.out.println("  failed " + f));
    assertThat(injected)
        .containsEntry("cut", CUTS)
        .containsEntry("broker-close", BROKER_CLOSES)
        .containsEntry("stall", STALLS)
        .containsEntry("restart", RESTARTS);
    assertThat(lost).as("accepted but never received").isEmpty();
    assertThat(failures).as("sends that failed, with their reasons").isEmpty();
    assertThat(accepted).hasSize(MESSAGES);
  }

  private static void send(
      Sender sender, int from, int to, List<CompletableFuture<Outcome>> outcomes) {
    for (int id = from; id < to; id++) {
      Message m =
          Message.builder().durable(true).data(Integer.toString(id).getBytes(UTF_8)).build();
      CompletableFuture<Outcome> f = sender.send(m);
      synchronized (outcomes) {
        outcomes.add(f);
      }
    }
  }

  private void inject(String fault, RecoveryEvents publisher, RecoveryEvents consumer)
      throws InterruptedException {
    switch (fault) {
      case "cut" -> assertThat(proxy.cut()).isEqualTo(2);
      // RabbitMQ 3.10 ends every AMQP 1.0 session with amqp:internal-error.
      case "broker-close" -> RabbitMqControl.closeAllConnections();
      case "stall" -> {
        int p = publisher.disconnected.get();
        int c = consumer.disconnected.get();
        // Silence past the heartbeats or idle timeout of 1 s: both clients notice within seconds.
        proxy.stallUntil(
            () -> publisher.disconnected.get() > p && consumer.disconnected.get() > c,
            Duration.ofSeconds(20));
      }
      case "restart" -> RabbitMqControl.restart(Duration.ofSeconds(1));
      default -> throw new IllegalArgumentException(fault);
    }
  }

  @Test
  void a100RecoveriesLeaveNoThreadSocketOrHeapBehind(RabbitMq broker) throws Exception {
    String queue = broker.queueName("leaks10");
    broker.admin().declareQueue(queue);
    broker.deleteQueueAfterTest(queue);
    String address = "/amq/queue/" + queue;
    RecoveryEvents events = new RecoveryEvents();
    Connection connection = open(broker, events);
    Session session = connection.openSession();
    Sender sender = session.openSender(address);
    Receiver receiver = session.openReceiver(address);
    sender.send(Message.ofData(new byte[1])).get(10, TimeUnit.SECONDS);
    receiver.receive(Duration.ofSeconds(10)).accept();
    // Event threads end 5 s after their last task.
    ResourceBaseline.awaitThreadsEnded("amqpkit-amqp10-events", Duration.ofSeconds(20));
    ResourceBaseline before = ResourceBaseline.measure();

    for (int i = 0; i < 100; i++) {
      int recovered = events.recovered.get();
      assertThat(proxy.cut()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(20)).until(() -> events.recovered.get() > recovered);
      sender.send(Message.ofData(new byte[1]));
    }
    for (int i = 0; i < 100; i++) {
      Delivery d = receiver.receive(Duration.ofSeconds(10));
      assertThat(d).as("message %d of 100", i).isNotNull();
      d.accept();
    }

    ResourceBaseline after = ResourceBaseline.settledTo(before, Duration.ofSeconds(30));
    System.out.printf(
        "RecoveryFaultIT (AMQP 1.0): before 100 recoveries %s, after %s%n", before, after);
    assertThat(after.threads()).isLessThanOrEqualTo(before.threads());
    assertThat(after.sockets()).isLessThanOrEqualTo(before.sockets());
    assertThat(after.heapBytes()).isLessThan(before.heapBytes() + 16L * 1024 * 1024);
  }
}
