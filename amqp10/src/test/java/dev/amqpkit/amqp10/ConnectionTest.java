package dev.amqpkit.amqp10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.common.Recovery;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Sym;
import dev.amqpkit.testkit.amqp10.Amqp10Value.UInt;
import dev.amqpkit.testkit.amqp10.Frame;
import dev.amqpkit.testkit.amqp10.Performatives;
import dev.amqpkit.testkit.amqp10.ScriptedPeer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Opening and closing a connection against a scripted peer that plays each side's part exactly. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectionTest {
  private static final Duration SHORT = Duration.ofMillis(800);

  private final ScriptedPeer peer;
  private Connection connection;

  ConnectionTest() throws IOException {
    peer = new ScriptedPeer();
  }

  @AfterEach
  void close() {
    if (connection != null) connection.close();
    peer.close();
  }

  private ConnectionOptions.Builder options() {
    return ConnectionOptions.builder()
        .recovery(Recovery.disabled()) // the bare engine
        .endpoint(peer.host(), peer.port())
        .credentials("alice", "s3cret")
        .containerId("client-1")
        .idleTimeout(Duration.ZERO)
        .connectTimeout(Duration.ofSeconds(3))
        .closeTimeout(SHORT);
  }

  private Connection open(ConnectionOptions.Builder options) {
    connection = Connection.open(options.build());
    return connection;
  }

  @Test
  void opensWithSaslPlainAndExchangesOpen() {
    AtomicReference<Frame> init = new AtomicReference<>();
    AtomicReference<Frame> open = new AtomicReference<>();
    peer.saslHandshake("PLAIN", init::set)
        .expectProtocolHeader(Frame.PROTOCOL_AMQP)
        .sendProtocolHeader(Frame.PROTOCOL_AMQP)
        .expectPerformative(Performatives.OPEN, 0, open::set)
        .send(Performatives.open("broker-7", 4096, 100, Duration.ofSeconds(30)))
        .acceptClose()
        .start();

    Connection c = open(options().maxFrameSize(65536).hostname("vhost:prod"));

    assertThat(c.remoteContainerId()).isEqualTo("broker-7");
    assertThat(c.maxFrameSize()).as("the smaller of the two limits").isEqualTo(4096);
    assertThat(c.remoteIdleTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.isOpen()).isTrue();
    byte[] response = (byte[]) init.get().field("initial-response");
    assertThat(new String(response, StandardCharsets.UTF_8)).isEqualTo("\0alice\0s3cret");
    assertThat(init.get().field("hostname")).isEqualTo("vhost:prod");
    assertThat(open.get().field("container-id")).isEqualTo("client-1");
    assertThat(open.get().field("hostname")).isEqualTo("vhost:prod");
    assertThat(open.get().field("max-frame-size")).isEqualTo(new UInt(65536));

    c.close();
    peer.awaitDone(Duration.ofSeconds(5));
    assertThat(c.isOpen()).isFalse();
    assertThat(c.closeCause().initiator()).isEqualTo(CloseInitiator.APPLICATION);
  }

  @Test
  void aRefusedLoginIsAnAuthenticationErrorWithTheSaslCode() {
    peer.expectProtocolHeader(Frame.PROTOCOL_SASL)
        .sendProtocolHeader(Frame.PROTOCOL_SASL)
        .send(Performatives.saslMechanisms("PLAIN", "ANONYMOUS"))
        .expectPerformative(Performatives.SASL_INIT)
        .send(Performatives.saslOutcome(Performatives.SASL_AUTH))
        .start();

    assertThatThrownBy(() -> open(options()))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("refused the login of user 'alice'")
        .hasMessageNotContaining("s3cret")
        .extracting(e -> ((AuthenticationException) e).saslCode())
        .isEqualTo(1);
  }

  @Test
  void xoauth2SendsTheBearerTokenAndOpens() {
    AtomicReference<Frame> init = new AtomicReference<>();
    peer.saslHandshake("XOAUTH2", init::set).openHandshake().acceptClose().start();

    Connection c =
        open(
            ConnectionOptions.builder()
                .recovery(Recovery.disabled()) // the bare engine
                .endpoint(peer.host(), peer.port())
                .bearerToken("alice", "tok-123")
                .idleTimeout(Duration.ZERO)
                .closeTimeout(SHORT));

    assertThat(c.isOpen()).isTrue();
    byte[] response = (byte[]) init.get().field("initial-response");
    assertThat(new String(response, StandardCharsets.UTF_8))
        .isEqualTo("user=alice\u0001auth=Bearer tok-123\u0001\u0001");
  }

  @Test
  void aRefusedXoauth2TokenIsAnAuthenticationError() {
    // XOAUTH2 refuses with a challenge holding the error; the client answers with one 0x01 byte,
    // and the outcome follows.
    AtomicReference<Frame> response = new AtomicReference<>();
    peer.expectProtocolHeader(Frame.PROTOCOL_SASL)
        .sendProtocolHeader(Frame.PROTOCOL_SASL)
        .send(Performatives.saslMechanisms("XOAUTH2"))
        .expectPerformative(Performatives.SASL_INIT)
        .send(Performatives.saslChallenge("{\"status\":\"401\"}".getBytes(StandardCharsets.UTF_8)))
        .expectPerformative(Performatives.SASL_RESPONSE, 0, response::set)
        .send(Performatives.saslOutcome(Performatives.SASL_AUTH))
        .start();

    assertThatThrownBy(
            () ->
                open(
                    ConnectionOptions.builder()
                        .recovery(Recovery.disabled()) // the bare engine
                        .endpoint(peer.host(), peer.port())
                        .bearerToken("alice", "expired")
                        .connectTimeout(Duration.ofSeconds(3))))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("refused the login of user 'alice'")
        .hasMessageNotContaining("expired");
    assertThat((byte[]) response.get().field("response")).containsExactly(1);
  }

  @Test
  void failedLoginsLeaveNoThreadBehind() throws Exception {
    long before = liveThreads("amqpkit-amqp10-writer-");
    for (int i = 0; i < 5; i++) {
      try (ScriptedPeer refusing = new ScriptedPeer()) {
        refusing
            .expectProtocolHeader(Frame.PROTOCOL_SASL)
            .sendProtocolHeader(Frame.PROTOCOL_SASL)
            .send(Performatives.saslMechanisms("PLAIN"))
            .expectPerformative(Performatives.SASL_INIT)
            .send(Performatives.saslOutcome(Performatives.SASL_AUTH))
            .start();
        ConnectionOptions options =
            ConnectionOptions.builder()
                .recovery(Recovery.disabled()) // the bare engine
                .endpoint(refusing.host(), refusing.port())
                .credentials("alice", "wrong")
                .build();
        assertThatThrownBy(() -> Connection.open(options))
            .isInstanceOf(AuthenticationException.class);
      }
    }

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> liveThreads("amqpkit-amqp10-writer-") <= before);
  }

  private static long liveThreads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .count();
  }

  @Test
  void aMechanismThePeerDoesNotOfferIsRefusedBeforeLogin() {
    peer.expectProtocolHeader(Frame.PROTOCOL_SASL)
        .sendProtocolHeader(Frame.PROTOCOL_SASL)
        .send(Performatives.saslMechanisms("ANONYMOUS", "EXTERNAL"))
        .start();

    assertThatThrownBy(() -> open(options()))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("does not offer SASL PLAIN (it offers: [ANONYMOUS, EXTERNAL])");
  }

  @Test
  void aPeerSpeakingAmqp091IsNamedAsSuch() {
    peer.expectProtocolHeader(Frame.PROTOCOL_SASL)
        .sendRaw(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1})
        .start();

    assertThatThrownBy(() -> open(options()))
        .isInstanceOf(ConnectFailedException.class)
        .hasMessageContaining("0-9-1");
  }

  @Test
  void aPeerThatClosesRightAfterItsOpenFailsTheOpen() {
    peer.saslHandshake("PLAIN")
        .expectProtocolHeader(Frame.PROTOCOL_AMQP)
        .sendProtocolHeader(Frame.PROTOCOL_AMQP)
        .expectPerformative(Performatives.OPEN, 0)
        .send(
            Performatives.open("broker"),
            Performatives.close(Performatives.error("amqp:not-found", "no vhost 'x'")))
        .start();

    assertThatThrownBy(() -> open(options()))
        .isInstanceOf(ConnectionClosedException.class)
        .hasMessageContaining("amqp:not-found: no vhost 'x'")
        .satisfies(
            e -> {
              ConnectionClosedException c = (ConnectionClosedException) e;
              assertThat(c.initiator()).isEqualTo(CloseInitiator.PEER);
              assertThat(c.error().condition().toString()).isEqualTo("amqp:not-found");
            });
  }

  @Test
  void thePeersCloseIsAnsweredAndReportedToListeners() throws Exception {
    peer.saslHandshake("PLAIN")
        .openHandshake()
        .delay(Duration.ofMillis(300)) // after open() returned
        .send(Performatives.close(Performatives.error("amqp:connection:forced", "shutting down")))
        .expectPerformative(Performatives.CLOSE, 0)
        .start();
    CompletableFuture<ConnectionClosedException> heard = new CompletableFuture<>();
    Connection c = open(options());
    c.addListener(
        new ConnectionListener() {
          @Override
          public void closed(ConnectionClosedException cause) {
            heard.complete(cause);
          }
        });

    ConnectionClosedException cause = heard.get(5, TimeUnit.SECONDS);
    assertThat(cause.initiator()).isEqualTo(CloseInitiator.PEER);
    assertThat(cause.error().condition().toString()).isEqualTo("amqp:connection:forced");
    assertThat(cause.error().description()).isEqualTo("shutting down");
    peer.awaitDone(Duration.ofSeconds(5)); // our close answered theirs
    assertThat(c.isOpen()).isFalse();
  }

  @Test
  void aSilentPeerIsDetectedWithinTheIdleTimeout() {
    peer.saslHandshake("PLAIN").openHandshake().goSilent().start();
    Connection c = open(options().idleTimeout(Duration.ofMillis(600)));

    long start = System.nanoTime();
    await().atMost(Duration.ofSeconds(5)).until(() -> !c.isOpen());
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3000);
    assertThat(c.closeCause().initiator()).isEqualTo(CloseInitiator.NETWORK);
    assertThat(c.closeCause()).hasMessageContaining("idle timeout of 600 ms");
  }

  @Test
  void emptyFramesKeepThePeersIdleTimeout() {
    peer.saslHandshake("PLAIN")
        .openHandshake(Performatives.open("broker", 65536, 100, Duration.ofMillis(400)))
        .expectHeartbeat(Duration.ofMillis(400))
        .expectHeartbeat(Duration.ofMillis(400))
        .start();

    open(options());

    peer.awaitDone(Duration.ofSeconds(5));
  }

  @Test
  void aMalformedFrameClosesTheConnectionWithAFramingError() throws Exception {
    AtomicReference<Frame> close = new AtomicReference<>();
    peer.saslHandshake("PLAIN")
        .openHandshake()
        .delay(Duration.ofMillis(300)) // after open() returned; one buffered with the open fails it
        // SIZE 6: smaller than a frame header.
        .sendRaw(new byte[] {0, 0, 0, 6, 2, 0, 0, 0})
        .expectPerformative(Performatives.CLOSE, 0, close::set)
        .start();
    CompletableFuture<ConnectionClosedException> heard = new CompletableFuture<>();
    Connection c = open(options());
    c.addListener(
        new ConnectionListener() {
          @Override
          public void closed(ConnectionClosedException cause) {
            heard.complete(cause);
          }
        });

    ConnectionClosedException cause = heard.get(5, TimeUnit.SECONDS);
    assertThat(cause).isInstanceOf(ProtocolException.class);
    assertThat(cause.initiator()).isEqualTo(CloseInitiator.CLIENT);
    assertThat(cause.error().condition().toString()).isEqualTo("amqp:connection:framing-error");
    peer.awaitDone(Duration.ofSeconds(5));
    Object sent = close.get().field("error");
    assertThat(sent.toString()).contains("amqp:connection:framing-error");
  }

  @Test
  void aPeerThatNeverOpensTimesOutWithinTheConnectTimeout() {
    peer.saslHandshake("PLAIN")
        .expectProtocolHeader(Frame.PROTOCOL_AMQP)
        .sendProtocolHeader(Frame.PROTOCOL_AMQP)
        .goSilent()
        .start();

    long start = System.nanoTime();
    assertThatThrownBy(() -> open(options().connectTimeout(SHORT)))
        .isInstanceOf(AmqpTimeoutException.class)
        .hasMessageContaining("took longer than " + SHORT);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .isBetween(SHORT.toMillis() - 50, SHORT.toMillis() + 3000);
  }

  @Test
  void closeReturnsWithinTheCloseTimeoutWhenThePeerNeverAnswers() {
    peer.saslHandshake("PLAIN").openHandshake().goSilent().start();
    Connection c = open(options());

    long start = System.nanoTime();
    c.close();

    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .isBetween(SHORT.toMillis() - 50, SHORT.toMillis() + 3000);
    assertThat(c.isOpen()).isFalse();
  }

  @Test
  void anonymousAndNoSaslAreOffered() {
    peer.expectProtocolHeader(Frame.PROTOCOL_SASL)
        .sendProtocolHeader(Frame.PROTOCOL_SASL)
        .send(Performatives.saslMechanisms("ANONYMOUS"))
        .expectFrame(
            "sasl-init ANONYMOUS",
            f -> f.isSasl() && Sym.of("ANONYMOUS").equals(f.field(0)),
            f -> {})
        .send(Performatives.saslOutcome(Performatives.SASL_OK))
        .openHandshake()
        .start();

    Connection c =
        Connection.open(
            ConnectionOptions.builder()
                .recovery(Recovery.disabled()) // the bare engine
                .endpoint(peer.host(), peer.port())
                .idleTimeout(Duration.ZERO)
                .closeTimeout(SHORT)
                .build());
    connection = c;
    assertThat(c.remoteContainerId()).isEqualTo(ScriptedPeer.CONTAINER_ID);
    peer.awaitDone(Duration.ofSeconds(5));
  }

  @Test
  void withoutSaslTheAmqpHeaderComesFirst() {
    peer.openHandshake().start();

    open(options().saslMechanism(SaslMechanism.NONE));

    peer.awaitDone(Duration.ofSeconds(5));
    assertThat(peer.received()).isNotEmpty();
    List<Frame> frames = peer.received();
    assertThat(frames.get(0).isSasl()).isFalse();
  }
}
