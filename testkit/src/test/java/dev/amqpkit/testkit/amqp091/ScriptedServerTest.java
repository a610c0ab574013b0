package dev.amqpkit.testkit.amqp091;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The scripted server against the testkit's own wire client and a raw socket. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ScriptedServerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final ScriptedServer server;
  private Socket client;

  ScriptedServerTest() throws IOException {
    server = new ScriptedServer();
  }

  @AfterEach
  void closeAll() throws IOException {
    if (client != null) client.close();
    server.close();
  }

  private Socket connectRaw() throws IOException {
    client = new Socket(server.host(), server.port());
    client.setSoTimeout((int) TIMEOUT.toMillis());
    return client;
  }

  private static Frame readFrame(Socket socket) throws IOException {
    return Frame.readFrom(socket.getInputStream(), 1 << 20);
  }

  @Test
  void theProbeReadsTheConnectionStartItSends() throws Exception {
    server.expectProtocolHeader().sendConnectionStart().start();

    ConnectionStart start = WireConnection.probe(server.host(), server.port(), TIMEOUT);

    server.awaitDone(TIMEOUT);
    assertThat(start.versionMajor()).isZero();
    assertThat(start.versionMinor()).isEqualTo(9);
    assertThat(start.product()).isEqualTo("RabbitMQ");
    assertThat(start.mechanisms()).containsExactly("PLAIN", "AMQPLAIN");
    assertThat(start.capabilities()).contains("publisher_confirms", "basic.nack");
  }

  @Test
  void playsAWholeConversationWithAWireConnection() throws Exception {
    AtomicReference<Frame> startOk = new AtomicReference<>();
    server
        .expectProtocolHeader()
        .sendConnectionStart()
        .expectMethod(0, 10, 11, startOk::set)
        .sendTune(100, 8192, 0)
        .expectMethod(0, 10, 31)
        .expectOpenAndAccept()
        .acceptChannelOpen(1)
        .expectConnectionCloseAndAccept()
        .start();

    try (WireConnection connection =
        WireConnection.open(server.host(), server.port(), "alice", "secret", "/", TIMEOUT)) {
      assertThat(connection.channelMax()).isEqualTo(100);
      assertThat(connection.frameMax()).isEqualTo(8192);
      connection.openChannel(1);
    }

    server.awaitDone(TIMEOUT);
    ArgumentReader args = startOk.get().arguments();
    args.table();
    assertThat(args.shortString()).isEqualTo("PLAIN");
    assertThat(new String(args.longString(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("\0alice\0secret");
    assertThat(server.received())
        .extracting(ScriptedServer::describe)
        .containsExactly(
            "connection.start-ok on channel 0",
            "connection.tune-ok on channel 0",
            "connection.open on channel 0",
            "channel.open on channel 1",
            "connection.close(200 \"Goodbye\") on channel 0");
    ScriptedServer.Close close = server.clientClose(TIMEOUT);
    assertThat(close.replyCode()).isEqualTo(200);
    assertThat(close.replyText()).isEqualTo("Goodbye");
  }

  @Test
  void aFailedStepNamesItselfAndWhatArrivedInstead() throws Exception {
    server
        .expectProtocolHeader()
        .sendConnectionStart()
        .expectMethod(0, 10, 31) // the client sends start-ok first
        .start();

    assertThatThrownBy(
            () -> WireConnection.open(server.host(), server.port(), "u", "p", "/", TIMEOUT))
        .isInstanceOf(IOException.class);

    assertThatThrownBy(() -> server.awaitDone(TIMEOUT))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("step 3 (expect connection.tune-ok on channel 0) failed")
        .hasMessageContaining("received connection.start-ok on channel 0 instead");
  }

  @Test
  void aStepThatWaitsTooLongFailsWithinItsTimeout() throws Exception {
    server
        .expectProtocolHeader()
        .stepTimeout(Duration.ofMillis(200))
        .expectMethod(0, 10, 11)
        .start();
    connectRaw().getOutputStream().write(Frame.PROTOCOL_HEADER);

    assertThatThrownBy(() -> server.awaitDone(TIMEOUT))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("expect connection.start-ok on channel 0")
        .hasMessageContaining("within PT0.2S")
        .hasMessageContaining("no frame received from the client");
    // A failed script hangs up on the client.
    assertThat(client.getInputStream().read()).isEqualTo(-1);
  }

  @Test
  void aClientThatNeverConnectsFailsTheScript() {
    server.acceptTimeout(Duration.ofMillis(100)).expectProtocolHeader().start();

    assertThatThrownBy(() -> server.awaitDone(TIMEOUT))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no client connected");
  }

  @Test
  void aWrongProtocolHeaderIsReported() throws Exception {
    server.expectProtocolHeader().start();
    connectRaw().getOutputStream().write("GET / HTTP/1.1\r\n".getBytes());

    assertThatThrownBy(() -> server.awaitDone(TIMEOUT))
        .hasMessageContaining("received the bytes 47 45 54 20 2f 20 48 54");
  }

  @Test
  void silenceHoldsTheRestOfTheScriptUntilResumed() throws Exception {
    server.expectProtocolHeader().goSilent().sendConnectionStart().start();
    Socket socket = connectRaw();
    socket.getOutputStream().write(Frame.PROTOCOL_HEADER);

    assertThatThrownBy(() -> server.awaitDone(Duration.ofMillis(300)))
        .hasMessageContaining("step 3 (send connection.start on channel 0) has not started")
        .hasMessageContaining("the server is silent");
    assertThat(socket.getInputStream().available()).isZero();

    server.resume();

    server.awaitDone(TIMEOUT);
    assertThat(readFrame(socket).isMethod(10, 10)).isTrue();
  }

  @Test
  void afterTheLastStepFramesAreStillRecordedUntilTheClientHangsUp() throws Exception {
    server.expectProtocolHeader().start();
    Socket socket = connectRaw();
    socket.getOutputStream().write(Frame.PROTOCOL_HEADER);
    server.awaitDone(TIMEOUT);

    socket.getOutputStream().write(Frame.heartbeat().toByteArray());
    socket.getOutputStream().write(ServerFrames.connectionClose(320, "bye", 0, 0).toByteArray());
    socket.close();

    ScriptedServer.Close close = server.clientClose(TIMEOUT);
    assertThat(close.replyCode()).isEqualTo(320);
    assertThat(close.replyText()).isEqualTo("bye");
    server.awaitClientDisconnect(TIMEOUT);
    assertThat(server.received()).extracting(Frame::type).containsExactly(8, 1);
  }

  @Test
  void stepsAddedLaterGetTheFramesReadWhileIdle() throws Exception {
    server.expectProtocolHeader().start();
    Socket socket = connectRaw();
    socket.getOutputStream().write(Frame.PROTOCOL_HEADER);
    socket
        .getOutputStream()
        .write(Frame.method(1, 20, 10, Arguments.create().shortString("")).toByteArray());
    server.awaitReceived("channel.open", f -> f.isMethod(20, 10), TIMEOUT);

    server.acceptChannelOpen(1);

    server.awaitDone(TIMEOUT);
    assertThat(readFrame(socket).isMethod(20, 11)).isTrue();
  }

  @Test
  void aDelayHoldsTheNextStepBack() throws Exception {
    server.expectProtocolHeader().delay(Duration.ofMillis(300)).sendConnectionStart().start();
    Socket socket = connectRaw();
    long sent = System.nanoTime();
    socket.getOutputStream().write(Frame.PROTOCOL_HEADER);

    assertThat(readFrame(socket).isMethod(10, 10)).isTrue();

    assertThat(Duration.ofNanos(System.nanoTime() - sent))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    server.awaitDone(TIMEOUT);
  }

  @Test
  void closeSocketHangsUpOnTheClient() throws Exception {
    server.expectProtocolHeader().sendRaw(new byte[] {1, 0}).closeSocket().start();
    Socket socket = connectRaw();
    socket.getOutputStream().write(Frame.PROTOCOL_HEADER);

    InputStream in = socket.getInputStream();
    assertThat(in.readNBytes(3)).containsExactly(1, 0);
    server.awaitDone(TIMEOUT);
  }

  @Test
  void heartbeatsAreSkippedByExpectationsButRecorded() throws Exception {
    server.expectProtocolHeader().expectHeartbeat().expectMethod(0, 10, 11).start();
    Socket socket = connectRaw();
    socket.getOutputStream().write(Frame.PROTOCOL_HEADER);
    socket.getOutputStream().write(Frame.heartbeat().toByteArray());
    socket.getOutputStream().write(Frame.heartbeat().toByteArray());
    socket.getOutputStream().write(Frame.method(0, 10, 11, Arguments.create()).toByteArray());

    server.awaitDone(TIMEOUT);
    assertThat(server.received()).extracting(Frame::type).containsExactly(8, 8, 1);
  }

  @Test
  void closeEndsTheThreadAndReleasesThePort() throws Exception {
    int port = server.port();
    server.expectProtocolHeader().goSilent().start();
    connectRaw().getOutputStream().write(Frame.PROTOCOL_HEADER);
    server.awaitDone(TIMEOUT);

    server.close();

    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(
                        t -> t.isAlive() && t.getName().equals("scripted-amqp091-server-" + port)));
    assertThat(client.getInputStream().read()).isEqualTo(-1);
    try (ServerSocket again = new ServerSocket()) {
      again.setReuseAddress(true);
      again.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      assertThat(again.getLocalPort()).isEqualTo(port);
    }
  }
}
