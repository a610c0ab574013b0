package dev.amqpkit.amqp10;

import static dev.amqpkit.testkit.amqp10.Performatives.ATTACH;
import static dev.amqpkit.testkit.amqp10.Performatives.DETACH;
import static dev.amqpkit.testkit.amqp10.Performatives.DISPOSITION;
import static dev.amqpkit.testkit.amqp10.Performatives.FLOW;
import static dev.amqpkit.testkit.amqp10.Performatives.TRANSFER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.common.Recovery;
import dev.amqpkit.testkit.amqp10.Amqp10Value;
import dev.amqpkit.testkit.amqp10.Frame;
import dev.amqpkit.testkit.amqp10.Performatives;
import dev.amqpkit.testkit.amqp10.Performatives.Role;
import dev.amqpkit.testkit.amqp10.ScriptedPeer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * What the link tests against a {@link ScriptedPeer} share: a connection with short timeouts, the
 * peer's answers to the client's link frames, and readers of the frames the peer received.
 *
 * <p>Every test runs one session on channel 0 (the peer answers on the same channel), so its first
 * link has handle 0, its second handle 1, on both sides.
 */
final class LinkTestSupport {
  /** The request timeout of tests that wait for one to pass. */
  static final Duration REQUEST_TIMEOUT = Duration.ofMillis(500);

  /** The close timeout of tests that wait for one to pass. */
  static final Duration CLOSE_TIMEOUT = Duration.ofMillis(500);

  /** How long a test waits for something that is bound to happen. */
  static final Duration WAIT = Duration.ofSeconds(5);

  private LinkTestSupport() {}

  /** Options to connect to the peer without SASL and heartbeats, with the short timeouts. */
  static ConnectionOptions.Builder options(ScriptedPeer peer) {
    return ConnectionOptions.builder()
        .recovery(Recovery.disabled()) // the bare engine
        .endpoint(peer.host(), peer.port())
        .saslMechanism(SaslMechanism.NONE)
        .idleTimeout(Duration.ZERO)
        .requestTimeout(REQUEST_TIMEOUT)
        .closeTimeout(CLOSE_TIMEOUT);
  }

  // ---- the peer's frames ----

  /**
   * The peer's answer to a client's attach, as {@link ScriptedPeer#acceptAttach()} makes it: the
   * same name, handle, settle modes and termini, the other role, and initial-delivery-count 0 when
   * the peer is the sender. Change it with {@link Frame#with}.
   */
  static Frame mirror(Frame attach) {
    Role clientRole = Role.of(Boolean.TRUE.equals(attach.field("role")));
    Frame reply =
        Frame.amqp(attach.channel(), Performatives.described(ATTACH))
            .with("name", attach.field("name"))
            .with("handle", attach.field("handle"))
            .with("role", clientRole.opposite())
            .with("snd-settle-mode", attach.field("snd-settle-mode"))
            .with("rcv-settle-mode", attach.field("rcv-settle-mode"))
            .with("source", attach.field("source"))
            .with("target", attach.field("target"));
    return clientRole == Role.RECEIVER ? reply.with("initial-delivery-count", 0) : reply;
  }

  /**
   * The peer's flow for a link on channel 0, with a session window of {@link ScriptedPeer#WINDOW}
   * from transfer-id 0 of the client.
   */
  static Frame flow(long handle, long deliveryCount, long credit) {
    return Performatives.flow(
        0, 0L, ScriptedPeer.WINDOW, 0, ScriptedPeer.WINDOW, handle, deliveryCount, credit);
  }

  /** A transfer of one whole message on channel 0, unsettled, with a one-byte tag. */
  static Frame transfer(long handle, long deliveryId, byte[] payload) {
    return Performatives.transfer(0, handle, deliveryId, new byte[] {(byte) deliveryId}, payload);
  }

  /** The encoded message with a single data section holding {@code text}. */
  static byte[] message(String text) {
    return Performatives.message(
        Performatives.data(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  /** The peer's disposition as the receiver of the client's deliveries, settled. */
  static Frame receiverDisposition(long first, Long last, Amqp10Value.Described state) {
    return Performatives.disposition(0, Role.RECEIVER, first, last, state);
  }

  /**
   * Starts a send on another thread and returns once it waits (for credit, a place in flight or
   * room in the session window): its future completes with the send's future when it returns.
   */
  static CompletableFuture<CompletableFuture<Outcome>> waitingSend(Sender sender, Message message) {
    CompletableFuture<CompletableFuture<Outcome>> sent = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                sent.complete(sender.send(message));
              } catch (Throwable e) {
                sent.completeExceptionally(e);
              }
            },
            "waiting-send");
    thread.setDaemon(true);
    thread.start();
    await()
        .atMost(WAIT)
        .until(() -> thread.getState() == Thread.State.TIMED_WAITING || sent.isDone());
    assertThat(sent).as("the send waits").isNotDone();
    return sent;
  }

  /**
   * Starts {@code receiver.receive(timeout)} on another thread and returns once it waits: its
   * future completes with what the receive returned, or exceptionally with what it threw.
   */
  static CompletableFuture<Delivery> waitingReceive(Receiver receiver, Duration timeout) {
    CompletableFuture<Delivery> received = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                received.complete(receiver.receive(timeout));
              } catch (Throwable e) {
                received.completeExceptionally(e);
              }
            },
            "waiting-receive");
    thread.setDaemon(true);
    thread.start();
    await()
        .atMost(WAIT)
        .until(() -> thread.getState() == Thread.State.TIMED_WAITING || received.isDone());
    assertThat(received).as("the receive waits").isNotDone();
    return received;
  }

  // ---- reading the client's frames ----

  static long num(Object value) {
    return Amqp10Value.longValue(value);
  }

  /** A field's value as a number, or null when absent. */
  static Long numOrNull(Object value) {
    return value == null ? null : Amqp10Value.longValue(value);
  }

  /** Whether a boolean field is true (absent counts as false, its default). */
  static boolean isTrue(Object value) {
    return Boolean.TRUE.equals(value);
  }

  static Predicate<Frame> is(long code) {
    return f -> !f.isHeartbeat() && f.isPerformative(code);
  }

  /** The frames of this performative the peer received so far, in order. */
  static List<Frame> receivedOf(ScriptedPeer peer, long code) {
    return peer.received().stream().filter(is(code)).toList();
  }

  static List<Frame> transfers(ScriptedPeer peer) {
    return receivedOf(peer, TRANSFER);
  }

  static List<Frame> flows(ScriptedPeer peer) {
    return receivedOf(peer, FLOW);
  }

  static List<Frame> dispositions(ScriptedPeer peer) {
    return receivedOf(peer, DISPOSITION);
  }

  static List<Frame> detaches(ScriptedPeer peer) {
    return receivedOf(peer, DETACH);
  }

  /** The condition of the error field of a detach or end, as text. */
  static String condition(Frame frame) {
    Amqp10Value.Described error = (Amqp10Value.Described) frame.field("error");
    return error == null ? null : ((Amqp10Value.Sym) error.field("condition")).name();
  }
}
