package dev.amqpkit.amqp10;

import static dev.amqpkit.amqp10.LinkTestSupport.WAIT;
import static dev.amqpkit.amqp10.LinkTestSupport.flow;
import static dev.amqpkit.amqp10.LinkTestSupport.receiverDisposition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.common.Backoff;
import dev.amqpkit.common.Recovery;
import dev.amqpkit.testkit.amqp10.Performatives;
import dev.amqpkit.testkit.amqp10.ScriptedPeer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Self-healing connections against scripted peers: what no broker does on demand, such as a close
 * with a chosen error, and exactly what goes out again on the next connection.
 */
class RecoveryTest {
  private final ScriptedPeer first = new ScriptedPeer();
  private final ScriptedPeer second = new ScriptedPeer();
  private final RecoveryEvents events = new RecoveryEvents();
  private Connection connection;

  RecoveryTest() throws IOException {}

  @AfterEach
  void close() throws Exception {
    if (connection != null) connection.close();
    first.close();
    second.close();
  }

  /** The first peer, then the second: a recovery reaches the second once the first is done. */
  private Connection open() {
    return open(Recovery.builder().backoff(Backoff.fixed(Duration.ofMillis(50))).maxAttempts(20));
  }

  private Connection open(Recovery.Builder recovery) {
    connection =
        Connection.open(
            ConnectionOptions.builder()
                .endpoint(first.host(), first.port())
                .endpoint(second.host(), second.port())
                .saslMechanism(SaslMechanism.NONE)
                .idleTimeout(Duration.ZERO)
                .connectTimeout(Duration.ofMillis(500))
                .requestTimeout(Duration.ofSeconds(2))
                .closeTimeout(Duration.ofMillis(500))
                .recovery(recovery.build())
                .build());
    connection.addListener(events);
    return connection;
  }

  /** The peer opens, begins, attaches the client's sender and gives it ten credits. */
  private static ScriptedPeer attachedWithCredit(ScriptedPeer peer) {
    return peer.openHandshake().acceptBegin().acceptAttach().send(flow(0, 0, 10));
  }

  private static Message text(String text) {
    return Message.ofData(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aCloseWithConnectionForcedIsRecoveredAndTheSendAwaitingItsOutcomeGoesOutAgain()
      throws Exception {
    AtomicReference<ScriptedPeer.Delivery> before = new AtomicReference<>();
    AtomicReference<ScriptedPeer.Delivery> after = new AtomicReference<>();
    attachedWithCredit(first)
        .expectDelivery(0, before::set)
        .send(Performatives.close(Performatives.error("amqp:connection:forced", "restarting")))
        .expectPerformative(Performatives.CLOSE, 0)
        .start();
    attachedWithCredit(second)
        .expectDelivery(0, after::set)
        .send(receiverDisposition(0, null, Performatives.accepted()))
        .start();
    Sender sender = open().openSession().openSender("q");

    CompletableFuture<Outcome> outcome = sender.send(text("kept"));
    assertThat(outcome.get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.ACCEPTED);
    assertThat(after.get().payload()).isEqualTo(before.get().payload());
    await().atMost(WAIT).until(() -> events.heard.contains("recovered"));
    assertThat(events.heard.get(0)).isEqualTo("disconnected PEER");
    assertThat(sender.isOpen()).isTrue();
    assertThat(sender.unsettled()).isZero();
    second.awaitDone(WAIT);
  }

  @Test
  void settledSendsMadeWhileRecoveringGoOutSettled() throws Exception {
    List<ScriptedPeer.Delivery> after = new CopyOnWriteArrayList<>();
    attachedWithCredit(first)
        .delay(Duration.ofMillis(300)) // after openSender returned
        .send(Performatives.close(Performatives.error("amqp:connection:forced", "restarting")))
        .expectPerformative(Performatives.CLOSE, 0)
        .start();
    attachedWithCredit(second).expectDelivery(0, after::add).expectDelivery(0, after::add).start();
    // A second before the attempt: the sends below are made while the link recovers.
    Connection c =
        open(Recovery.builder().backoff(Backoff.fixed(Duration.ofSeconds(1))).bufferedPublishes(1));
    Sender sender =
        c.openSession()
            .openSender(
                SenderOptions.builder().address("q").settleMode(SenderSettleMode.SETTLED).build());
    await().atMost(WAIT).until(() -> events.heard.contains("reconnecting 1"));

    // The first waits in the buffer; the second for room in it, until the link is back.
    CompletableFuture<Outcome> buffered = sender.send(text("one"));
    CompletableFuture<CompletableFuture<Outcome>> waiting =
        LinkTestSupport.waitingSend(sender, text("two"));
    assertThat(buffered).isNotDone();

    assertThat(buffered.get(10, TimeUnit.SECONDS)).isNull();
    assertThat(waiting.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS)).isNull();
    second.awaitDone(WAIT);
    assertThat(after).hasSize(2);
    for (ScriptedPeer.Delivery d : after) {
      assertThat(d.first().field("settled")).as("sent settled").isEqualTo(true);
    }
    assertThat(sender.unsettled()).isZero();
  }

  @Test
  void aCloseWithAnErrorTheNextAttemptWouldMeetAgainIsForGood() throws Exception {
    attachedWithCredit(first)
        .expectDelivery(0, d -> {})
        .send(Performatives.close(Performatives.error("amqp:unauthorized-access", "revoked")))
        .expectPerformative(Performatives.CLOSE, 0)
        .start();
    Sender sender = open().openSession().openSender("q");

    CompletableFuture<Outcome> outcome = sender.send(text("refused"));
    await().atMost(WAIT).until(() -> events.heard.contains("closed PEER"));
    assertThat(events.heard).containsExactly("closed PEER");
    assertThatThrownBy(() -> outcome.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(SessionClosedException.class)
        .hasMessageContaining("amqp:unauthorized-access");
    assertThat(connection.closeCause().error().condition().toString())
        .isEqualTo("amqp:unauthorized-access");
    assertThatThrownBy(() -> sender.send(text("after"))).isInstanceOf(SessionClosedException.class);
    assertThat(second.received()).isEmpty();
  }

  @Test
  void aSessionThePeerEndsWithAnotherErrorIsForGoodAndTheConnectionGoesOn() throws Exception {
    first
        .openHandshake()
        .acceptBegin()
        .acceptAttach()
        .delay(Duration.ofMillis(300)) // after openSender returned
        .send(Performatives.end(0, Performatives.error("amqp:not-allowed", "no")))
        .expectPerformative(Performatives.END, 0)
        .acceptBegin()
        .start();
    Connection c = open();
    Session session = c.openSession();
    Sender sender = session.openSender("q");

    await().atMost(WAIT).until(() -> !session.isOpen());
    assertThat(session.closeCause().error().condition().toString()).isEqualTo("amqp:not-allowed");
    assertThatThrownBy(() -> sender.send(text("x"))).isInstanceOf(SessionClosedException.class);
    assertThat(c.isOpen()).isTrue();
    assertThat(c.openSession().isOpen()).isTrue();
    assertThat(events.heard).isEmpty();
  }
}
