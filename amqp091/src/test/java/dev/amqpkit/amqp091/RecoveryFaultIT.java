package dev.amqpkit.amqp091;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.amqpkit.common.Backoff;
import dev.amqpkit.common.Recovery;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * At least once, end to end, under real faults: 100,000 messages with unique ids published with
 * confirms and consumed at the same time, while the connections are cut, stalled until heartbeats
 * expire, closed by the broker, and the broker restarted. Every confirmed id must be consumed; a
 * publish that failed is reported with its reason; duplicates are counted and printed.
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

  /** Counts a connection's recoveries and losses. */
  static final class Watch implements ConnectionListener {
    final AtomicInteger disconnected = new AtomicInteger();
    final AtomicInteger recovered = new AtomicInteger();

    @Override
    public void disconnected(ConnectionClosedException cause) {
      disconnected.incrementAndGet();
    }

    @Override
    public void recovered() {
      recovered.incrementAndGet();
    }
  }

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

  private Connection open(RabbitMq broker, String name, Watch watch) {
    Connection connection =
        Connection.open(
            ConnectionOptions.builder()
                .uri(broker.uri())
                .endpoints(List.of(new Endpoint(proxy.host(), proxy.port())))
                .connectionName(name)
                .heartbeat(Duration.ofSeconds(1))
                .connectionTimeout(Duration.ofSeconds(2))
                .recovery(Recovery.builder().backoff(Backoff.fixed(Duration.ofMillis(200))).build())
                .build());
    connection.addListener(watch);
    connections.add(connection);
    return connection;
  }

  @Test
  void everyConfirmedMessageIsConsumedThroughEveryKindOfFault(RabbitMq broker) throws Exception {
    String queue = broker.queueName("faults");
    String prefix = "amqpkit-fault-" + System.nanoTime();
    Watch publisherWatch = new Watch();
    Watch consumerWatch = new Watch();
    Connection publisherConnection = open(broker, prefix + "-publisher", publisherWatch);
    Connection consumerConnection = open(broker, prefix + "-consumer", consumerWatch);

    // Durable and persistent: what the broker confirmed survives its restarts.
    Channel consumer = consumerConnection.openChannel();
    consumer.queueDeclare(QueueSpec.named(queue).durable());
    consumer.basicQos(500);
    Set<Integer> consumed = ConcurrentHashMap.newKeySet();
    AtomicLong duplicates = new AtomicLong();
    AtomicLong delivered = new AtomicLong();
    consumer.basicConsume(
        queue,
        d -> {
          int id = Integer.parseInt(new String(d.body(), UTF_8));
          if (!consumed.add(id)) duplicates.incrementAndGet();
          if (delivered.incrementAndGet() % 50 == 0) consumer.basicAckUpTo(d.deliveryTag());
        });

    Channel publisher = publisherConnection.openChannel();
    publisher.confirmSelect(1_000);
    BasicProperties persistent = BasicProperties.builder().persistent().build();

    List<String> faults = FaultSchedule.of(CUTS, BROKER_CLOSES, STALLS);

    List<CompletableFuture<Void>> confirms = new ArrayList<>(MESSAGES);
    ExecutorService publishing = Executors.newSingleThreadExecutor();
    int chunk = MESSAGES / (faults.size() + 1);
    int next = 0;
    long start = System.nanoTime();
    Map<String, Integer> injected = new ConcurrentHashMap<>();
    for (String fault : faults) {
      int from = next;
      int to = next + chunk;
      next = to;
      Future<?> publishingChunk =
          publishing.submit(() -> publish(publisher, queue, persistent, from, to, confirms));
      Thread.sleep(20); // the fault hits with publishes in flight
      int publisherRecoveries = publisherWatch.recovered.get();
      int consumerRecoveries = consumerWatch.recovered.get();
      inject(fault, prefix, publisherWatch, consumerWatch);
      injected.merge(fault, 1, Integer::sum);
      publishingChunk.get(60, TimeUnit.SECONDS);
      // Both connections are back before the next fault.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  publisherWatch.recovered.get() > publisherRecoveries
                      && (fault.equals("broker-close")
                          || consumerWatch.recovered.get() > consumerRecoveries));
    }
    int from = next;
    publishing.submit(() -> publish(publisher, queue, persistent, from, MESSAGES, confirms)).get();
    publishing.shutdown();
    publisher.waitForConfirms(Duration.ofSeconds(60));

    List<String> failures = new ArrayList<>();
    Set<Integer> confirmed = ConcurrentHashMap.newKeySet();
    for (int id = 0; id < MESSAGES; id++) {
      CompletableFuture<Void> f = confirms.get(id);
      if (!f.isCompletedExceptionally()) {
        confirmed.add(id);
      } else {
        int failed = id;
        f.exceptionally(
            e -> {
              failures.add(failed + ": " + e);
              return null;
            });
      }
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> consumed.containsAll(confirmed));
    Set<Integer> lost = ConcurrentHashMap.newKeySet();
    lost.addAll(confirmed);
    lost.removeAll(consumed);

    System.out.printf(
        "RecoveryFaultIT: %d messages, faults %s, in %d s; publisher recovered %d times,"
            + " consumer %d; confirmed %d, failed %d, lost %d, duplicates %d%n",
        MESSAGES,
        injected,
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start),
        publisherWatch.recovered.get(),
        consumerWatch.recovered.get(),
        confirmed.size(),
        failures.size(),
        lost.size(),
        duplicates.get());
    failures.stream().limit(20).forEach(f -> System.out.println("  failed " + f));
    assertThat(injected)
        .containsEntry("cut", CUTS)
        .containsEntry("broker-close", BROKER_CLOSES)
        .containsEntry("stall", STALLS)
        .containsEntry("restart", RESTARTS);
    assertThat(lost).as("confirmed but never consumed").isEmpty();
    assertThat(failures).as("publishes that failed, with their reasons").isEmpty();
    assertThat(confirmed).hasSize(MESSAGES);
  }

  private static void publish(
      Channel channel,
      String queue,
      BasicProperties properties,
      int from,
      int to,
      List<CompletableFuture<Void>> confirms) {
    for (int id = from; id < to; id++) {
      CompletableFuture<Void> f =
          channel.basicPublishWithConfirm(
              "", queue, properties, Integer.toString(id).getBytes(UTF_8));
      synchronized (confirms) {
        confirms.add(f);
      }
    }
  }

  private void inject(String fault, String prefix, Watch publisher, Watch consumer)
      throws InterruptedException {
    switch (fault) {
      case "cut" -> assertThat(proxy.cut()).isEqualTo(2);
      case "broker-close" ->
          assertThat(RabbitMqControl.closeConnectionsNamed(prefix + "-publisher")).isEqualTo(1);
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
    Watch watch = new Watch();
    Connection connection = open(broker, "amqpkit-leaks-" + System.nanoTime(), watch);
    Channel channel = connection.openChannel();
    channel.confirmSelect();
    String queue = channel.queueDeclare(QueueSpec.serverNamed().exclusive()).queue();
    channel.basicConsume(queue, ConsumeOptions.defaults().autoAck(), d -> {});
    channel.basicPublishWithConfirm("", queue, null, new byte[1]).get(10, TimeUnit.SECONDS);
    // Callback threads end 5 s after their last task.
    ResourceBaseline.awaitThreadsEnded("amqpkit-callbacks-", Duration.ofSeconds(20));
    ResourceBaseline before = ResourceBaseline.measure();

    for (int i = 0; i < 100; i++) {
      int recovered = watch.recovered.get();
      assertThat(proxy.cut()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(20)).until(() -> watch.recovered.get() > recovered);
      channel.basicPublish("", queue, null, new byte[1]);
    }
    channel.waitForConfirms(Duration.ofSeconds(10));

    ResourceBaseline after = ResourceBaseline.settledTo(before, Duration.ofSeconds(30));
    System.out.printf("RecoveryFaultIT: before 100 recoveries %s, after %s%n", before, after);
    assertThat(after.threads()).isLessThanOrEqualTo(before.threads());
    assertThat(after.sockets()).isLessThanOrEqualTo(before.sockets());
    assertThat(after.heapBytes()).isLessThan(before.heapBytes() + 16L * 1024 * 1024);
  }
}
