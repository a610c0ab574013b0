package dev.amqpkit.amqp10;

import static dev.amqpkit.amqp10.LinkTestSupport.WAIT;
import static dev.amqpkit.amqp10.LinkTestSupport.condition;
import static dev.amqpkit.amqp10.LinkTestSupport.isTrue;
import static dev.amqpkit.amqp10.LinkTestSupport.message;
import static dev.amqpkit.amqp10.LinkTestSupport.mirror;
import static dev.amqpkit.amqp10.LinkTestSupport.num;
import static dev.amqpkit.amqp10.LinkTestSupport.numOrNull;
import static dev.amqpkit.amqp10.LinkTestSupport.transfer;
import static dev.amqpkit.testkit.amqp10.Performatives.ATTACH;
import static dev.amqpkit.testkit.amqp10.Performatives.DETACH;
import static dev.amqpkit.testkit.amqp10.Performatives.DISPOSITION;
import static dev.amqpkit.testkit.amqp10.Performatives.FLOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Described;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Sym;
import dev.amqpkit.testkit.amqp10.Amqp10Value.ULong;
import dev.amqpkit.testkit.amqp10.Frame;
import dev.amqpkit.testkit.amqp10.Performatives;
import dev.amqpkit.testkit.amqp10.Performatives.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A receiver against a scripted peer: automatic and manual credit, drain, deliveries in several
 * transfers or aborted or too large, settling in either mode, batched dispositions, and payloads
 * that are not messages.
 */
class ReceiverTest extends ScriptedLinkFixture {
  ReceiverTest() throws IOException {}

  private static String text(Delivery d) {
    return new String(d.message().bodyBytes(), StandardCharsets.UTF_8);
  }

  /** The peer's disposition as the sender of the client's deliveries, settled. */
  private static Frame senderDisposition(long first, Long last) {
    return Performatives.disposition(0, Role.SENDER, first, last, null);
  }

  // ---- credit ----

  @Test
  void automaticCreditGrantsTheWindowAndTopsItUpBeforeItRunsOut() {
    AtomicReference<Frame> granted = new AtomicReference<>();
    AtomicReference<Frame> toppedUp = new AtomicReference<>();
    AtomicReference<Frame> toppedUpAgain = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .expectPerformative(FLOW, 0, granted::set)
        .send(transfer(0, 0, message("m0")), transfer(0, 1, message("m1")))
        .start();
    Receiver receiver =
        session().openReceiver(ReceiverOptions.builder().address("q").credit(4).build());

    await().atMost(WAIT).until(() -> receiver.prefetched() == 2);
    assertThat(num(granted.get().field("handle"))).isZero();
    assertThat(num(granted.get().field("delivery-count"))).isZero();
    assertThat(num(granted.get().field("link-credit"))).isEqualTo(4);
    assertThat(isTrue(granted.get().field("drain"))).isFalse();
    assertThat(receiver.credit()).isEqualTo(2);

    assertThat(text(receiver.poll())).isEqualTo("m0"); // 2 credit + 1 queued: no flow yet
    assertThat(receiver.prefetched()).isEqualTo(1);
    assertThat(text(receiver.poll())).isEqualTo("m1"); // half the window left: topped up
    assertThat(receiver.prefetched()).isZero();
    assertThat(receiver.credit()).isEqualTo(4);
    // The next flow the peer reads is the top-up, with nothing between the two polls.
    peer.expectPerformative(FLOW, 0, toppedUp::set);
    peer.awaitDone(WAIT);
    assertThat(num(toppedUp.get().field("delivery-count"))).isEqualTo(2);
    assertThat(num(toppedUp.get().field("link-credit"))).isEqualTo(4);

    // The peer uses up the credit: no more than the window is prefetched.
    peer.send(
        transfer(0, 2, message("m2")),
        transfer(0, 3, message("m3")),
        transfer(0, 4, message("m4")),
        transfer(0, 5, message("m5")));
    await().atMost(WAIT).until(() -> receiver.prefetched() == 4);
    assertThat(receiver.credit()).isZero();
    assertThat(text(receiver.receive(WAIT))).isEqualTo("m2");
    assertThat(text(receiver.receive(WAIT))).isEqualTo("m3"); // 2 queued: half the window
    peer.expectPerformative(FLOW, 0, toppedUpAgain::set);
    peer.awaitDone(WAIT);
    assertThat(num(toppedUpAgain.get().field("delivery-count"))).isEqualTo(6);
    assertThat(num(toppedUpAgain.get().field("link-credit")))
        .as("the window less what is queued")
        .isEqualTo(2);
    assertThat(receiver.prefetched()).isEqualTo(2);
    assertThat(receiver.receive(Duration.ZERO)).isNotNull();
    assertThat(receiver.poll()).isNotNull();
    assertThat(receiver.poll()).isNull();
  }

  @Test
  void manualCreditGrantsOnlyWhatTheApplicationAddsAndDrainsIt() {
    AtomicReference<Frame> added = new AtomicReference<>();
    AtomicReference<Frame> drain = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .expectPerformative(FLOW, 0, added::set) // the first flow: addCredit's
        .send(transfer(0, 0, message("m0")))
        .expectAndRespond(
            FLOW,
            0,
            f -> {
              drain.set(f);
              // The peer has no more messages: it advances the delivery count by the credit left.
              return LinkTestSupport.flow(0, 3, 0).with("drain", true);
            })
        .start();
    Receiver receiver =
        session().openReceiver(ReceiverOptions.builder().address("q").manualCredit().build());
    assertThat(receiver.credit()).isZero();

    receiver.addCredit(3);
    Delivery d = receiver.receive(WAIT);
    assertThat(text(d)).isEqualTo("m0");
    assertThat(receiver.credit()).isEqualTo(2);
    receiver.drain(WAIT);

    peer.awaitDone(WAIT);
    assertThat(num(added.get().field("link-credit"))).isEqualTo(3);
    assertThat(num(added.get().field("delivery-count"))).isZero();
    assertThat(isTrue(drain.get().field("drain"))).isTrue();
    assertThat(num(drain.get().field("link-credit"))).isEqualTo(2);
    assertThat(num(drain.get().field("delivery-count"))).isEqualTo(1);
    assertThat(receiver.credit()).isZero();
    assertThat(receiver.isOpen()).isTrue();
    assertThatThrownBy(() -> receiver.addCredit(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aDrainThePeerDoesNotAnswerTimesOut() {
    AtomicReference<Frame> drain = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .expectPerformative(FLOW, 0)
        .expectPerformative(FLOW, 0, drain::set)
        .start();
    Receiver receiver =
        session().openReceiver(ReceiverOptions.builder().address("q").manualCredit().build());
    receiver.addCredit(5);

    long start = System.nanoTime();
    assertThatThrownBy(() -> receiver.drain(Duration.ofMillis(300)))
        .isInstanceOf(AmqpTimeoutException.class)
        .hasMessageContaining("drain");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(250L, 2300L);
    peer.awaitDone(WAIT);
    assertThat(isTrue(drain.get().field("drain"))).isTrue();
    assertThat(num(drain.get().field("link-credit"))).isEqualTo(5);
  }

  @Test
  void automaticCreditTakesNoManualCalls() {
    peer.openHandshake().acceptBegin().acceptAttach().expectPerformative(FLOW, 0).start();
    Receiver receiver = session().openReceiver("q");

    assertThatThrownBy(() -> receiver.addCredit(1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> receiver.drain(WAIT)).isInstanceOf(IllegalStateException.class);
  }

  // ---- deliveries ----

  @Test
  void aDeliveryInSeveralTransfersIsAssembledExactly() {
    byte[] body = new byte[1500];
    new Random(7).nextBytes(body);
    byte[] payload =
        Performatives.message(
            Performatives.messageProperties().with("subject", "in three parts"),
            Performatives.data(body));
    int third = payload.length / 3;
    byte[] tag = {1, 2, 3};
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .expectPerformative(FLOW, 0)
        .send(
            Performatives.transfer(0, 0, 0L, tag, Arrays.copyOfRange(payload, 0, third))
                .with("more", true),
            Performatives.transfer(0, 0, null, null, Arrays.copyOfRange(payload, third, 2 * third))
                .with("more", true),
            Performatives.transfer(
                0, 0, null, null, Arrays.copyOfRange(payload, 2 * third, payload.length)))
        .start();
    Receiver receiver = session().openReceiver("q");

    Delivery d = receiver.receive(WAIT);

    assertThat(d.payload().toByteArray()).isEqualTo(payload);
    assertThat(d.deliveryTag()).isEqualTo(Binary.wrap(tag));
    assertThat(d.messageFormat()).isZero();
    assertThat(d.remotelySettled()).isFalse();
    assertThat(d.message().subject()).isEqualTo("in three parts");
    assertThat(d.message().bodyBytes()).isEqualTo(body);
    assertThat(receiver.poll()).isNull();
    assertThat(receiver.credit()).as("one delivery, one credit").isEqualTo(99);
  }

  @Test
  void anAbortedDeliveryIsDropped() {
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .expectPerformative(FLOW, 0)
        .send(
            Performatives.transfer(0, 0, 0L, new byte[] {0}, new byte[] {0, 0x53, 0x75})
                .with("more", true),
            Performatives.transfer(0, 0, null, null, new byte[] {(byte) 0xa0}).with("more", true),
            Performatives.transfer(0, 0, null, null, new byte[0]).with("aborted", true),
            transfer(0, 1, message("after the aborted one")))
        .start();
    Receiver receiver = session().openReceiver("q");

    Delivery d = receiver.receive(WAIT);

    assertThat(text(d)).isEqualTo("after the aborted one");
    assertThat(receiver.poll()).isNull();
    assertThat(receiver.prefetched()).isZero();
    assertThat(receiver.isOpen()).isTrue();
  }

  @Test
  void aDeliveryOverTheMaxMessageSizeDetachesTheLink() {
    AtomicReference<Frame> attach = new AtomicReference<>();
    AtomicReference<Frame> detach = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .expectAndRespond(
            ATTACH,
            0,
            a -> {
              attach.set(a);
              return mirror(a);
            })
        .expectPerformative(FLOW, 0)
        .send(
            Performatives.transfer(0, 0, 0L, new byte[] {0}, new byte[80]).with("more", true),
            Performatives.transfer(0, 0, null, null, new byte[80]))
        .expectAndRespond(
            DETACH,
            0,
            d -> {
              detach.set(d);
              return Performatives.detach(0, 0, null);
            })
        .start();
    Receiver receiver =
        session().openReceiver(ReceiverOptions.builder().address("q").maxMessageSize(100).build());

    peer.awaitDone(WAIT);
    assertThat(attach.get().field("max-message-size")).isEqualTo(new ULong(100));
    assertThat(condition(detach.get())).isEqualTo("amqp:link:message-size-exceeded");
    assertThat(isTrue(detach.get().field("closed"))).isTrue();
    await().atMost(WAIT).until(() -> !receiver.isOpen());
    assertThat(receiver.closeCause())
        .isInstanceOfSatisfying(
            LinkClosedException.class,
            e -> {
              assertThat(e.error().condition().toString())
                  .isEqualTo("amqp:link:message-size-exceeded");
              assertThat(e.initiator()).isEqualTo(CloseInitiator.CLIENT);
            });
    assertThatThrownBy(() -> receiver.receive(Duration.ZERO))
        .isInstanceOf(LinkClosedException.class);
  }

  @Test
  void aMalformedPayloadFailsToDecodeButTheDeliveryCanBeRejected() {
    // A data section whose binary says 16 bytes and has 1.
    byte[] malformed = {0x00, 0x53, 0x75, (byte) 0xa0, 0x10, 0x01};
    AtomicReference<Frame> disposition = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .expectPerformative(FLOW, 0)
        .send(transfer(0, 0, malformed))
        .expectPerformative(DISPOSITION, 0, disposition::set)
        .start();
    Receiver receiver = session().openReceiver("q");
    Delivery d = receiver.receive(WAIT);

    assertThatThrownBy(d::message).isInstanceOf(MalformedMessageException.class);
    assertThat(d.payload().toByteArray()).isEqualTo(malformed);
    d.reject(AmqpError.of(Symbol.valueOf("amqp:decode-error"), "not a message"));

    peer.awaitDone(WAIT);
    Described state = (Described) disposition.get().field("state");
    assertThat(state.is(Performatives.REJECTED)).isTrue();
    Described error = (Described) state.field("error");
    assertThat(error.field("condition")).isEqualTo(Sym.of("amqp:decode-error"));
    assertThat(error.field("description")).isEqualTo("not a message");
    assertThat(receiver.isOpen()).isTrue();
  }

  // ---- settling ----

  @Test
  void eachOutcomeSendsItsDispositionSettledInFirstMode() {
    List<Frame> dispositions = new CopyOnWriteArrayList<>();
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .expectPerformative(FLOW, 0)
        .send(
            transfer(0, 0, message("m0")),
            transfer(0, 1, message("m1")),
            transfer(0, 2, message("m2")),
            transfer(0, 3, message("m3")),
            transfer(0, 4, message("m4")).with("settled", true),
            transfer(0, 5, message("m5")));
    for (int i = 0; i < 5; i++) peer.expectPerformative(DISPOSITION, 0, dispositions::add);
    peer.start();
    Receiver receiver = session().openReceiver("q");
    Delivery[] d = new Delivery[6];
    for (int i = 0; i < 6; i++) d[i] = receiver.receive(WAIT);

    d[0].accept();
    d[1].reject(
        new AmqpError(
            Symbol.valueOf("amqp:invalid-field"),
            "no subject",
            Map.of(Symbol.valueOf("field"), "subject")));
    d[2].release();
    d[3].modify(true, false, Map.of(Symbol.valueOf("x-opt-reason"), "later"));
    assertThat(d[4].remotelySettled()).isTrue();
    d[4].accept(); // the sender settled it already: no disposition
    d[5].accept();

    peer.awaitDone(WAIT);
    for (int i = 0; i < 5; i++) {
      Frame f = dispositions.get(i);
      assertThat(f.field("role")).as("role receiver").isEqualTo(true);
      assertThat(isTrue(f.field("settled"))).isTrue();
      long id = i < 4 ? i : 5;
      assertThat(num(f.field("first"))).isEqualTo(id);
      assertThat(f.field("last") == null || num(f.field("last")) == id).isTrue();
    }
    assertThat(((Described) dispositions.get(0).field("state")).is(Performatives.ACCEPTED))
        .isTrue();
    assertThat(dispositions.get(1).field("state"))
        .isEqualTo(
            Performatives.rejected(
                Performatives.error(
                    "amqp:invalid-field", "no subject", Map.of("field", "subject"))));
    assertThat(((Described) dispositions.get(2).field("state")).is(Performatives.RELEASED))
        .isTrue();
    Described modified = (Described) dispositions.get(3).field("state");
    assertThat(modified.is(Performatives.MODIFIED)).isTrue();
    assertThat(modified.field("delivery-failed")).isEqualTo(true);
    assertThat(isTrue(modified.field("undeliverable-here"))).isFalse();
    assertThat(modified.field("message-annotations"))
        .isEqualTo(Map.of(Sym.of("x-opt-reason"), "later"));
    for (Delivery each : d) assertThat(each.settlement()).isDone();
    assertThatThrownBy(d[0]::accept).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(d[1]::release).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void inSecondModeASettlementCompletesWhenThePeerSettles() throws Exception {
    AtomicReference<Frame> disposition = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach() // agrees to second mode
        .expectPerformative(FLOW, 0)
        .send(transfer(0, 0, message("m0")))
        .expectPerformative(DISPOSITION, 0, disposition::set)
        .start();
    Receiver receiver =
        session()
            .openReceiver(
                ReceiverOptions.builder()
                    .address("q")
                    .settleMode(ReceiverSettleMode.SECOND)
                    .build());
    Delivery d = receiver.receive(WAIT);

    d.accept();

    peer.awaitDone(WAIT);
    Frame f = disposition.get();
    assertThat(f.field("role")).isEqualTo(true);
    assertThat(num(f.field("first"))).isZero();
    assertThat(isTrue(f.field("settled"))).as("settled").isFalse();
    assertThat(((Described) f.field("state")).is(Performatives.ACCEPTED)).isTrue();
    assertThat(d.settlement()).isNotDone();
    assertThatThrownBy(d::accept).isInstanceOf(IllegalStateException.class);

    peer.send(senderDisposition(0, null));

    d.settlement().get(5, TimeUnit.SECONDS);
  }

  @Test
  void consecutiveSettlementsGoInOneDispositionUntilAnOutcomeOrAGapBreaksTheRun() {
    List<Frame> dispositions = new CopyOnWriteArrayList<>();
    peer.openHandshake().acceptBegin().acceptAttach().expectPerformative(FLOW, 0);
    for (int i = 0; i < 7; i++) peer.send(transfer(0, i, message("m" + i)));
    peer.start();
    Receiver receiver =
        session()
            .openReceiver(
                ReceiverOptions.builder()
                    .address("q")
                    .dispositionBatch(3, Duration.ofMillis(200))
                    .build());
    Delivery[] d = new Delivery[7];
    for (int i = 0; i < 7; i++) d[i] = receiver.receive(WAIT);
    peer.awaitDone(WAIT);

    d[0].accept();
    d[1].accept();
    d[2].accept(); // a full batch: 0..2 accepted
    d[3].release(); // another outcome: 3 waits
    d[4].accept(); // which breaks the run: 3 released; 4 waits
    d[6].accept(); // a gap breaks the run: 4 accepted; 6 waits, until its max age
    for (int i = 0; i < 4; i++) peer.expectPerformative(DISPOSITION, 0, dispositions::add);
    peer.awaitDone(WAIT);
    d[5].accept(); // after 6 went alone: 5 waits, and goes at the latest as the link detaches
    peer.expectPerformative(DISPOSITION, 0, dispositions::add).acceptDetach();
    receiver.close();

    peer.awaitDone(WAIT);
    assertThat(dispositions).hasSize(5);
    assertRange(dispositions.get(0), 0, 2, Performatives.ACCEPTED);
    assertRange(dispositions.get(1), 3, 3, Performatives.RELEASED);
    assertRange(dispositions.get(2), 4, 4, Performatives.ACCEPTED);
    assertRange(dispositions.get(3), 6, 6, Performatives.ACCEPTED);
    assertRange(dispositions.get(4), 5, 5, Performatives.ACCEPTED);
  }

  private static void assertRange(Frame disposition, long first, long last, long state) {
    assertThat(num(disposition.field("first"))).as("first").isEqualTo(first);
    Long lastField = numOrNull(disposition.field("last"));
    assertThat(lastField == null ? first : lastField).as("last").isEqualTo(last);
    assertThat(isTrue(disposition.field("settled"))).isTrue();
    assertThat(disposition.field("role")).isEqualTo(true);
    assertThat(((Described) disposition.field("state")).is(state)).as("state").isTrue();
  }

  @Test
  void inSecondModeASettlementFailsWhenTheLinkDetaches() {
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .expectPerformative(FLOW, 0)
        .send(transfer(0, 0, message("m0")))
        .expectPerformative(DISPOSITION, 0)
        .send(Performatives.detach(0, 0, Performatives.error("amqp:resource-deleted", "gone")))
        .expectPerformative(DETACH, 0)
        .start();
    Receiver receiver =
        session()
            .openReceiver(
                ReceiverOptions.builder()
                    .address("q")
                    .settleMode(ReceiverSettleMode.SECOND)
                    .build());
    Delivery d = receiver.receive(WAIT);

    d.accept();

    peer.awaitDone(WAIT);
    assertThatThrownBy(() -> d.settlement().get(5, TimeUnit.SECONDS))
        .as("the sender can no longer settle it")
        .cause()
        .isInstanceOf(LinkClosedException.class);
  }
}
