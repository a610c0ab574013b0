package dev.amqpkit.amqp10;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.common.Backoff;
import dev.amqpkit.common.Recovery;
import dev.amqpkit.testkit.FaultProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Self-healing connections against an embedded Apache Artemis behind a TCP fault proxy: recovery as
 * a second broker sees it.
 */
@Timeout(value = 60, unit = SECONDS)
class ArtemisRecoveryIT {
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static EmbeddedBroker broker;

  private FaultProxy proxy;
  private final RecoveryEvents events = new RecoveryEvents();
  private final List<Connection> connections = new ArrayList<>();

  @BeforeAll
  @Timeout(value = 30, unit = SECONDS)
  static void startBroker() {
    broker = EmbeddedBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) broker.close();
  }

  @BeforeEach
  void startProxy() throws Exception {
    proxy = FaultProxy.start("127.0.0.1", broker.port());
  }

  @AfterEach
  void close() {
    connections.forEach(Connection::close);
    proxy.close();
  }

  private Connection throughProxy() {
    Connection c =
        Connection.open(
            ConnectionOptions.builder()
                .endpoint(proxy.host(), proxy.port())
                .recovery(Recovery.builder().backoff(Backoff.fixed(Duration.ofMillis(100))).build())
                .build());
    c.addListener(events);
    connections.add(c);
    return c;
  }

  private Session direct() {
    Connection c = Connection.open(broker.uri());
    connections.add(c);
    return c.openSession();
  }

  private static String address(String hint) {
    return "artemis-recovery-it." + hint + "." + NAMES.incrementAndGet();
  }

  @Test
  void aDeliveryTakenBeforeACutComesAgainAndSettlingTheOldOneDoesNothing() throws Exception {
    String address = address("redelivered");
    Sender sender = direct().openSender(address);
    assertThat(sender.send(Message.builder().text("once").build()).get(10, SECONDS))
        .isEqualTo(Outcome.ACCEPTED);
    Receiver receiver = throughProxy().openSession().openReceiver(address);
    Delivery first = receiver.receive(Duration.ofSeconds(10));

    proxy.cut();
    events.awaitRecovery();
    Delivery again = receiver.receive(Duration.ofSeconds(10));
    assertThat(again).as("delivered again on the recovered link").isNotNull();
    assertThat(new String(again.message().bodyBytes(), UTF_8)).isEqualTo("once");

    first.accept();
    assertThatThrownBy(() -> first.settlement().get(5, SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(StaleDeliveryException.class);
    again.accept();
    assertThat(again.settlement()).succeedsWithin(Duration.ofSeconds(5));
    assertThat(receiver.receive(Duration.ofMillis(300))).isNull();
  }

  @Test
  void sendsThatAwaitedAnOutcomeAreSentAgainAfterACut() throws Exception {
    String address = address("resend");
    Sender sender = throughProxy().openSession().openSender(address);
    List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      outcomes.add(sender.send(Message.ofData(Integer.toString(i).getBytes(UTF_8))));
      if (i == 500) proxy.cut();
    }
    for (CompletableFuture<Outcome> f : outcomes) {
      assertThat(f.get(30, SECONDS)).isEqualTo(Outcome.ACCEPTED);
    }
    assertThat(events.recovered.get()).isEqualTo(1);

    Receiver receiver = direct().openReceiver(address);
    Set<Integer> received = new HashSet<>();
    int deliveries = 0;
    while (received.size() < 1_000) {
      Delivery d = receiver.receive(Duration.ofSeconds(10));
      assertThat(d).as("%d of 1000 received", received.size()).isNotNull();
      received.add(Integer.parseInt(new String(d.message().bodyBytes(), UTF_8)));
      deliveries++;
      d.accept();
    }
    System.out.printf(
        "ArtemisRecoveryIT: 1000 sends across a cut: %d deliveries, %d duplicates%n",
        deliveries, deliveries - 1_000);
  }
}
