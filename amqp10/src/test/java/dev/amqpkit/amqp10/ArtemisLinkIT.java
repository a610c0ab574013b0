package dev.amqpkit.amqp10;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.amqp10.types.Symbol;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Links against an embedded Apache Artemis: what RabbitMQ 3.10 cannot show (drain, the modified
 * outcome, selectors, dynamic nodes, a link refused with its own detach, a settle mode answered
 * differently).
 */
@Timeout(value = 60, unit = SECONDS)
class ArtemisLinkIT {
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static EmbeddedBroker broker;

  @BeforeAll
  @Timeout(value = 30, unit = SECONDS)
  static void startBroker() {
    broker = EmbeddedBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) broker.close();
  }

  private static String address(String hint) {
    return "artemis-link-it." + hint + "." + NAMES.incrementAndGet();
  }

  private static Message text(String text) {
    return Message.builder().text(text).build();
  }

  private static String text(Delivery d) {
    return new String(d.message().bodyBytes(), StandardCharsets.UTF_8);
  }

  private static void sendAll(Session session, String address, String... bodies) throws Exception {
    Sender sender = session.openSender(address);
    for (String body : bodies)
      assertThat(sender.send(text(body)).get(10, SECONDS)).isEqualTo(Outcome.ACCEPTED);
    sender.close();
  }

  @Test
  void drainTakesBackTheCreditThePeerCannotUse() throws Exception {
    String address = address("drain");
    try (Connection c = Connection.open(broker.uri())) {
      Session session = c.openSession();
      sendAll(session, address, "one", "two");
      Receiver receiver =
          session.openReceiver(ReceiverOptions.builder().address(address).manualCredit().build());
      receiver.addCredit(10);

      receiver.drain(Duration.ofSeconds(10));

      // The two messages came before the drain's answer; the other eight credits are gone.
      assertThat(receiver.credit()).isZero();
      assertThat(receiver.prefetched()).isEqualTo(2);
      assertThat(text(receiver.poll())).isEqualTo("one");
      assertThat(text(receiver.poll())).isEqualTo("two");
      assertThat(receiver.poll()).isNull();
      receiver.drain(Duration.ofSeconds(1)); // nothing to drain: returns at once
    }
  }

  @Test
  void settlingWithEachOutcomeDoesWhatItSays() throws Exception {
    String address = address("outcomes");
    try (Connection c = Connection.open(broker.uri())) {
      Session session = c.openSession();
      sendAll(session, address, "failed", "released");
      Receiver receiver = session.openReceiver(address);

      // Artemis may put a settled message back ahead of one it had not sent yet: the test
      // follows each message by its body, whatever the order.
      for (int i = 0; i < 2; i++) {
        Delivery d = receiver.receive(Duration.ofSeconds(10));
        assertThat(d.message().deliveryCount()).isZero();
        if (text(d).equals("failed")) {
          d.modify(true, false, Map.of(Symbol.valueOf("x-opt-reason"), "test"));
        } else {
          d.release();
        }
      }

      // Both come back: the modified one counted as a failed delivery, the released one not.
      List<Delivery> again = new ArrayList<>();
      for (int i = 0; i < 2; i++) again.add(receiver.receive(Duration.ofSeconds(10)));
      Delivery failedAgain =
          again.stream().filter(d -> text(d).equals("failed")).findFirst().orElseThrow();
      Delivery releasedAgain =
          again.stream().filter(d -> text(d).equals("released")).findFirst().orElseThrow();
      assertThat(failedAgain.message().deliveryCount()).isEqualTo(1);
      assertThat(releasedAgain.message().deliveryCount()).isZero();

      // Undeliverable here: not to this link again.
      failedAgain.modify(false, true, Map.of());
      releasedAgain.accept();
      assertThat(receiver.receive(Duration.ofMillis(500))).isNull();
    }
  }

  @Test
  void aSelectorLetsOnlyMatchingMessagesThrough() throws Exception {
    String address = address("selector");
    try (Connection c = Connection.open(broker.uri())) {
      Session session = c.openSession();
      Sender sender = session.openSender(address);
      for (String color : List.of("red", "blue", "red", "green")) {
        Message m = Message.builder().text(color).applicationProperty("color", color).build();
        sender.send(m).get(10, SECONDS);
      }
      Receiver reds =
          session.openReceiver(
              ReceiverOptions.builder().address(address).selector("color = 'red'").build());

      assertThat(text(reds.receive(Duration.ofSeconds(10)))).isEqualTo("red");
      assertThat(text(reds.receive(Duration.ofSeconds(10)))).isEqualTo("red");
      assertThat(reds.receive(Duration.ofMillis(500))).isNull();
    }
  }

  @Test
  void aDynamicReceiverGetsItsAddressFromThePeer() throws Exception {
    try (Connection c = Connection.open(broker.uri())) {
      Session session = c.openSession();
      Receiver receiver = session.openReceiver(ReceiverOptions.builder().dynamic(true).build());

      assertThat(receiver.address()).isNotBlank();
      sendAll(session, receiver.address(), "to a temporary queue");
      assertThat(text(receiver.receive(Duration.ofSeconds(10)))).isEqualTo("to a temporary queue");
    }
  }

  @Test
  void aLinkThePeerRefusesCarriesItsCondition() throws Exception {
    String address = address("refused");
    try (Connection c = Connection.open(broker.uri())) {
      Session session = c.openSession();
      sendAll(session, address, "makes the address a queue");
      ReceiverOptions topic =
          ReceiverOptions.builder().address(address).capability(Symbol.valueOf("topic")).build();

      assertThatThrownBy(() -> session.openReceiver(topic))
          .isInstanceOfSatisfying(
              LinkClosedException.class,
              e -> {
                assertThat(e.initiator()).isEqualTo(CloseInitiator.PEER);
                assertThat(e.error().condition()).isEqualTo(ErrorConditions.ILLEGAL_STATE);
                assertThat(e.error().description()).contains(address);
                assertThat(e.getMessage()).contains(address);
              });
      assertThat(session.isOpen()).isTrue();
      assertThat(text(session.openReceiver(address).receive(Duration.ofSeconds(10))))
          .isEqualTo("makes the address a queue");
    }
  }

  @Test
  void aSettleModeThePeerAnswersDifferentlyKeepsTheLinkFromOpening() {
    // Artemis answers every attach with receiver settle mode first.
    String address = address("second");
    try (Connection c = Connection.open(broker.uri())) {
      Session session = c.openSession();
      ReceiverOptions second =
          ReceiverOptions.builder().address(address).settleMode(ReceiverSettleMode.SECOND).build();

      assertThatThrownBy(() -> session.openReceiver(second))
          .isInstanceOfSatisfying(
              LinkClosedException.class,
              e -> {
                assertThat(e.getMessage())
                    .contains("receiver settle mode SECOND was asked for, the peer answered FIRST");
                assertThat(e.error().condition()).isEqualTo(ErrorConditions.PRECONDITION_FAILED);
                assertThat(e.initiator()).isEqualTo(CloseInitiator.CLIENT);
              });
      assertThat(session.isOpen()).isTrue();
      assertThat(session.openReceiver(address).isOpen()).isTrue();
    }
  }

  @Test
  void messagesLargerThanTheFrameSizeArriveWhole() throws Exception {
    String address = address("large");
    byte[] body = new byte[400_000];
    new Random(11).nextBytes(body);
    try (Connection c = Connection.open(broker.uri())) {
      assertThat(c.maxFrameSize()).isLessThan(body.length);
      Session session = c.openSession();
      Sender sender = session.openSender(address);
      assertThat(sender.send(Message.ofData(body)).get(30, SECONDS)).isEqualTo(Outcome.ACCEPTED);

      Delivery d = session.openReceiver(address).receive(Duration.ofSeconds(30));
      assertThat(d.message().bodyBytes()).isEqualTo(body);
      d.accept();
    }
  }

  @Test
  void manySendsInFlightAllGetTheirOutcomeInOrder() throws Exception {
    String address = address("pipelined");
    try (Connection c = Connection.open(broker.uri())) {
      Session session = c.openSession();
      Sender sender =
          session.openSender(SenderOptions.builder().address(address).maxInFlight(50).build());
      List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) outcomes.add(sender.send(text("m" + i)));
      for (CompletableFuture<Outcome> f : outcomes) {
        assertThat(f.get(30, SECONDS)).isEqualTo(Outcome.ACCEPTED);
      }
      assertThat(sender.unsettled()).isZero();

      Receiver receiver =
          session.openReceiver(ReceiverOptions.builder().address(address).credit(300).build());
      for (int i = 0; i < 2_000; i++) {
        Delivery d = receiver.receive(Duration.ofSeconds(10));
        assertThat(text(d)).isEqualTo("m" + i);
        d.accept();
      }
    }
  }
}
