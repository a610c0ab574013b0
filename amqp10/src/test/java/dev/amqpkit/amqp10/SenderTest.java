package dev.amqpkit.amqp10;

import static dev.amqpkit.amqp10.LinkTestSupport.REQUEST_TIMEOUT;
import static dev.amqpkit.amqp10.LinkTestSupport.WAIT;
import static dev.amqpkit.amqp10.LinkTestSupport.flow;
import static dev.amqpkit.amqp10.LinkTestSupport.isTrue;
import static dev.amqpkit.amqp10.LinkTestSupport.mirror;
import static dev.amqpkit.amqp10.LinkTestSupport.num;
import static dev.amqpkit.amqp10.LinkTestSupport.numOrNull;
import static dev.amqpkit.amqp10.LinkTestSupport.receiverDisposition;
import static dev.amqpkit.amqp10.LinkTestSupport.transfers;
import static dev.amqpkit.testkit.amqp10.Performatives.ATTACH;
import static dev.amqpkit.testkit.amqp10.Performatives.BEGIN;
import static dev.amqpkit.testkit.amqp10.Performatives.DETACH;
import static dev.amqpkit.testkit.amqp10.Performatives.DISPOSITION;
import static dev.amqpkit.testkit.amqp10.Performatives.FLOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.testkit.amqp10.Amqp10Value;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Described;
import dev.amqpkit.testkit.amqp10.Frame;
import dev.amqpkit.testkit.amqp10.Performatives;
import dev.amqpkit.testkit.amqp10.ScriptedPeer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A sender against a scripted peer: credit, outcomes, drain and echo, large messages, delivery tags
 * and ids, and the bounds of the unsettled sends and of the peer's session window.
 */
class SenderTest extends ScriptedLinkFixture {
  SenderTest() throws IOException {}

  private static Message text(String text) {
    return Message.ofData(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The outcome a send's future failed with: not accepted, the message was refused, never completed
   * as if it had gone through.
   */
  private static Outcome refusedWith(CompletableFuture<Outcome> f) throws Exception {
    try {
      Outcome accepted = f.get(5, TimeUnit.SECONDS);
      throw new AssertionError("the send completed with " + accepted + ", not refused");
    } catch (java.util.concurrent.ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(MessageRefusedException.class);
      return ((MessageRefusedException) e.getCause()).outcome();
    }
  }

  /** The delivery ids of the transfers that begin a delivery, in the order the peer got them. */
  private List<Long> deliveryIds() {
    return transfers(peer).stream()
        .map(f -> numOrNull(f.field("delivery-id")))
        .filter(id -> id != null)
        .toList();
  }

  // ---- credit ----

  @Test
  void withoutCreditASendTimesOutAndSendsNothingUntilAFlowGrantsSome() throws Exception {
    AtomicReference<ScriptedPeer.Delivery> delivery = new AtomicReference<>();
    peer.openHandshake().acceptBegin().acceptAttach().start();
    Sender sender = session().openSender("q");

    long start = System.nanoTime();
    assertThatThrownBy(() -> sender.send(text("too early")))
        .isInstanceOf(AmqpTimeoutException.class)
        .hasMessageContaining("no credit")
        .hasMessageContaining("not sent");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .isBetween(REQUEST_TIMEOUT.toMillis() - 50, REQUEST_TIMEOUT.toMillis() + 2000);
    assertThat(transfers(peer)).isEmpty();
    assertThat(sender.unsettled()).isZero();

    peer.send(flow(0, 0, 1)).expectDelivery(0, delivery::set);
    await().atMost(WAIT).until(() -> sender.credit() == 1);
    CompletableFuture<Outcome> outcome = sender.send(text("in time"));

    peer.awaitDone(WAIT);
    Frame first = delivery.get().first();
    assertThat(num(first.field("delivery-id"))).as("the timed-out send took no id").isZero();
    assertThat(delivery.get().payload()).isEqualTo(text("in time").encode());
    assertThat(outcome).isNotDone();
    assertThat(sender.unsettled()).isEqualTo(1);
    assertThat(sender.credit()).isZero();
  }

  @Test
  void creditIsUsedExactlyAndASendWaitsForMore() throws Exception {
    List<ScriptedPeer.Delivery> deliveries = new CopyOnWriteArrayList<>();
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .send(flow(0, 0, 3))
        .expectDelivery(0, deliveries::add)
        .expectDelivery(0, deliveries::add)
        .expectDelivery(0, deliveries::add)
        .start();
    Sender sender = session(LinkTestSupport.options(peer).requestTimeout(WAIT)).openSender("q");
    await().atMost(WAIT).until(() -> sender.credit() == 3);

    for (int i = 0; i < 3; i++) sender.send(text("m" + i));
    assertThat(sender.credit()).isZero();
    peer.awaitDone(WAIT);
    CompletableFuture<Outcome> fourth =
        LinkTestSupport.waitingSend(sender, text("m3")).thenCompose(f -> f);
    assertThat(transfers(peer)).hasSize(3);
    peer.send(flow(0, 3, 1))
        .expectDelivery(0, deliveries::add)
        .send(receiverDisposition(0, 3L, Performatives.accepted()));

    assertThat(fourth.get(5, TimeUnit.SECONDS)).isEqualTo(Outcome.ACCEPTED);
    peer.awaitDone(WAIT);
    assertThat(deliveries).hasSize(4);
    for (int i = 0; i < 4; i++) {
      assertThat(num(deliveries.get(i).first().field("delivery-id"))).isEqualTo(i);
      assertThat(deliveries.get(i).payload()).isEqualTo(text("m" + i).encode());
    }
    assertThat(transfers(peer)).as("each message in one transfer").hasSize(4);
    assertThat(sender.credit()).isZero();
  }

  @Test
  void theFourthSendWithThreeCreditsTimesOut() {
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .send(flow(0, 0, 3))
        .expectDelivery(0, d -> {})
        .expectDelivery(0, d -> {})
        .expectDelivery(0, d -> {})
        .start();
    Sender sender = session().openSender("q");
    await().atMost(WAIT).until(() -> sender.credit() == 3);

    for (int i = 0; i < 3; i++) sender.send(text("m" + i));

    assertThatThrownBy(() -> sender.send(text("m3")))
        .isInstanceOf(AmqpTimeoutException.class)
        .hasMessageContaining("no credit");
    peer.awaitDone(WAIT);
    assertThat(transfers(peer)).hasSize(3);
  }

  // ---- outcomes ----

  @Test
  void dispositionsCompleteTheSendsWithTheirOutcomesInTheOrderThePeerChooses() throws Exception {
    Described rejected =
        Performatives.rejected(
            Performatives.error("amqp:invalid-field", "no subject", Map.of("field", "subject")));
    Described modified =
        Performatives.modified()
            .with("delivery-failed", true)
            .with("undeliverable-here", true)
            .with("message-annotations", Map.of("x-opt-reason", "retry later"));
    peer.openHandshake().acceptBegin().acceptAttach().send(flow(0, 0, 100));
    for (int i = 0; i < 8; i++) peer.expectDelivery(0, d -> {});
    peer.send(receiverDisposition(3, null, Performatives.accepted())).start();
    Sender sender = session().openSender("q");
    await().atMost(WAIT).until(() -> sender.credit() == 100);

    List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
    for (int i = 0; i < 8; i++) outcomes.add(sender.send(text("m" + i)));

    assertThat(outcomes.get(3).get(5, TimeUnit.SECONDS)).isEqualTo(Outcome.ACCEPTED);
    for (int i : new int[] {0, 1, 2, 4, 5, 6, 7}) {
      assertThat(outcomes.get(i)).as("send %d", i).isNotDone();
    }
    assertThat(sender.unsettled()).isEqualTo(7);
    peer.send(
        receiverDisposition(0, null, rejected),
        receiverDisposition(2, null, modified),
        receiverDisposition(1, null, Performatives.released()),
        receiverDisposition(4, 7L, Performatives.accepted()));

    await().atMost(WAIT).until(() -> outcomes.stream().allMatch(CompletableFuture::isDone));
    assertThat(refusedWith(outcomes.get(0)))
        .isEqualTo(
            new Outcome.Rejected(
                new AmqpError(
                    Symbol.valueOf("amqp:invalid-field"),
                    "no subject",
                    Map.of(Symbol.valueOf("field"), "subject"))));
    assertThat(refusedWith(outcomes.get(1))).isEqualTo(Outcome.RELEASED);
    assertThat(refusedWith(outcomes.get(2)))
        .isEqualTo(
            new Outcome.Modified(
                true, true, Map.of(Symbol.valueOf("x-opt-reason"), "retry later")));
    for (int i = 4; i < 8; i++) {
      assertThat(outcomes.get(i).get()).as("send %d", i).isEqualTo(Outcome.ACCEPTED);
    }
    assertThat(sender.unsettled()).isZero();
  }

  @Test
  void aRejectionWithoutAnErrorAndAModificationWithoutFields() throws Exception {
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .send(flow(0, 0, 10))
        .expectDelivery(0, d -> {})
        .expectDelivery(0, d -> {})
        .send(
            receiverDisposition(0, null, Performatives.rejected(null)),
            receiverDisposition(1, null, Performatives.modified()))
        .start();
    Sender sender = session().openSender("q");
    await().atMost(WAIT).until(() -> sender.credit() == 10);

    CompletableFuture<Outcome> first = sender.send(text("a"));
    CompletableFuture<Outcome> second = sender.send(text("b"));

    assertThat(refusedWith(first)).isEqualTo(new Outcome.Rejected(null));
    assertThat(refusedWith(second)).isEqualTo(new Outcome.Modified(false, false, Map.of()));
    assertThatThrownBy(() -> first.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(MessageRefusedException.class)
        .hasMessage("link '" + sender.name() + "' to 'q': the peer rejected the message");
  }

  @Test
  void inSecondModeThePeersOutcomeIsSettledByTheSender() throws Exception {
    AtomicReference<Frame> attach = new AtomicReference<>();
    AtomicReference<Frame> settle = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .expectAndRespond(
            ATTACH,
            0,
            a -> {
              attach.set(a);
              return mirror(a); // agrees to second mode
            })
        .send(flow(0, 0, 10))
        .expectDelivery(0, d -> {})
        .send(receiverDisposition(0, null, Performatives.accepted()).with("settled", false))
        .expectPerformative(DISPOSITION, 0, settle::set)
        .start();
    Sender sender =
        session()
            .openSender(
                SenderOptions.builder()
                    .address("q")
                    .receiverSettleMode(ReceiverSettleMode.SECOND)
                    .build());
    await().atMost(WAIT).until(() -> sender.credit() == 10);

    CompletableFuture<Outcome> outcome = sender.send(text("twice settled"));

    assertThat(outcome.get(5, TimeUnit.SECONDS)).isEqualTo(Outcome.ACCEPTED);
    peer.awaitDone(WAIT);
    assertThat(num(attach.get().field("rcv-settle-mode"))).isEqualTo(Performatives.RCV_SECOND);
    Frame d = settle.get();
    assertThat(d.field("role")).as("role sender").isEqualTo(false);
    assertThat(num(d.field("first"))).isZero();
    assertThat(d.field("last") == null || num(d.field("last")) == 0).isTrue();
    assertThat(isTrue(d.field("settled"))).isTrue();
    assertThat(sender.unsettled()).isZero();
  }

  // ---- drain and echo ----

  @Test
  void aDrainUsesUpTheCreditAndAnEchoGetsTheSendersFlow() {
    AtomicReference<Frame> drained = new AtomicReference<>();
    AtomicReference<Frame> echoed = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .send(flow(0, 0, 5).with("drain", true))
        .expectPerformative(FLOW, 0, drained::set)
        .send(flow(0, 5, 3).with("echo", true))
        .expectPerformative(FLOW, 0, echoed::set)
        .start();

    Sender sender = session().openSender("q");

    peer.awaitDone(WAIT);
    Frame d = drained.get();
    assertThat(num(d.field("handle"))).isZero();
    assertThat(num(d.field("delivery-count"))).as("advanced by the 5 credits").isEqualTo(5);
    assertThat(num(d.field("link-credit"))).isZero();
    Frame e = echoed.get();
    assertThat(num(e.field("handle"))).isZero();
    assertThat(num(e.field("delivery-count"))).isEqualTo(5);
    assertThat(num(e.field("link-credit"))).isEqualTo(3);
    assertThat(isTrue(e.field("echo"))).as("an answer asks for none").isFalse();
    assertThat(sender.credit()).isEqualTo(3);
    assertThat(transfers(peer)).isEmpty();
  }

  // ---- large messages ----

  @Test
  void aMessageLargerThanTheMaxFrameSizeGoesInSeveralTransfers() throws Exception {
    byte[] body = new byte[3000];
    new Random(42).nextBytes(body);
    Message message = Message.builder().data(body).subject("big").build();
    AtomicReference<ScriptedPeer.Delivery> delivery = new AtomicReference<>();
    peer.openHandshake(Performatives.open(ScriptedPeer.CONTAINER_ID, 512, 65535, null))
        .acceptBegin()
        .acceptAttach()
        .send(flow(0, 0, 10))
        .expectDelivery(0, delivery::set)
        .send(receiverDisposition(0, null, Performatives.accepted()))
        .start();
    Sender sender = session().openSender("q");
    await().atMost(WAIT).until(() -> sender.credit() == 10);

    CompletableFuture<Outcome> outcome = sender.send(message);

    assertThat(outcome.get(5, TimeUnit.SECONDS)).isEqualTo(Outcome.ACCEPTED);
    peer.awaitDone(WAIT); // the peer also checked that no frame was over its 512 bytes
    List<Frame> frames = delivery.get().transfers();
    assertThat(frames).hasSizeGreaterThanOrEqualTo(6); // 3000 bytes at most 512 a frame
    for (int i = 0; i < frames.size(); i++) {
      Frame f = frames.get(i);
      boolean last = i == frames.size() - 1;
      assertThat(f.size()).isLessThanOrEqualTo(512);
      assertThat(num(f.field("handle"))).isZero();
      assertThat(isTrue(f.field("more"))).as("more on frame %d", i).isEqualTo(!last);
      if (i == 0) {
        assertThat(num(f.field("delivery-id"))).isZero();
        assertThat(f.field("delivery-tag")).isNotNull();
      } else {
        assertThat(f.field("delivery-id")).as("delivery-id on frame %d", i).isNull();
        assertThat(f.field("delivery-tag")).as("delivery-tag on frame %d", i).isNull();
      }
    }
    byte[] payload = delivery.get().payload();
    assertThat(payload).isEqualTo(message.encode());
    List<Object> sections = Amqp10Value.decodeAll(payload);
    Described data = (Described) sections.get(sections.size() - 1);
    assertThat(data.is(Performatives.DATA)).isTrue();
    assertThat((byte[]) data.value()).isEqualTo(body);
  }

  // ---- tags and ids ----

  @Test
  void tagsAreUniquePerLinkAndDeliveryIdsCountAcrossTheSessionsLinks() throws Exception {
    List<ScriptedPeer.Delivery> deliveries = new CopyOnWriteArrayList<>();
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .acceptAttach()
        .send(flow(0, 0, 200), flow(1, 0, 100));
    for (int i = 0; i < 300; i++) peer.expectDelivery(0, deliveries::add);
    peer.start();
    Session session = session();
    Sender a = session.openSender("a");
    Sender b = session.openSender("b");
    await().atMost(WAIT).until(() -> a.credit() == 200 && b.credit() == 100);

    // 200 on a, 100 on b, interleaved: two on a, one on b.
    for (int i = 0; i < 100; i++) {
      a.send(text("a" + i));
      a.send(text("a" + i + "'"));
      b.send(text("b" + i));
    }

    peer.awaitDone(WAIT);
    List<Long> ids = new ArrayList<>();
    List<String> tagsOfA = new ArrayList<>();
    List<String> tagsOfB = new ArrayList<>();
    for (ScriptedPeer.Delivery d : deliveries) {
      ids.add(num(d.first().field("delivery-id")));
      String tag = HexFormat.of().formatHex((byte[]) d.first().field("delivery-tag"));
      (num(d.first().field("handle")) == 0 ? tagsOfA : tagsOfB).add(tag);
    }
    List<Long> expected = new ArrayList<>();
    for (long i = 0; i < 300; i++) expected.add(i);
    assertThat(ids).as("one more per delivery, across both links").isEqualTo(expected);
    assertThat(tagsOfA).hasSize(200).doesNotHaveDuplicates();
    assertThat(tagsOfB).hasSize(100).doesNotHaveDuplicates();
    assertThat(a.unsettled()).isEqualTo(200);
  }

  @Test
  void aSettledSendTakesADeliveryIdAndCompletesAtOnce() throws Exception {
    List<ScriptedPeer.Delivery> deliveries = new CopyOnWriteArrayList<>();
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .send(flow(0, 0, 10))
        .expectDelivery(0, deliveries::add)
        .expectDelivery(0, deliveries::add)
        .start();
    Sender sender =
        session()
            .openSender(
                SenderOptions.builder().address("q").settleMode(SenderSettleMode.MIXED).build());
    await().atMost(WAIT).until(() -> sender.credit() == 10);

    assertThat(sender.send(text("fire"), true).get(5, TimeUnit.SECONDS)).isNull();
    CompletableFuture<Outcome> unsettled = sender.send(text("and wait"), false);

    peer.awaitDone(WAIT);
    assertThat(isTrue(deliveries.get(0).first().field("settled"))).isTrue();
    assertThat(isTrue(deliveries.get(1).first().field("settled"))).isFalse();
    assertThat(num(deliveries.get(1).first().field("delivery-id"))).isEqualTo(1);
    assertThat(unsettled).isNotDone();
    assertThat(sender.unsettled()).isEqualTo(1);
  }

  // ---- bounds ----

  @Test
  void maxInFlightBoundsTheUnsettledSends() throws Exception {
    AtomicReference<ScriptedPeer.Delivery> third = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .send(flow(0, 0, 100))
        .expectDelivery(0, d -> {})
        .expectDelivery(0, d -> {})
        .start();
    Sender sender =
        session(LinkTestSupport.options(peer).requestTimeout(Duration.ofSeconds(1)))
            .openSender(SenderOptions.builder().address("q").maxInFlight(2).build());
    await().atMost(WAIT).until(() -> sender.credit() == 100);
    CompletableFuture<Outcome> first = sender.send(text("m0"));
    sender.send(text("m1"));

    assertThatThrownBy(() -> sender.send(text("over the bound")))
        .isInstanceOf(AmqpTimeoutException.class)
        .hasMessageContaining("maxInFlight")
        .hasMessageContaining("not sent");
    peer.awaitDone(WAIT);
    assertThat(transfers(peer)).hasSize(2);

    CompletableFuture<CompletableFuture<Outcome>> waiting =
        LinkTestSupport.waitingSend(sender, text("m2"));
    peer.send(receiverDisposition(0, null, Performatives.accepted())).expectDelivery(0, third::set);

    waiting.get(5, TimeUnit.SECONDS);
    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(Outcome.ACCEPTED);
    peer.awaitDone(WAIT);
    assertThat(num(third.get().first().field("delivery-id"))).isEqualTo(2);
    assertThat(third.get().payload()).isEqualTo(text("m2").encode());
    assertThat(sender.unsettled()).isEqualTo(2);
    assertThat(sender.credit()).as("the timed-out send gave its credit back").isEqualTo(97);
  }

  @Test
  void thePeersSessionWindowHoldsTransfersBackUntilItsFlowWidensIt() throws Exception {
    AtomicReference<ScriptedPeer.Delivery> third = new AtomicReference<>();
    peer.openHandshake()
        .expectAndRespond(BEGIN, 0, b -> Performatives.begin(0, 0, 0, 2, 2048))
        .acceptAttach()
        // Link credit aplenty, and the same session window of 2 from transfer-id 0.
        .send(Performatives.flow(0, 0L, 2, 0, 2048, 0, 0, 100))
        .expectDelivery(0, d -> {})
        .expectDelivery(0, d -> {})
        .start();
    Sender sender =
        session(LinkTestSupport.options(peer).requestTimeout(Duration.ofSeconds(1)))
            .openSender("q");
    await().atMost(WAIT).until(() -> sender.credit() == 100);
    sender.send(text("m0"));
    sender.send(text("m1"));

    assertThatThrownBy(() -> sender.send(text("beyond the window")))
        .isInstanceOf(AmqpTimeoutException.class)
        .hasMessageContaining("window");
    peer.awaitDone(WAIT);
    assertThat(transfers(peer)).hasSize(2);

    CompletableFuture<CompletableFuture<Outcome>> waiting =
        LinkTestSupport.waitingSend(sender, text("m2"));
    peer.send(Performatives.flow(0, 2L, 2, 0, 2048)).expectDelivery(0, third::set);

    waiting.get(5, TimeUnit.SECONDS);
    peer.awaitDone(WAIT);
    assertThat(num(third.get().first().field("delivery-id"))).isEqualTo(2);
    assertThat(third.get().payload()).isEqualTo(text("m2").encode());
    assertThat(deliveryIds()).containsExactly(0L, 1L, 2L);
  }

  @Test
  void aSendWaitingForTheSessionWindowFailsWhenItsLinkDetaches() throws Exception {
    peer.openHandshake()
        .expectAndRespond(BEGIN, 0, b -> Performatives.begin(0, 0, 0, 1, 2048))
        .acceptAttach()
        .send(Performatives.flow(0, 0L, 1, 0, 2048, 0, 0, 10))
        .expectDelivery(0, d -> {})
        .start();
    Sender sender =
        session(LinkTestSupport.options(peer).requestTimeout(Duration.ofSeconds(10)))
            .openSender("q");
    await().atMost(WAIT).until(() -> sender.credit() == 10);
    CompletableFuture<Outcome> first = sender.send(text("m0"));
    peer.awaitDone(WAIT);
    CompletableFuture<CompletableFuture<Outcome>> waiting =
        LinkTestSupport.waitingSend(sender, text("m1")); // no room in the window of 1

    peer.send(Performatives.detach(0, 0, Performatives.error("amqp:resource-deleted", "gone")))
        .expectPerformative(DETACH, 0);

    assertThatThrownBy(() -> first.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(LinkClosedException.class);
    assertThatThrownBy(() -> waiting.get(2, TimeUnit.SECONDS))
        .as("the waiting send fails with the link, long before its 10 s request timeout")
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(LinkClosedException.class);
    // The window opens: still nothing goes out on the detached handle. The echo round trip
    // makes sure the peer has read whatever the client sent before its answer.
    peer.send(Performatives.flow(0, 1L, 10, 0, 2048).with("echo", true))
        .expectPerformative(FLOW, 0);
    peer.awaitDone(WAIT);
    assertThat(transfers(peer)).hasSize(1);
  }

  @Test
  void aDrainAskedWhileASendWaitsIsAnsweredWhenThatSendGivesUp() throws Exception {
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .send(flow(0, 0, 5))
        .expectDelivery(0, d -> {})
        .start();
    Sender sender =
        session(LinkTestSupport.options(peer).requestTimeout(Duration.ofSeconds(1)))
            .openSender(SenderOptions.builder().address("q").maxInFlight(1).build());
    await().atMost(WAIT).until(() -> sender.credit() == 5);
    sender.send(text("m0"));
    peer.awaitDone(WAIT);
    CompletableFuture<CompletableFuture<Outcome>> waiting =
        LinkTestSupport.waitingSend(sender, text("m1")); // waits for a place in flight

    peer.send(flow(0, 1, 4).with("drain", true));

    assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(AmqpTimeoutException.class);
    Frame drained =
        peer.awaitReceived(
            "the sender's flow answering the drain",
            f -> f.isPerformative(FLOW) && f.field("handle") != null,
            WAIT);
    assertThat(num(drained.field("delivery-count"))).isEqualTo(5);
    assertThat(num(drained.field("link-credit"))).isZero();
    assertThat(sender.credit()).isZero();
  }

  @Test
  void aMessageOverThePeersMaxMessageSizeIsRefusedAndNotSent() {
    peer.openHandshake()
        .acceptBegin()
        .expectAndRespond(ATTACH, 0, a -> mirror(a).with("max-message-size", 100L))
        .send(flow(0, 0, 10))
        .expectDelivery(0, d -> {})
        .start();
    Sender sender = session().openSender("q");
    await().atMost(WAIT).until(() -> sender.credit() == 10);

    assertThatThrownBy(() -> sender.send(Message.ofData(new byte[200])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("100");
    sender.send(text("small"));

    peer.awaitDone(WAIT);
    assertThat(deliveryIds()).containsExactly(0L);
    assertThat(sender.credit()).isEqualTo(9);
  }
}
