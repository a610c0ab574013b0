package dev.amqpkit.amqp10;

import static dev.amqpkit.amqp10.LinkTestSupport.CLOSE_TIMEOUT;
import static dev.amqpkit.amqp10.LinkTestSupport.REQUEST_TIMEOUT;
import static dev.amqpkit.amqp10.LinkTestSupport.WAIT;
import static dev.amqpkit.amqp10.LinkTestSupport.condition;
import static dev.amqpkit.amqp10.LinkTestSupport.flow;
import static dev.amqpkit.amqp10.LinkTestSupport.isTrue;
import static dev.amqpkit.amqp10.LinkTestSupport.message;
import static dev.amqpkit.amqp10.LinkTestSupport.mirror;
import static dev.amqpkit.amqp10.LinkTestSupport.num;
import static dev.amqpkit.amqp10.LinkTestSupport.transfer;
import static dev.amqpkit.testkit.amqp10.Performatives.ATTACH;
import static dev.amqpkit.testkit.amqp10.Performatives.DETACH;
import static dev.amqpkit.testkit.amqp10.Performatives.END;
import static dev.amqpkit.testkit.amqp10.Performatives.FLOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.amqp10.types.UnsignedLong;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Described;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Sym;
import dev.amqpkit.testkit.amqp10.Amqp10Value.UByte;
import dev.amqpkit.testkit.amqp10.Amqp10Value.UInt;
import dev.amqpkit.testkit.amqp10.Amqp10Value.ULong;
import dev.amqpkit.testkit.amqp10.Frame;
import dev.amqpkit.testkit.amqp10.Performatives;
import dev.amqpkit.testkit.amqp10.Performatives.Role;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Attaching and detaching links, and the peer's bad input on a session's links, against a scripted
 * peer that does exactly what each test says. Senders and receivers at work are in {@link
 * SenderTest} and {@link ReceiverTest}.
 */
class LinkTest extends ScriptedLinkFixture {
  private static final Map<Symbol, Object> INFO = Map.of(Symbol.valueOf("queue"), "orders");

  LinkTest() throws IOException {}

  private static Described peerError(String condition) {
    return Performatives.error(condition, "it went wrong", Map.of("queue", "orders"));
  }

  private static AmqpError expectedError(String condition) {
    return new AmqpError(Symbol.valueOf(condition), "it went wrong", INFO);
  }

  // ---- attach ----

  @Test
  void aSendersAttachCarriesItsTargetPropertiesAndSettleModes() {
    AtomicReference<Frame> attach = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .expectAndRespond(
            ATTACH,
            0,
            a -> {
              attach.set(a);
              return mirror(a);
            })
        .start();
    Session session = session();

    Sender sender =
        session.openSender(
            SenderOptions.builder()
                .name("orders-out")
                .address("/queues/orders")
                .durability(Durability.UNSETTLED_STATE)
                .expiryPolicy(ExpiryPolicy.NEVER)
                .expiryTimeout(Duration.ofSeconds(60))
                .capability(Symbol.valueOf("queue"))
                .desiredCapability(Symbol.valueOf("ANONYMOUS-RELAY"))
                .property(Symbol.valueOf("owner"), "tests")
                .settleMode(SenderSettleMode.SETTLED)
                .receiverSettleMode(ReceiverSettleMode.SECOND)
                .maxMessageSize(1_000_000)
                .build());

    assertThat(sender.isOpen()).isTrue();
    assertThat(sender.name()).isEqualTo("orders-out");
    assertThat(sender.address()).isEqualTo("/queues/orders");
    Frame a = attach.get();
    assertThat(a.field("name")).isEqualTo("orders-out");
    assertThat(a.field("handle")).isEqualTo(new UInt(0));
    assertThat(a.field("role")).as("role sender").isEqualTo(false);
    assertThat(a.field("snd-settle-mode")).isEqualTo(new UByte(Performatives.SND_SETTLED));
    assertThat(a.field("rcv-settle-mode")).isEqualTo(new UByte(Performatives.RCV_SECOND));
    assertThat(a.field("initial-delivery-count")).isEqualTo(new UInt(0));
    assertThat(a.field("max-message-size")).isEqualTo(new ULong(1_000_000));
    assertThat(a.field("desired-capabilities")).isEqualTo(List.of(Sym.of("ANONYMOUS-RELAY")));
    assertThat(a.field("properties")).isEqualTo(Map.of(Sym.of("owner"), "tests"));
    Described target = (Described) a.field("target");
    assertThat(target.is(Performatives.TARGET)).isTrue();
    assertThat(target.field("address")).isEqualTo("/queues/orders");
    assertThat(target.field("durable")).isEqualTo(new UInt(2)); // unsettled-state
    assertThat(target.field("expiry-policy")).isEqualTo(Sym.of("never"));
    assertThat(target.field("timeout")).isEqualTo(new UInt(60));
    assertThat(isTrue(target.field("dynamic"))).isFalse();
    assertThat(target.field("capabilities")).isEqualTo(List.of(Sym.of("queue")));
    assertThat(a.field("source")).isInstanceOf(Described.class);
  }

  @Test
  void aReceiversAttachCarriesItsSourceFiltersAndSettleMode() {
    AtomicReference<Frame> attach = new AtomicReference<>();
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
        .start();
    Session session = session();

    Receiver receiver =
        session.openReceiver(
            ReceiverOptions.builder()
                .name("orders-in")
                .address("/queues/orders")
                .durability(Durability.CONFIGURATION)
                .expiryPolicy(ExpiryPolicy.LINK_DETACH)
                .selector("color = 'red'")
                .sessionFilter("session-42")
                .filter(Symbol.valueOf("my-filter"), Symbol.valueOf("example:my-filter"), "x > 1")
                .settleMode(ReceiverSettleMode.SECOND)
                .senderSettleMode(SenderSettleMode.UNSETTLED)
                .property(Symbol.valueOf("owner"), "tests")
                .build());

    peer.awaitDone(WAIT);
    assertThat(receiver.isOpen()).isTrue();
    assertThat(receiver.address()).isEqualTo("/queues/orders");
    Frame a = attach.get();
    assertThat(a.field("name")).isEqualTo("orders-in");
    assertThat(a.field("handle")).isEqualTo(new UInt(0));
    assertThat(a.field("role")).as("role receiver").isEqualTo(true);
    assertThat(a.field("rcv-settle-mode")).isEqualTo(new UByte(Performatives.RCV_SECOND));
    assertThat(a.field("snd-settle-mode")).isEqualTo(new UByte(Performatives.SND_UNSETTLED));
    assertThat(a.field("initial-delivery-count")).as("only a sender sets it").isNull();
    assertThat(a.field("max-message-size"))
        .isEqualTo(new ULong(ReceiverOptions.DEFAULT_MAX_MESSAGE_SIZE));
    assertThat(a.field("properties")).isEqualTo(Map.of(Sym.of("owner"), "tests"));
    Described source = (Described) a.field("source");
    assertThat(source.is(Performatives.SOURCE)).isTrue();
    assertThat(source.field("address")).isEqualTo("/queues/orders");
    assertThat(source.field("durable")).isEqualTo(new UInt(1)); // configuration
    assertThat(source.field("expiry-policy")).isEqualTo(Sym.of("link-detach"));
    assertThat(source.field("filter"))
        .isEqualTo(
            Map.of(
                Sym.of("apache.org:selector-filter:string"),
                new Described(new ULong(0x0000468C00000004L), "color = 'red'"),
                Sym.of("com.microsoft:session-filter"),
                // The code Azure's clients use: 0x00000013:0x7000000C.
                new Described(new ULong(0x00000137000000CL), "session-42"),
                Sym.of("my-filter"),
                new Described(Sym.of("example:my-filter"), "x > 1")));
    assertThat(a.field("target")).isInstanceOf(Described.class);
  }

  @Test
  void aGenericFilterTakesAnUnsignedLongDescriptor() {
    AtomicReference<Frame> attach = new AtomicReference<>();
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
        .start();

    session()
        .openReceiver(
            ReceiverOptions.builder()
                .address("q")
                .filter(Symbol.valueOf("f"), UnsignedLong.valueOf(0x1234_0000_0001L), 7L)
                .build());

    peer.awaitDone(WAIT);
    Described source = (Described) attach.get().field("source");
    assertThat(source.field("filter"))
        .isEqualTo(Map.of(Sym.of("f"), new Described(new ULong(0x1234_0000_0001L), 7L)));
  }

  // ---- refusals ----

  @Test
  void aSenderThePeerRefusesThrowsThePeersErrorAndTheSessionGoesOn() {
    AtomicReference<Frame> answer = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .expectAndRespond(ATTACH, 0, a -> mirror(a).with("target", null))
        .send(Performatives.detach(0, 0, peerError("amqp:not-found")))
        .expectPerformative(DETACH, 0, answer::set)
        .acceptAttach()
        .start();
    Session session = session();

    assertThatThrownBy(() -> session.openSender("/queues/orders"))
        .isInstanceOfSatisfying(
            LinkClosedException.class,
            e -> {
              assertThat(e.error()).isEqualTo(expectedError("amqp:not-found"));
              assertThat(e.initiator()).isEqualTo(CloseInitiator.PEER);
              assertThat(e).hasMessageContaining("it went wrong");
            });

    assertThat(session.isOpen()).isTrue();
    Sender next = session.openSender("/queues/other");
    assertThat(next.isOpen()).isTrue();
    peer.awaitDone(WAIT);
    assertThat(num(answer.get().field("handle"))).isZero();
    assertThat(isTrue(answer.get().field("closed"))).isTrue();
    assertThat(answer.get().field("error")).isNull();
    assertThat(connection.isOpen()).isTrue();
  }

  @Test
  void aReceiverThePeerRefusesThrowsThePeersErrorAndTheSessionGoesOn() {
    AtomicReference<Frame> answer = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .expectAndRespond(
            ATTACH, 0, a -> mirror(a).with("source", null).with("initial-delivery-count", null))
        .send(Performatives.detach(0, 0, peerError("amqp:unauthorized-access")))
        .expectPerformative(DETACH, 0, answer::set)
        .acceptAttach()
        .expectPerformative(FLOW, 0)
        .start();
    Session session = session();

    assertThatThrownBy(() -> session.openReceiver("/queues/secret"))
        .isInstanceOfSatisfying(
            LinkClosedException.class,
            e -> {
              assertThat(e.error()).isEqualTo(expectedError("amqp:unauthorized-access"));
              assertThat(e.initiator()).isEqualTo(CloseInitiator.PEER);
            });

    assertThat(session.isOpen()).isTrue();
    Receiver next = session.openReceiver("/queues/public");
    assertThat(next.isOpen()).isTrue();
    peer.awaitDone(WAIT);
    assertThat(isTrue(answer.get().field("closed"))).isTrue();
  }

  @Test
  void aReceiverSettleModeThePeerDoesNotAgreeToClosesTheLink() {
    AtomicReference<Frame> detach = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .expectAndRespond(
            ATTACH, 0, a -> mirror(a).with("rcv-settle-mode", Performatives.RCV_FIRST))
        .expectPerformative(DETACH, 0, detach::set)
        .send(Performatives.detach(0, 0, null))
        .start();
    Session session = session();

    assertThatThrownBy(
            () ->
                session.openReceiver(
                    ReceiverOptions.builder()
                        .address("q")
                        .settleMode(ReceiverSettleMode.SECOND)
                        .build()))
        .isInstanceOfSatisfying(
            LinkClosedException.class,
            e -> {
              assertThat(e).hasMessageContaining("SECOND").hasMessageContaining("FIRST");
              assertThat(e.error().condition().toString()).isEqualTo("amqp:precondition-failed");
              assertThat(e.error().description()).contains("SECOND").contains("FIRST");
            });

    peer.awaitDone(WAIT);
    assertThat(isTrue(detach.get().field("closed"))).isTrue();
    assertThat(condition(detach.get())).isEqualTo("amqp:precondition-failed");
    assertThat(session.isOpen()).isTrue();
  }

  @Test
  void aSenderSettleModeThePeerDoesNotAgreeToClosesTheLink() {
    AtomicReference<Frame> detach = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .expectAndRespond(
            ATTACH, 0, a -> mirror(a).with("snd-settle-mode", Performatives.SND_UNSETTLED))
        .expectPerformative(DETACH, 0, detach::set)
        .send(Performatives.detach(0, 0, null))
        .start();
    Session session = session();

    assertThatThrownBy(
            () ->
                session.openSender(
                    SenderOptions.builder()
                        .address("q")
                        .settleMode(SenderSettleMode.SETTLED)
                        .build()))
        .isInstanceOfSatisfying(
            LinkClosedException.class,
            e -> {
              assertThat(e).hasMessageContaining("SETTLED").hasMessageContaining("UNSETTLED");
              assertThat(e.error().condition().toString()).isEqualTo("amqp:precondition-failed");
            });

    peer.awaitDone(WAIT);
    assertThat(isTrue(detach.get().field("closed"))).isTrue();
    Described error = (Described) detach.get().field("error");
    assertThat(error.field("condition")).isEqualTo(Sym.of("amqp:precondition-failed"));
    assertThat((String) error.field("description")).contains("SETTLED").contains("UNSETTLED");
  }

  @Test
  void aPeerThatNeverAttachesTimesOutAndItsLateAttachIsDetached() {
    AtomicReference<Frame> detach = new AtomicReference<>();
    peer.openHandshake().acceptBegin().expectPerformative(ATTACH, 0).start();
    Session session = session();

    long start = System.nanoTime();
    assertThatThrownBy(
            () -> session.openSender(SenderOptions.builder().name("late").address("q").build()))
        .isInstanceOf(AmqpTimeoutException.class)
        .hasMessageContaining("late");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .isBetween(REQUEST_TIMEOUT.toMillis() - 50, REQUEST_TIMEOUT.toMillis() + 2000);

    // The late attach arrives, and the client detaches the link.
    peer.send(
            Performatives.attach(
                0, "late", 0, Role.RECEIVER, Performatives.source(null), Performatives.target("q")))
        .expectPerformative(DETACH, 0, detach::set)
        .send(Performatives.detach(0, 0, null))
        .acceptAttach();
    await().atMost(WAIT).until(() -> detach.get() != null);
    assertThat(num(detach.get().field("handle"))).isZero();
    assertThat(isTrue(detach.get().field("closed"))).isTrue();
    assertThat(session.isOpen()).isTrue();
    assertThat(session.openSender("q").isOpen()).isTrue();
    peer.awaitDone(WAIT);
  }

  // ---- the peer detaches ----

  @Test
  void aPeersDetachWithAnErrorFailsTheSenderAndWhatAwaitsItsOutcome() throws Exception {
    AtomicReference<Frame> answer = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .send(flow(0, 0, 10))
        .expectDelivery(0, d -> {})
        .send(Performatives.detach(0, 0, peerError("amqp:resource-deleted")))
        .expectPerformative(DETACH, 0, answer::set)
        .start();
    Session session = session(LinkTestSupport.options(peer).closeTimeout(Duration.ofSeconds(5)));
    Sender sender = session.openSender("q");
    await().atMost(WAIT).until(() -> sender.credit() == 10);

    CompletableFuture<Outcome> outcome = sender.send(Message.ofValue("awaits its outcome"));

    assertThatThrownBy(() -> outcome.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            LinkClosedException.class,
            e -> {
              assertThat(e.error()).isEqualTo(expectedError("amqp:resource-deleted"));
              assertThat(e.initiator()).isEqualTo(CloseInitiator.PEER);
            });
    peer.awaitDone(WAIT);
    assertThat(isTrue(answer.get().field("closed"))).isTrue();
    assertThat(sender.isOpen()).isFalse();
    assertThatThrownBy(() -> sender.send(Message.ofValue("later")))
        .isInstanceOfSatisfying(
            LinkClosedException.class,
            e -> {
              assertThat(e.error()).isEqualTo(expectedError("amqp:resource-deleted"));
              assertThat(e.initiator()).isEqualTo(CloseInitiator.PEER);
            });
    assertThat(((LinkClosedException) sender.closeCause()).error())
        .isEqualTo(expectedError("amqp:resource-deleted"));

    long start = System.nanoTime();
    sender.close();
    sender.close();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .as("close after the peer's detach returns at once, not after the 5 s close timeout")
        .isLessThan(1000);
    assertThat(LinkTestSupport.detaches(peer)).as("no second detach").hasSize(1);
    assertThat(session.isOpen()).isTrue();
  }

  @Test
  void aPeersDetachWithAnErrorWakesAWaitingReceive() throws Exception {
    AtomicReference<Frame> answer = new AtomicReference<>();
    peer.openHandshake().acceptBegin().acceptAttach().expectPerformative(FLOW, 0).start();
    Session session = session(LinkTestSupport.options(peer).closeTimeout(Duration.ofSeconds(5)));
    Receiver receiver = session.openReceiver("q");
    CompletableFuture<Delivery> waiting =
        LinkTestSupport.waitingReceive(receiver, Duration.ofSeconds(20));

    peer.send(Performatives.detach(0, 0, peerError("amqp:link:detach-forced")))
        .expectPerformative(DETACH, 0, answer::set);

    assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(
            LinkClosedException.class,
            e -> assertThat(e.error()).isEqualTo(expectedError("amqp:link:detach-forced")));
    peer.awaitDone(WAIT);
    assertThat(isTrue(answer.get().field("closed"))).isTrue();
    assertThatThrownBy(() -> receiver.receive(Duration.ZERO))
        .isInstanceOfSatisfying(
            LinkClosedException.class,
            e -> {
              assertThat(e.error()).isEqualTo(expectedError("amqp:link:detach-forced"));
              assertThat(e.initiator()).isEqualTo(CloseInitiator.PEER);
            });
    assertThatThrownBy(receiver::poll).isInstanceOf(LinkClosedException.class);
    long start = System.nanoTime();
    receiver.close();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000);
  }

  // ---- closing ----

  @Test
  void closeReturnsWithinTheCloseTimeoutWhenThePeerIsSilentAndTwiceIsFine() {
    AtomicReference<Frame> detach = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .expectPerformative(DETACH, 0, detach::set)
        .start();
    Session session = session();
    Sender sender = session.openSender("q");

    long start = System.nanoTime();
    sender.close();
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    sender.close();

    assertThat(took).isBetween(CLOSE_TIMEOUT.toMillis() - 50, CLOSE_TIMEOUT.toMillis() + 2000);
    peer.awaitDone(WAIT);
    assertThat(isTrue(detach.get().field("closed"))).isTrue();
    assertThat(detach.get().field("error")).isNull();
    assertThat(sender.isOpen()).isFalse();
    assertThat(sender.closeCause())
        .isInstanceOfSatisfying(
            LinkClosedException.class,
            e -> assertThat(e.initiator()).isEqualTo(CloseInitiator.APPLICATION));
    assertThatThrownBy(() -> sender.send(Message.ofValue("x")))
        .isInstanceOf(LinkClosedException.class);
    assertThat(LinkTestSupport.detaches(peer)).hasSize(1);
  }

  @Test
  void closeWithAnErrorSendsIt() {
    AtomicReference<Frame> detach = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .expectPerformative(FLOW, 0)
        .expectAndRespond(
            DETACH,
            0,
            d -> {
              detach.set(d);
              return Performatives.detach(0, 0, null);
            })
        .start();
    Receiver receiver = session().openReceiver("q");

    receiver.close(new AmqpError(Symbol.valueOf("app:done"), "finished", INFO));

    peer.awaitDone(WAIT);
    Described error = (Described) detach.get().field("error");
    assertThat(error.field("condition")).isEqualTo(Sym.of("app:done"));
    assertThat(error.field("description")).isEqualTo("finished");
    assertThat(error.field("info")).isEqualTo(Map.of(Sym.of("queue"), "orders"));
  }

  @Test
  void detachSendsADetachThatDoesNotClose() {
    AtomicReference<Frame> detach = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .expectAndRespond(
            DETACH,
            0,
            d -> {
              detach.set(d);
              return Frame.amqp(0, Performatives.described(DETACH)).with("handle", 0);
            })
        .start();
    Sender sender =
        session(LinkTestSupport.options(peer).closeTimeout(Duration.ofSeconds(5))).openSender("q");

    long start = System.nanoTime();
    sender.detach();

    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .as("the peer answered at once, long before the close timeout")
        .isLessThan(2500);
    peer.awaitDone(WAIT);
    assertThat(isTrue(detach.get().field("closed"))).as("closed").isFalse();
    assertThat(sender.isOpen()).isFalse();
    sender.close(); // after a detach: nothing more to do
    assertThat(LinkTestSupport.detaches(peer)).hasSize(1);
  }

  // ---- dynamic links ----

  @Test
  void aDynamicSenderTakesTheAddressThePeerGives() {
    AtomicReference<Frame> attach = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .expectAndRespond(
            ATTACH,
            0,
            a -> {
              attach.set(a);
              return mirror(a).with("target", Performatives.target("dyn-42").with("dynamic", true));
            })
        .start();

    Sender sender = session().openSender(SenderOptions.builder().dynamic(true).build());

    assertThat(sender.address()).isEqualTo("dyn-42");
    Described target = (Described) attach.get().field("target");
    assertThat(target.field("dynamic")).isEqualTo(true);
    assertThat(target.field("address")).isNull();
  }

  @Test
  void aDynamicReceiverTakesTheAddressThePeerGives() {
    AtomicReference<Frame> attach = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .expectAndRespond(
            ATTACH,
            0,
            a -> {
              attach.set(a);
              return mirror(a)
                  .with("source", Performatives.source("tmp-queue-7").with("dynamic", true));
            })
        .expectPerformative(FLOW, 0)
        .start();

    Receiver receiver = session().openReceiver(ReceiverOptions.builder().dynamic(true).build());

    assertThat(receiver.address()).isEqualTo("tmp-queue-7");
    Described source = (Described) attach.get().field("source");
    assertThat(source.field("dynamic")).isEqualTo(true);
    assertThat(source.field("address")).isNull();
    peer.awaitDone(WAIT);
  }

  // ---- bad input: the session ends, the connection goes on ----

  @Test
  void aTransferOnAHandleNeverAttachedEndsTheSession() throws Exception {
    AtomicReference<Frame> end = new AtomicReference<>();
    peer.openHandshake().acceptBegin().acceptAttach().expectPerformative(FLOW, 0).start();
    Session session = session();
    Receiver receiver = session.openReceiver("q");
    CompletableFuture<Delivery> waiting =
        LinkTestSupport.waitingReceive(receiver, Duration.ofSeconds(20));

    peer.send(transfer(7, 0, message("stray")))
        .expectAndRespond(
            END,
            0,
            e -> {
              end.set(e);
              return Performatives.end(0, null);
            })
        .acceptBegin();

    assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(SessionClosedException.class);
    await().atMost(WAIT).until(() -> end.get() != null);
    assertThat(condition(end.get())).isEqualTo("amqp:session:unattached-handle");
    assertSessionEndedByClient(session, "amqp:session:unattached-handle");
    assertThatThrownBy(() -> receiver.receive(Duration.ZERO))
        .isInstanceOf(SessionClosedException.class);
    assertThat(connection.isOpen()).isTrue();
    assertThat(connection.openSession().isOpen()).as("the connection goes on").isTrue();
    peer.awaitDone(WAIT);
  }

  @Test
  void transfersBeyondTheIncomingWindowEndTheSession() {
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .expectPerformative(FLOW, 0)
        .send(
            transfer(0, 0, message("one")),
            transfer(0, 1, message("two")),
            transfer(0, 2, message("three")))
        .start();
    Session session =
        session(LinkTestSupport.options(peer), SessionOptions.DEFAULTS.withIncomingWindow(2));
    session.openReceiver("q");

    Frame clientEnd =
        peer.awaitReceived("end", f -> f.isPerformative(END, 0), Duration.ofSeconds(3));
    assertThat(condition(clientEnd)).isEqualTo("amqp:session:window-violation");
    assertSessionEndedByClient(session, "amqp:session:window-violation");
    assertThat(connection.isOpen()).isTrue();
  }

  private Session session(ConnectionOptions.Builder options, SessionOptions sessionOptions) {
    connection = Connection.open(options.build());
    return connection.openSession(sessionOptions);
  }

  @Test
  void aFlowForAHandleNeverAttachedEndsTheSession() throws Exception {
    AtomicReference<Frame> end = new AtomicReference<>();
    peer.openHandshake().acceptBegin().acceptAttach().start();
    Session session = session(LinkTestSupport.options(peer).requestTimeout(Duration.ofSeconds(10)));
    Sender sender = session.openSender("q");
    CompletableFuture<CompletableFuture<Outcome>> waiting =
        LinkTestSupport.waitingSend(sender, Message.ofValue("waits for credit"));

    peer.send(flow(5, 0, 10))
        .expectAndRespond(
            END,
            0,
            e -> {
              end.set(e);
              return Performatives.end(0, null);
            });

    assertThatThrownBy(() -> waiting.get(2, TimeUnit.SECONDS))
        .as("the waiting send fails with the session, long before its 10 s request timeout")
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(SessionClosedException.class);
    peer.awaitDone(WAIT);
    assertThat(condition(end.get())).isEqualTo("amqp:session:unattached-handle");
    assertSessionEndedByClient(session, "amqp:session:unattached-handle");
    assertThat(sender.isOpen()).isFalse();
    assertThatThrownBy(() -> sender.send(Message.ofValue("x")))
        .isInstanceOf(SessionClosedException.class);
    assertThat(LinkTestSupport.transfers(peer)).isEmpty();
    assertThat(connection.isOpen()).isTrue();
  }

  @Test
  void aDetachForAHandleNeverAttachedEndsTheSession() throws Exception {
    AtomicReference<Frame> end = new AtomicReference<>();
    peer.openHandshake().acceptBegin().acceptAttach().expectPerformative(FLOW, 0).start();
    Session session = session();
    Receiver receiver = session.openReceiver("q");
    CompletableFuture<Delivery> waiting =
        LinkTestSupport.waitingReceive(receiver, Duration.ofSeconds(20));

    peer.send(Performatives.detach(0, 3, null))
        .expectAndRespond(
            END,
            0,
            e -> {
              end.set(e);
              return Performatives.end(0, null);
            });

    assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(SessionClosedException.class);
    peer.awaitDone(WAIT);
    assertThat(condition(end.get())).isEqualTo("amqp:session:unattached-handle");
    assertSessionEndedByClient(session, "amqp:session:unattached-handle");
    assertThat(receiver.closeCause()).isInstanceOf(SessionClosedException.class);
    assertThat(connection.isOpen()).isTrue();
  }

  @Test
  void transfersFarBeyondTheCreditDetachTheLink() {
    AtomicReference<Frame> detach = new AtomicReference<>();
    peer.openHandshake()
        .acceptBegin()
        .acceptAttach()
        .expectPerformative(FLOW, 0) // credit 2
        .send(
            transfer(0, 0, message("m0")),
            transfer(0, 1, message("m1")),
            transfer(0, 2, message("m2"))) // one beyond the credit: tolerated
        .start();
    Session session = session();
    Receiver receiver =
        session.openReceiver(ReceiverOptions.builder().address("q").manualCredit().build());
    receiver.addCredit(2);

    for (int i = 0; i < 3; i++) {
      Delivery d = receiver.receive(WAIT);
      assertThat(d).as("delivery %d", i).isNotNull();
      assertThat(d.message().bodyBytes()).isEqualTo(("m" + i).getBytes());
    }
    assertThat(receiver.isOpen()).as("a small overrun is tolerated").isTrue();
    // Up to twice the credit beyond it is tolerated (RabbitMQ's overruns); 7 for 2 credits is not.
    peer.send(
            transfer(0, 3, message("m3")),
            transfer(0, 4, message("m4")),
            transfer(0, 5, message("m5")),
            transfer(0, 6, message("m6")))
        .expectAndRespond(
            DETACH,
            0,
            d -> {
              detach.set(d);
              return Performatives.detach(0, 0, null);
            });

    peer.awaitDone(WAIT);
    // The client sends its detach, then records why the link closed: wait for the latter.
    await().atMost(WAIT).until(() -> !receiver.isOpen());
    assertThat(condition(detach.get())).isEqualTo("amqp:link:transfer-limit-exceeded");
    assertThat(isTrue(detach.get().field("closed"))).isTrue();
    assertThat(receiver.closeCause())
        .isInstanceOfSatisfying(
            LinkClosedException.class,
            e -> {
              assertThat(e.error().condition().toString())
                  .isEqualTo("amqp:link:transfer-limit-exceeded");
              assertThat(e.initiator()).isEqualTo(CloseInitiator.CLIENT);
            });
    assertThatThrownBy(() -> receiver.receive(Duration.ZERO))
        .isInstanceOf(LinkClosedException.class);
    assertThat(session.isOpen()).isTrue();
  }

  private void assertSessionEndedByClient(Session session, String condition) {
    await().atMost(WAIT).until(() -> !session.isOpen());
    SessionClosedException cause = session.closeCause();
    assertThat(cause.error().condition().toString()).isEqualTo(condition);
    assertThat(cause.initiator()).isEqualTo(CloseInitiator.CLIENT);
  }

  @Test
  void aSendWaitingForTheSessionWindowFailsAtOnceWhenTheSessionEnds() throws Exception {
    peer.openHandshake()
        .expectAndRespond(Performatives.BEGIN, 0, b -> Performatives.begin(0, 0, 0, 1, 2048))
        .acceptAttach()
        .send(Performatives.flow(0, 0L, 1, 0, 2048, 0, 0, 10))
        .expectDelivery(0, d -> {})
        .start();
    Session session = session(LinkTestSupport.options(peer).requestTimeout(Duration.ofSeconds(10)));
    Sender sender = session.openSender("q");
    await().atMost(WAIT).until(() -> sender.credit() == 10);
    sender.send(Message.ofValue("m0"));
    peer.awaitDone(WAIT);
    CompletableFuture<CompletableFuture<Outcome>> waiting =
        LinkTestSupport.waitingSend(sender, Message.ofValue("m1")); // no room in the window of 1

    peer.send(Performatives.end(0, peerError("amqp:internal-error"))).expectPerformative(END, 0);

    assertThatThrownBy(() -> waiting.get(2, TimeUnit.SECONDS))
        .as("the waiting send fails with the session, long before its 10 s request timeout")
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            SessionClosedException.class,
            e -> assertThat(e.error()).isEqualTo(expectedError("amqp:internal-error")));
    peer.awaitDone(WAIT);
    assertThat(connection.isOpen()).isTrue();
  }
}
