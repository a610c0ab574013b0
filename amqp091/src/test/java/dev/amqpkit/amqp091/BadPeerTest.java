package dev.amqpkit.amqp091;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.common.Recovery;
import dev.amqpkit.testkit.amqp091.Arguments;
import dev.amqpkit.testkit.amqp091.Frame;
import dev.amqpkit.testkit.amqp091.ScriptedServer;
import dev.amqpkit.testkit.amqp091.ServerFrames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The client against a peer that breaks the protocol, played by a {@link ScriptedServer}: every
 * violation ends in a typed error, the right close code goes to the peer, the connection is closed
 * and tells its listeners, and no reader thread is left behind. Runs without a broker.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BadPeerTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String CTAG = "ctag";
  private static final int NO_HEARTBEAT = 0;

  private ScriptedServer server;
  private Connection connection;
  private final RecordingListener listener = new RecordingListener();

  @BeforeEach
  void startServer() throws IOException {
    server = new ScriptedServer();
  }

  @AfterEach
  void closeEverything() {
    // The server first: a client blocked writing to it is released when its socket closes.
    try {
      server.close();
    } finally {
      if (connection != null) connection.close();
    }
  }

  // ---- framing ----

  @Test
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void aFrameLongerThanTheNegotiatedFrameMaxIsAFrameError() {
    server
        .handshake(2047, 4096, NO_HEARTBEAT)
        .acceptChannelOpen(1)
        .send(ServerFrames.body(1, new byte[4096 - Frame.OVERHEAD + 1]))
        .start();
    open(options().build());
    assertThat(connection.frameMax()).isEqualTo(4096);
    connection.openChannel();

    assertProtocolError(501, "over the negotiated frame-max of 4096");
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void aFrameOfExactlyFrameMaxIsAccepted() {
    byte[] body = new byte[4096 - Frame.OVERHEAD];
    Arrays.fill(body, (byte) 'x');
    consumerScript(4096)
        .send(
            ServerFrames.basicDeliver(1, CTAG, 1, false, "", "rk"),
            ServerFrames.contentHeader(1, body.length),
            ServerFrames.body(1, body))
        .expectConnectionCloseAndAccept()
        .start();
    List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    openConsumer(options().build(), deliveries);

    await().atMost(WAIT).until(() -> deliveries.size() == 1);
    assertThat(deliveries.get(0).body()).isEqualTo(body);
    assertThat(connection.isOpen()).isTrue();
    connection.close();
    server.awaitDone(WAIT);
    assertThat(connection.closeCause().initiator()).isEqualTo(CloseInitiator.APPLICATION);
    assertNoReaderThreadLeft();
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void aWrongFrameEndOctetIsAFrameError() {
    byte[] bytes = ServerFrames.connectionBlocked("low memory").toByteArray();
    bytes[bytes.length - 1] = 0x00;
    server.handshake(NO_HEARTBEAT).acceptChannelOpen(1).sendRaw(bytes).start();
    open(options().build());
    connection.openChannel();

    assertProtocolError(501, "frame-end octet is 0x00");
    assertThat(connection.isBlocked()).isFalse();
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void aTruncatedFrameFollowedByTheSocketClosingIsANetworkFailure() {
    byte[] whole = ServerFrames.connectionBlocked("low memory").toByteArray();
    server
        .handshake(NO_HEARTBEAT)
        .acceptChannelOpen(1)
        .sendRaw(Arrays.copyOf(whole, whole.length - 4))
        .closeSocket()
        .start();
    open(options().build());
    Channel channel = connection.openChannel();

    await().atMost(WAIT).until(() -> !connection.isOpen());
    ConnectionClosedException cause = connection.closeCause();
    assertThat(cause).isExactlyInstanceOf(ConnectionClosedException.class);
    assertThat(cause.initiator()).isEqualTo(CloseInitiator.NETWORK);
    assertThat(cause.replyCode()).isEqualTo(541);
    assertThat(cause).hasMessageContaining("ended mid-frame");
    await().atMost(WAIT).untilAsserted(() -> assertThat(listener.closed).containsExactly(cause));
    assertThat(channel.isOpen()).isFalse();
    assertThatThrownBy(connection::openChannel).isSameAs(cause);
    server.awaitDone(WAIT);
    assertNoReaderThreadLeft();
  }

  // ---- methods and arguments ----

  static Stream<org.junit.jupiter.params.provider.Arguments> unknownMethods() {
    return Stream.of(
        org.junit.jupiter.params.provider.Arguments.of("unknown class 99 on channel 0", 0, 99, 10),
        org.junit.jupiter.params.provider.Arguments.of(
            "unknown method connection.99 on channel 0", 0, 10, 99),
        org.junit.jupiter.params.provider.Arguments.of(
            "unknown method basic.99 on channel 1", 1, 60, 99),
        org.junit.jupiter.params.provider.Arguments.of(
            "unknown class 200 on channel 1", 1, 200, 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unknownMethods")
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void anUnknownClassOrMethodIsNotImplemented(
      String description, int channel, int classId, int methodId) {
    server
        .handshake(NO_HEARTBEAT)
        .acceptChannelOpen(1)
        .send(Frame.method(channel, classId, methodId, Arguments.create().shortString("x")))
        .start();
    open(options().build());
    connection.openChannel();

    assertProtocolError(540, "unknown method " + classId + "." + methodId);
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> malformedArguments() {
    byte[] invalidUtf8 = {(byte) 0xC3, 0x28};
    return Stream.of(
        org.junit.jupiter.params.provider.Arguments.of(
            "short string longer than the frame (connection.blocked)",
            Frame.method(
                0,
                10,
                60,
                Arguments.create().octet(200).raw("abc".getBytes(StandardCharsets.UTF_8))),
            "needs 200 bytes but only 3 are left"),
        org.junit.jupiter.params.provider.Arguments.of(
            "invalid UTF-8 in a short string (connection.blocked)",
            Frame.method(0, 10, 60, Arguments.create().octet(2).raw(invalidUtf8)),
            "not valid UTF-8"),
        org.junit.jupiter.params.provider.Arguments.of(
            "invalid UTF-8 in a short string (basic.deliver consumer tag)",
            Frame.method(
                1,
                60,
                60,
                Arguments.create()
                    .octet(2)
                    .raw(invalidUtf8)
                    .longLong(1)
                    .bit(false)
                    .shortString("")
                    .shortString("rk")),
            "not valid UTF-8"),
        org.junit.jupiter.params.provider.Arguments.of(
            "basic.deliver cut short before its routing key",
            Frame.method(
                1, 60, 60, Arguments.create().shortString(CTAG).longLong(1).bit(false).octet(0)),
            "needs 1 bytes but only 0 are left"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedArguments")
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void malformedMethodArgumentsAreASyntaxError(String description, Frame frame, String message) {
    consumerScript(131_072).send(frame).start();
    openConsumer(options().build(), new CopyOnWriteArrayList<>());

    assertProtocolError(502, message);
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> malformedContentHeaders() {
    Map<String, Object> nested = Map.of("leaf", 1);
    for (int i = 0; i < 100; i++) nested = Map.of("n", nested);
    return Stream.of(
        org.junit.jupiter.params.provider.Arguments.of(
            "unknown field-table type tag",
            ServerFrames.contentHeaderWithHeaders(
                1, 3, Arguments.create().shortString("k").octet('Z').longUint(0).toByteArray()),
            "unknown field-table type tag 0x5A"),
        org.junit.jupiter.params.provider.Arguments.of(
            "table length larger than what is left of the frame",
            ServerFrames.contentHeader(
                1,
                3,
                ServerFrames.HEADERS_FLAG,
                Arguments.create().longUint(1_000).shortString("k").toByteArray()),
            "field table needs 1000 bytes"),
        org.junit.jupiter.params.provider.Arguments.of(
            "long string longer than its table",
            ServerFrames.contentHeaderWithHeaders(
                1,
                3,
                Arguments.create()
                    .shortString("k")
                    .octet('S')
                    .longUint(500)
                    .raw(new byte[4])
                    .toByteArray()),
            "needs 500 bytes"),
        org.junit.jupiter.params.provider.Arguments.of(
            "tables nested deeper than the limit",
            ServerFrames.contentHeaderWithHeaders(
                1, 3, Arguments.create().shortString("n").octet('F').table(nested).toByteArray()),
            "nested deeper than"),
        org.junit.jupiter.params.provider.Arguments.of(
            "invalid UTF-8 in the content-type short string",
            ServerFrames.contentHeader(
                1,
                3,
                1 << 15,
                Arguments.create().octet(1).raw(new byte[] {(byte) 0xFF}).toByteArray()),
            "not valid UTF-8"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedContentHeaders")
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void aMalformedContentHeaderIsASyntaxError(String description, Frame header, String message) {
    consumerScript(131_072)
        .send(
            ServerFrames.basicDeliver(1, CTAG, 1, false, "", "rk"),
            header,
            ServerFrames.body(1, new byte[] {1, 2, 3}))
        .start();
    List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    Channel channel = openConsumer(options().build(), deliveries);

    assertProtocolError(502, message);
    assertThat(channel.isOpen()).isFalse();
    assertThat(deliveries).isEmpty();
  }

  // ---- content out of order ----

  static Stream<org.junit.jupiter.params.provider.Arguments> unexpectedContent() {
    return Stream.of(
        org.junit.jupiter.params.provider.Arguments.of(
            "a body larger than its header declared",
            List.of(
                ServerFrames.basicDeliver(1, CTAG, 1, false, "", "rk"),
                ServerFrames.contentHeader(1, 10),
                ServerFrames.body(1, new byte[20])),
            "runs past the 10 bytes its header declared"),
        org.junit.jupiter.params.provider.Arguments.of(
            "a second body frame past the declared size",
            List.of(
                ServerFrames.basicDeliver(1, CTAG, 1, false, "", "rk"),
                ServerFrames.contentHeader(1, 10),
                ServerFrames.body(1, new byte[6]),
                ServerFrames.body(1, new byte[6])),
            "runs past the 10 bytes its header declared"),
        org.junit.jupiter.params.provider.Arguments.of(
            "a content header with no method before it",
            List.of(ServerFrames.contentHeader(1, 3)),
            "content header on channel 1 with no method before it"),
        org.junit.jupiter.params.provider.Arguments.of(
            "a content body with no method before it",
            List.of(ServerFrames.body(1, new byte[3])),
            "content body on channel 1 with no content header before it"),
        org.junit.jupiter.params.provider.Arguments.of(
            "a content body right after the method, with no header",
            List.of(
                ServerFrames.basicDeliver(1, CTAG, 1, false, "", "rk"),
                ServerFrames.body(1, new byte[3])),
            "with no content header before it"),
        org.junit.jupiter.params.provider.Arguments.of(
            "a content header on channel 0",
            List.of(ServerFrames.contentHeader(0, 3)),
            "content frame of type 2 on channel 0"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unexpectedContent")
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void contentFramesOutOfPlaceAreUnexpected(
      String description, List<Frame> frames, String message) {
    consumerScript(131_072).send(frames.toArray(new Frame[0])).start();
    List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    openConsumer(options().build(), deliveries);

    assertProtocolError(505, message);
    assertThat(deliveries).isEmpty();
  }

  // ---- handshake ----

  @Test
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void aTuneWithFrameMaxBelowTheMinimumFailsTheOpen() {
    server
        .expectProtocolHeader()
        .sendConnectionStart()
        .expectMethod(0, 10, 11)
        .sendTune(2047, 1024, NO_HEARTBEAT)
        .start();

    assertThatThrownBy(() -> Connection.open(options().build()))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> {
              assertThat(e.replyCode()).isEqualTo(502);
              assertThat(e.initiator()).isEqualTo(CloseInitiator.CLIENT);
              assertThat(e).hasMessageContaining("frame-max 1024");
            });

    assertThat(server.clientClose(WAIT).replyCode()).isEqualTo(502);
    server.awaitClientDisconnect(WAIT);
    server.awaitDone(WAIT);
    assertThat(server.received()).noneMatch(f -> f.isMethod(10, 31) || f.isMethod(10, 40));
    assertNoReaderThreadLeft();
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void aRefusedLoginIsAnAuthenticationError() {
    server
        .expectProtocolHeader()
        .sendConnectionStart()
        .expectMethod(0, 10, 11)
        .send(
            ServerFrames.connectionClose(
                403,
                "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN",
                10,
                11))
        .expectMethod(0, 10, 51)
        .start();

    assertThatThrownBy(
            () -> Connection.open(options().username("alice").password("s3cret").build()))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("user 'alice'")
        .hasMessageContaining("ACCESS_REFUSED")
        .message()
        .doesNotContain("s3cret");

    server.awaitDone(WAIT);
    server.awaitClientDisconnect(WAIT);
    assertNoReaderThreadLeft();
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void aSocketClosedRightAfterStartOkIsAnAuthenticationError() {
    server
        .expectProtocolHeader()
        .sendConnectionStart()
        .expectMethod(0, 10, 11)
        .closeSocket()
        .start();

    assertThatThrownBy(
            () -> Connection.open(options().username("alice").password("s3cret").build()))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("user 'alice'")
        .message()
        .doesNotContain("s3cret");

    server.awaitDone(WAIT);
    assertNoReaderThreadLeft();
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void aServerThatNeverSendsConnectionStartTimesOut() {
    server.expectProtocolHeader().goSilent().start();
    Duration connectionTimeout = Duration.ofMillis(500);
    long started = System.nanoTime();

    assertThatThrownBy(
            () -> Connection.open(options().connectionTimeout(connectionTimeout).build()))
        .isInstanceOf(AmqpTimeoutException.class)
        .hasMessageContaining("took longer than " + connectionTimeout);

    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(took).isBetween(connectionTimeout.minusMillis(50), Duration.ofSeconds(3));
    server.awaitDone(WAIT);
    server.resume();
    server.awaitClientDisconnect(WAIT);
    assertThat(server.received()).isEmpty();
    assertNoReaderThreadLeft();
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void aSlowHandshakeFailsWithinTheConnectionTimeout() {
    Duration connectionTimeout = Duration.ofSeconds(1);
    Duration step = Duration.ofMillis(700);
    server
        .expectProtocolHeader()
        .delay(step)
        .sendConnectionStart()
        .expectMethod(0, 10, 11)
        .delay(step)
        .sendTune(2047, 131_072, NO_HEARTBEAT)
        .expectMethod(0, 10, 31)
        .expectMethod(0, 10, 40)
        .delay(step)
        .send(ServerFrames.connectionOpenOk())
        .start();
    long started = System.nanoTime();

    assertThatThrownBy(() -> open(options().connectionTimeout(connectionTimeout).build()))
        .isInstanceOf(AmqpTimeoutException.class);

    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isLessThan(connectionTimeout.plusMillis(500));
    assertNoReaderThreadLeft();
  }

  // ---- heartbeats ----

  @Test
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void aSilentPeerIsDetectedByMissedHeartbeats() {
    server.handshake(1).goSilent().start();
    long started = System.nanoTime();
    open(options().heartbeat(Duration.ofSeconds(1)).build());
    assertThat(connection.heartbeat()).isEqualTo(Duration.ofSeconds(1));

    await().atMost(Duration.ofSeconds(4)).until(() -> !connection.isOpen());

    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(took).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(4));
    ConnectionClosedException cause = connection.closeCause();
    assertThat(cause).isInstanceOf(MissedHeartbeatException.class);
    assertThat(cause.initiator()).isEqualTo(CloseInitiator.CLIENT);
    await().atMost(WAIT).untilAsserted(() -> assertThat(listener.closed).containsExactly(cause));
    assertNoReaderThreadLeft();
    // The close went out while the server was not reading; read it now.
    server.resume();
    assertThat(server.clientClose(WAIT).replyCode()).isEqualTo(320);
    server.awaitClientDisconnect(WAIT);
  }

  /**
   * The missed-heartbeat close must not wait for the writer: here the flusher is blocked on a
   * socket the peer no longer reads while a publish waits for it, and the timer thread is shared by
   * every connection.
   */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aPeerThatStopsReadingDuringAPublishIsDetectedByMissedHeartbeats() throws Exception {
    server.handshake(1).acceptChannelOpen(1).goSilent().start();
    open(options().heartbeat(Duration.ofSeconds(1)).build());
    Channel channel = connection.openChannel();
    List<Throwable> publishFailure = new CopyOnWriteArrayList<>();
    // Far more than the socket buffers hold: the flusher blocks while the peer does not read.
    Thread publisher =
        new Thread(
            () -> {
              try {
                channel.basicPublish("", "q", BasicProperties.EMPTY, new byte[64 << 20]);
              } catch (RuntimeException e) {
                publishFailure.add(e);
              }
            },
            "bad-peer-publisher");
    publisher.start();
    try {
      await().atMost(Duration.ofSeconds(6)).until(() -> !connection.isOpen());

      assertThat(connection.closeCause()).isInstanceOf(MissedHeartbeatException.class);
      await().atMost(WAIT).until(() -> !publisher.isAlive());
      assertThat(publishFailure).singleElement().isInstanceOf(ConnectionClosedException.class);
      assertNoReaderThreadLeft();
    } finally {
      server.close(); // releases the publisher (and the timer thread) if the client is stuck
      publisher.join(WAIT.toMillis());
    }
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void anIdleClientSendsHeartbeats() {
    server
        .handshake(1)
        .expectHeartbeat(Duration.ofSeconds(3))
        .sendHeartbeat()
        .expectConnectionCloseAndAccept()
        .start();
    open(options().heartbeat(Duration.ofSeconds(1)).build());
    assertThat(readerThreads()).hasSize(1);

    await()
        .atMost(Duration.ofSeconds(3))
        .until(() -> server.received().stream().anyMatch(f -> f.type() == Frame.HEARTBEAT));

    assertThat(connection.isOpen()).isTrue();
    assertThat(server.received())
        .filteredOn(f -> f.type() == Frame.HEARTBEAT)
        .allSatisfy(f -> assertThat(f.channel()).isZero());
    connection.close();
    server.awaitDone(WAIT);
    assertThat(connection.closeCause().initiator()).isEqualTo(CloseInitiator.APPLICATION);
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(listener.closed).containsExactly(connection.closeCause()));
    assertNoReaderThreadLeft();
  }

  // ---- inbound size limit ----

  @Test
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void aMessageOverTheInboundLimitClosesOnlyItsChannel() {
    consumerScript(131_072)
        .send(
            ServerFrames.basicDeliver(1, CTAG, 1, false, "", "rk"),
            ServerFrames.contentHeader(1, 5_000),
            ServerFrames.body(1, new byte[5_000]))
        .expectChannelCloseAndAccept(1)
        .acceptChannelOpen(2)
        .expectConnectionCloseAndAccept()
        .start();
    List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    List<ChannelClosedException> channelClosed = new CopyOnWriteArrayList<>();
    open(options().maxInboundMessageSize(1_000).build());
    Channel channel = connection.openChannel();
    channel.addListener(
        new ChannelListener() {
          @Override
          public void closed(ChannelClosedException cause) {
            channelClosed.add(cause);
          }
        });
    channel.basicConsume("q", deliveries::add);

    await().atMost(WAIT).until(() -> !channel.isOpen());

    ChannelClosedException cause = channel.closeCause();
    assertThat(cause.replyCode()).isEqualTo(311);
    assertThat(cause.initiator()).isEqualTo(CloseInitiator.CLIENT);
    assertThat(cause.getCause())
        .isInstanceOfSatisfying(
            MessageTooLargeException.class,
            e -> {
              assertThat(e.size()).isEqualTo(5_000);
              assertThat(e.limit()).isEqualTo(1_000);
            });
    await().atMost(WAIT).untilAsserted(() -> assertThat(channelClosed).containsExactly(cause));
    ScriptedServer.Close sent = server.clientChannelClose(1, WAIT);
    assertThat(sent.replyCode()).isEqualTo(311);
    assertThat(sent.classId()).isEqualTo(60);
    assertThat(sent.methodId()).isEqualTo(60);
    assertThatThrownBy(() -> channel.basicAck(1)).isInstanceOf(ChannelClosedException.class);

    // The connection stays open and usable.
    assertThat(connection.isOpen()).isTrue();
    assertThat(connection.openChannel().number()).isEqualTo(2);
    assertThat(server.received()).noneMatch(f -> f.isMethod(10, 50));
    connection.close();
    server.awaitDone(WAIT);
    assertThat(deliveries).isEmpty();
    assertThat(listener.closed).allMatch(c -> c.initiator() == CloseInitiator.APPLICATION);
    assertNoReaderThreadLeft();
  }

  // ---- listeners ----

  @Test
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void aListenerAddedAfterTheCloseIsToldOfIt() {
    server.handshake(NO_HEARTBEAT).acceptChannelOpen(1).send(ServerFrames.body(1, new byte[1]));
    server.start();
    open(options().build());
    connection.openChannel();
    await().atMost(WAIT).until(() -> listener.closed.size() == 1);
    // Wait until the callback thread that told the first listener is gone.
    await().atMost(WAIT).until(() -> !listener.callbackThreads.get(0).isAlive());

    RecordingListener late = new RecordingListener();
    connection.addListener(late);

    await()
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(() -> assertThat(late.closed).containsExactly(connection.closeCause()));
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void aListenerAddedWhileTheCloseIsDispatchedIsCalledOnce() {
    List<Runnable> held = new CopyOnWriteArrayList<>();
    Executor heldUntilReleased = held::add;
    server.handshake(NO_HEARTBEAT).acceptChannelOpen(1).send(ServerFrames.body(1, new byte[1]));
    server.start();
    open(options().consumerExecutor(heldUntilReleased).build());
    connection.openChannel();
    await().atMost(WAIT).until(() -> !connection.isOpen());

    RecordingListener late = new RecordingListener();
    connection.addListener(late);
    while (!held.isEmpty()) held.remove(0).run();

    assertThat(listener.closed).hasSize(1);
    assertThat(late.closed).hasSize(1);
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void aPeerThatAnswersWithAnotherProtocolHeaderIsNamed() {
    server.expectProtocolHeader().sendRaw(new byte[] {'A', 'M', 'Q', 'P', 0, 1, 0, 0}).start();

    assertThatThrownBy(() -> Connection.open(options().build()))
        .isInstanceOf(ConnectFailedException.class)
        .hasMessageContaining("does not speak AMQP 0-9-1")
        .hasMessageContaining("protocol header of AMQP 1-0-0");
  }

  // ---- helpers ----

  private ConnectionOptions.Builder options() {
    return ConnectionOptions.builder()
        // The bare client: these tests are about how a failure ends the connection.
        .recovery(Recovery.disabled())
        .endpoint(server.host(), server.port())
        .heartbeat(Duration.ZERO)
        .connectionTimeout(WAIT)
        .rpcTimeout(WAIT)
        .closeTimeout(Duration.ofSeconds(2));
  }

  private Connection open(ConnectionOptions options) {
    connection = Connection.open(options);
    connection.addListener(listener);
    return connection;
  }

  /** Handshake, channel 1, and a consumer {@value #CTAG} on it, to be handed deliveries. */
  private ScriptedServer consumerScript(long frameMax) {
    return server
        .handshake(2047, frameMax, NO_HEARTBEAT)
        .acceptChannelOpen(1)
        .acceptConsume(1, CTAG);
  }

  private Channel openConsumer(ConnectionOptions options, List<Delivery> deliveries) {
    open(options);
    Channel channel = connection.openChannel();
    assertThat(channel.basicConsume("q", deliveries::add)).isEqualTo(CTAG);
    return channel;
  }

  /**
   * The connection closed over a protocol error: the typed error as its close cause and for every
   * later call, the listener told once, the code sent to the peer, the socket closed, no reader
   * thread left.
   */
  private void assertProtocolError(int replyCode, String message) {
    await().atMost(WAIT).until(() -> !connection.isOpen());
    ConnectionClosedException cause = connection.closeCause();
    assertThat(cause)
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> {
              assertThat(e.replyCode()).isEqualTo(replyCode);
              assertThat(e.initiator()).isEqualTo(CloseInitiator.CLIENT);
              assertThat(e).hasMessageContaining(message);
            });
    await().atMost(WAIT).untilAsserted(() -> assertThat(listener.closed).containsExactly(cause));
    assertThatThrownBy(connection::openChannel).isSameAs(cause);
    ScriptedServer.Close sent = server.clientClose(WAIT);
    assertThat(sent.replyCode()).isEqualTo(replyCode);
    assertThat(sent.replyText()).contains(message);
    server.awaitClientDisconnect(WAIT);
    server.awaitDone(WAIT);
    assertNoReaderThreadLeft();
  }

  private void assertNoReaderThreadLeft() {
    await().atMost(WAIT).untilAsserted(() -> assertThat(readerThreads()).isEmpty());
  }

  /** Live reader threads of connections to this test's server: "amqpkit-reader-ID-HOST:PORT". */
  private List<String> readerThreads() {
    String suffix = ":" + server.port();
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("amqpkit-reader-") && name.endsWith(suffix))
        .toList();
  }

  private static final class RecordingListener implements ConnectionListener {
    final List<ConnectionClosedException> closed = new CopyOnWriteArrayList<>();
    final List<Thread> callbackThreads = new CopyOnWriteArrayList<>();

    @Override
    public void closed(ConnectionClosedException cause) {
      callbackThreads.add(Thread.currentThread());
      closed.add(cause);
    }
  }
}
