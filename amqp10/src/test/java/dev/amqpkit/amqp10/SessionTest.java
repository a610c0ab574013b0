package dev.amqpkit.amqp10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.common.Recovery;
import dev.amqpkit.testkit.amqp10.Amqp10Value.UInt;
import dev.amqpkit.testkit.amqp10.Frame;
import dev.amqpkit.testkit.amqp10.Performatives;
import dev.amqpkit.testkit.amqp10.ScriptedPeer;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Beginning and ending sessions against a scripted peer. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SessionTest {
  private static final Duration SHORT = Duration.ofMillis(800);

  private final ScriptedPeer peer;
  private Connection connection;

  SessionTest() throws IOException {
    peer = new ScriptedPeer();
  }

  @AfterEach
  void close() {
    if (connection != null) connection.close();
    peer.close();
  }

  private Connection open() {
    connection =
        Connection.open(
            ConnectionOptions.builder()
                .recovery(Recovery.disabled()) // the bare engine
                .endpoint(peer.host(), peer.port())
                .saslMechanism(SaslMechanism.NONE)
                .idleTimeout(Duration.ZERO)
                .requestTimeout(SHORT)
                .closeTimeout(SHORT)
                .build());
    return connection;
  }

  @Test
  void aSessionBeginsWithItsWindowsAndEnds() {
    AtomicReference<Frame> begin = new AtomicReference<>();
    peer.openHandshake()
        .expectAndRespond(
            Performatives.BEGIN,
            0,
            f -> {
              begin.set(f);
              return Performatives.begin(3, 0, 0, 100, 100); // the peer's channel 3
            })
        .expectPerformative(Performatives.END, 0)
        .send(Performatives.end(3, null))
        .start();

    Session session = open().openSession(SessionOptions.DEFAULTS.withIncomingWindow(64));

    assertThat(session.channel()).isZero();
    assertThat(session.isOpen()).isTrue();
    assertThat(begin.get().field("remote-channel")).isNull();
    assertThat(begin.get().field("next-outgoing-id")).isEqualTo(new UInt(0));
    assertThat(begin.get().field("incoming-window")).isEqualTo(new UInt(64));
    assertThat(begin.get().field("outgoing-window")).isEqualTo(new UInt(2048));
    assertThat(begin.get().field("handle-max")).isEqualTo(new UInt(1023));

    session.close();
    peer.awaitDone(Duration.ofSeconds(5));
    assertThat(session.isOpen()).isFalse();
    assertThat(session.closeCause().initiator()).isEqualTo(CloseInitiator.APPLICATION);
    assertThat(connection.isOpen()).isTrue();
  }

  @Test
  void aSessionThePeerEndsWithAnErrorEndsAloneAndIsAnswered() {
    peer.openHandshake()
        .expectAndRespond(Performatives.BEGIN, 0, f -> Performatives.begin(0, 0, 0, 100, 100))
        .expectAndRespond(Performatives.BEGIN, 1, f -> Performatives.begin(1, 1, 0, 100, 100))
        .send(
            Performatives.end(0, Performatives.error("amqp:session:window-violation", "too many")))
        .expectPerformative(Performatives.END, 0)
        .start();
    Connection c = open();
    Session first = c.openSession();
    Session second = c.openSession();

    await().atMost(Duration.ofSeconds(5)).until(() -> !first.isOpen());
    peer.awaitDone(Duration.ofSeconds(5)); // the client answered the end
    SessionClosedException cause = first.closeCause();
    assertThat(cause.initiator()).isEqualTo(CloseInitiator.PEER);
    assertThat(cause.error().condition().toString()).isEqualTo("amqp:session:window-violation");
    assertThat(cause).hasMessageContaining("too many");
    assertThat(second.isOpen()).isTrue();
    assertThat(second.channel()).isEqualTo(1);
    assertThat(c.isOpen()).isTrue();
  }

  @Test
  void aFreedChannelIsUsedAgain() {
    peer.openHandshake()
        .expectAndRespond(Performatives.BEGIN, 0, f -> Performatives.begin(0, 0, 0, 100, 100))
        .expectAndRespond(Performatives.END, 0, f -> Performatives.end(0, null))
        .expectAndRespond(Performatives.BEGIN, 0, f -> Performatives.begin(0, 0, 0, 100, 100))
        .start();
    Connection c = open();
    c.openSession().close();

    assertThat(c.openSession().channel()).isZero();
    peer.awaitDone(Duration.ofSeconds(5));
  }

  @Test
  void aPeerThatNeverBeginsTimesOutAndTheLateBeginIsEnded() {
    peer.openHandshake()
        .expectPerformative(Performatives.BEGIN, 0)
        .goSilent()
        .send(Performatives.begin(0, 0, 0, 100, 100))
        .expectPerformative(Performatives.END, 0)
        .send(Performatives.end(0, null))
        .start();
    Connection c = open();

    long start = System.nanoTime();
    assertThatThrownBy(c::openSession)
        .isInstanceOf(AmqpTimeoutException.class)
        .hasMessageContaining("no begin from the peer within " + SHORT);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .isBetween(SHORT.toMillis() - 50, SHORT.toMillis() + 3000);

    peer.resume(); // the late begin arrives, and the client ends that session
    peer.awaitDone(Duration.ofSeconds(5));
    assertThat(c.isOpen()).isTrue();
  }

  @Test
  void closingTheConnectionEndsItsSessions() {
    peer.openHandshake()
        .expectAndRespond(Performatives.BEGIN, 0, f -> Performatives.begin(0, 0, 0, 100, 100))
        .acceptClose()
        .start();
    Connection c = open();
    Session session = c.openSession();

    c.close();

    assertThat(session.isOpen()).isFalse();
    assertThat(session.closeCause().initiator()).isEqualTo(CloseInitiator.APPLICATION);
    assertThat(session.closeCause().getCause()).isInstanceOf(ConnectionClosedException.class);
    assertThatThrownBy(c::openSession).isInstanceOf(ConnectionClosedException.class);
  }

  @Test
  void aBeginForNoWaitingSessionIsAProtocolError() {
    peer.openHandshake()
        .send(Performatives.begin(0, 7, 0, 100, 100))
        .expectPerformative(Performatives.CLOSE, 0)
        .start();
    Connection c = open();

    await().atMost(Duration.ofSeconds(5)).until(() -> !c.isOpen());
    assertThat(c.closeCause()).isInstanceOf(ProtocolException.class);
    assertThat(c.closeCause().error().description())
        .isEqualTo("begin for channel 7, where no session waits for one");
    peer.awaitDone(Duration.ofSeconds(5));
  }

  @Test
  void aSessionThePeerBeginsIsRefused() {
    peer.openHandshake()
        .send(Performatives.begin(0, null, 0, 100, 100))
        .expectPerformative(Performatives.CLOSE, 0)
        .start();
    Connection c = open();

    await().atMost(Duration.ofSeconds(5)).until(() -> !c.isOpen());
    assertThat(c.closeCause().error().description()).contains("takes only sessions it began");
  }
}
