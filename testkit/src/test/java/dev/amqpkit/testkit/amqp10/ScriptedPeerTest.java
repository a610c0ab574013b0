package dev.amqpkit.testkit.amqp10;

import static dev.amqpkit.testkit.amqp10.Performatives.ATTACH;
import static dev.amqpkit.testkit.amqp10.Performatives.BEGIN;
import static dev.amqpkit.testkit.amqp10.Performatives.CLOSE;
import static dev.amqpkit.testkit.amqp10.Performatives.DETACH;
import static dev.amqpkit.testkit.amqp10.Performatives.END;
import static dev.amqpkit.testkit.amqp10.Performatives.OPEN;
import static dev.amqpkit.testkit.amqp10.Performatives.SASL_MECHANISMS;
import static dev.amqpkit.testkit.amqp10.Performatives.SASL_OUTCOME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.testkit.TestCertificates;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Described;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Encoded;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Sym;
import dev.amqpkit.testkit.amqp10.Amqp10Value.UByte;
import dev.amqpkit.testkit.amqp10.Amqp10Value.UInt;
import dev.amqpkit.testkit.amqp10.Amqp10Value.UShort;
import dev.amqpkit.testkit.amqp10.Performatives.Role;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The scripted peer against a client made of a raw socket and the testkit's frame codec. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ScriptedPeerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private ScriptedPeer peer;
  private Socket client;

  ScriptedPeerTest() throws IOException {
    peer = new ScriptedPeer();
  }

  @AfterEach
  void closeAll() throws IOException {
    if (client != null) client.close();
    peer.close();
  }

  private Socket connect() throws IOException {
    client = new Socket(peer.host(), peer.port());
    client.setSoTimeout((int) TIMEOUT.toMillis());
    return client;
  }

  private void send(Frame... frames) throws IOException {
    for (Frame frame : frames) frame.writeTo(client.getOutputStream());
    client.getOutputStream().flush();
  }

  private void sendHeader(int id) throws IOException {
    client.getOutputStream().write(Frame.protocolHeader(id));
  }

  private int readHeader() throws IOException {
    return Frame.readProtocolHeader(client.getInputStream());
  }

  private Frame readFrame() throws IOException {
    return Frame.readFrom(client.getInputStream(), 1 << 20);
  }

  private static Described source(String address) {
    return Performatives.source(address);
  }

  @Test
  void aRawClientCompletesTheSaslAndOpenHandshakeAndALinkLifecycle() throws Exception {
    AtomicReference<Frame> init = new AtomicReference<>();
    peer.saslHandshake("PLAIN", init::set)
        .openHandshake()
        .acceptBegin()
        .acceptAttach()
        .acceptDetach()
        .acceptEnd()
        .acceptClose()
        .start();
    connect();

    sendHeader(Frame.PROTOCOL_SASL);
    assertThat(readHeader()).isEqualTo(Frame.PROTOCOL_SASL);
    Frame mechanisms = readFrame();
    assertThat(mechanisms.isSasl()).isTrue();
    assertThat(mechanisms.isPerformative(SASL_MECHANISMS)).isTrue();
    assertThat(mechanisms.field(0)).isEqualTo(List.of(Sym.of("PLAIN")));
    send(Performatives.saslInitPlain("guest", "secret"));
    Frame outcome = readFrame();
    assertThat(outcome.isPerformative(SASL_OUTCOME)).isTrue();
    assertThat(outcome.field("code")).isEqualTo(new UByte(Performatives.SASL_OK));

    sendHeader(Frame.PROTOCOL_AMQP);
    assertThat(readHeader()).isEqualTo(Frame.PROTOCOL_AMQP);
    send(Performatives.open("raw-client"));
    Frame open = readFrame();
    assertThat(open.isPerformative(OPEN, 0)).isTrue();
    assertThat(open.field("container-id")).isEqualTo(ScriptedPeer.CONTAINER_ID);
    assertThat(open.field("max-frame-size")).isEqualTo(new UInt(ScriptedPeer.MAX_FRAME_SIZE));

    send(Performatives.begin(3, null, 0, 100, 100));
    Frame begin = readFrame();
    assertThat(begin.channel()).isEqualTo(3);
    assertThat(begin.field("remote-channel")).isEqualTo(new UShort(3));

    send(
        Performatives.attach(
                3, "sender-link", 0, Role.SENDER, source("a"), Performatives.target("q"))
            .with("initial-delivery-count", 0));
    Frame attach = readFrame();
    assertThat(attach.isPerformative(ATTACH, 3)).isTrue();
    assertThat(attach.field("name")).isEqualTo("sender-link");
    assertThat(attach.field("role")).isEqualTo(Role.RECEIVER.value());
    assertThat(attach.field("target")).isEqualTo(Performatives.target("q"));
    assertThat(attach.field("initial-delivery-count")).isNull();

    send(Performatives.detach(3, 0, null));
    assertThat(readFrame().isPerformative(DETACH, 3)).isTrue();
    send(Performatives.end(3, null));
    assertThat(readFrame().isPerformative(END, 3)).isTrue();
    send(Performatives.close(null));
    Frame close = readFrame();
    assertThat(close.isPerformative(CLOSE, 0)).isTrue();
    assertThat(close.fields()).isEmpty();

    peer.awaitDone(TIMEOUT);
    assertThat((byte[]) init.get().field("initial-response"))
        .isEqualTo("\0guest\0secret".getBytes(StandardCharsets.UTF_8));
    assertThat(peer.received())
        .extracting(Frame::name)
        .containsExactly("sasl-init", "open", "begin", "attach", "detach", "end", "close");
  }

  @Test
  void acceptAttachGivesAClientReceiverAnInitialDeliveryCount() throws Exception {
    peer.openHandshake().acceptBegin().acceptAttach().start();
    connect();
    sendHeader(0);
    send(Performatives.open("c"), Performatives.begin(0, null, 0, 10, 10));
    send(Performatives.attach(0, "r", 7, Role.RECEIVER, source("q"), null));
    readHeader();
    readFrame();
    readFrame();

    Frame attach = readFrame();

    assertThat(attach.field("handle")).isEqualTo(new UInt(7));
    assertThat(attach.field("role")).isEqualTo(false);
    assertThat(attach.field("initial-delivery-count")).isEqualTo(new UInt(0));
    assertThat(attach.field("source")).isEqualTo(source("q"));
    peer.awaitDone(TIMEOUT);
  }

  @Test
  void aFailedStepNamesItselfAndWhatArrivedInstead() throws Exception {
    peer.openHandshake().start();
    connect();
    sendHeader(Frame.PROTOCOL_AMQP);
    send(Performatives.begin(0, null, 0, 10, 10));

    assertThatThrownBy(() -> peer.awaitDone(TIMEOUT))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("scripted peer step 3 (expect open on channel 0) failed")
        .hasMessageContaining(
            "received begin(next-outgoing-id=0, incoming-window=10, outgoing-window=10) on"
                + " channel 0 instead of open on channel 0")
        .hasMessageContaining("received from the client: [protocol header AMQP 0 1 0 0, begin(");
    // A failed script hangs up on the client, after the header it had sent.
    assertThat(readHeader()).isZero();
    assertThat(client.getInputStream().read()).isEqualTo(-1);
  }

  @Test
  void aStepThatWaitsTooLongFailsWithinItsTimeout() throws Exception {
    peer.stepTimeout(Duration.ofMillis(200)).expectProtocolHeader(Frame.PROTOCOL_SASL).start();
    connect();
    client.getOutputStream().write(new byte[] {'A', 'M', 'Q'});

    assertThatThrownBy(() -> peer.awaitDone(TIMEOUT))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("expect the protocol header AMQP 3 1 0 0")
        .hasMessageContaining("within PT0.2S")
        .hasMessageContaining("3 bytes pending: 41 4d 51")
        .hasMessageContaining("nothing received from the client");
  }

  @Test
  void aWrongProtocolHeaderIsReported() throws Exception {
    peer.expectProtocolHeader(Frame.PROTOCOL_SASL).start();
    connect();
    client.getOutputStream().write(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1});

    assertThatThrownBy(() -> peer.awaitDone(TIMEOUT))
        .hasMessageContaining(
            "received the protocol header AMQP 0 0 9 1 instead of the protocol header AMQP 3 1 0 0");
  }

  @Test
  void bytesThatAreNeitherAHeaderNorAFrameFailTheScript() throws Exception {
    peer.expectProtocolHeader(Frame.PROTOCOL_AMQP).start();
    connect();
    client.getOutputStream().write("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));

    assertThatThrownBy(() -> peer.awaitDone(TIMEOUT))
        .hasMessageContaining("neither a protocol header nor a frame")
        .hasMessageContaining("47 45 54 20 2f 20 48 54");
  }

  @Test
  void aMalformedFrameFromTheClientIsReportedAsSuch() throws Exception {
    peer.expectProtocolHeader(0).expectPerformative(OPEN, 0).start();
    connect();
    sendHeader(0);
    send(Frame.raw(Frame.AMQP, 0, new byte[0], new byte[] {0x00, 0x53, 0x10, (byte) 0x99}));

    assertThatThrownBy(() -> peer.awaitDone(TIMEOUT))
        .hasMessageContaining("received malformed frame on channel 0")
        .hasMessageContaining("unknown format code 0x99")
        .hasMessageContaining("instead of open on channel 0");
  }

  @Test
  void aFrameOverThePeersMaxFrameSizeFailsTheStep() throws Exception {
    peer.openHandshake(Performatives.open("small", 512, 1, null))
        .expectPerformative(BEGIN, 0)
        .start();
    connect();
    sendHeader(0);
    send(Performatives.open("c"));
    send(Performatives.begin(0, null, 0, 1, 1).with("properties", Map.of("x", "y".repeat(600))));

    assertThatThrownBy(() -> peer.awaitDone(TIMEOUT))
        .hasMessageContaining("step 5 (expect begin on channel 0) failed")
        .hasMessageContaining("over the max-frame-size of 512 in the peer's open");
  }

  @Test
  void silenceHoldsTheRestOfTheScriptUntilResumed() throws Exception {
    peer.expectProtocolHeader(0).goSilent().sendProtocolHeader(0).start();
    connect();
    sendHeader(0);

    assertThatThrownBy(() -> peer.awaitDone(Duration.ofMillis(300)))
        .hasMessageContaining("step 3 (send the protocol header AMQP 0 1 0 0) has not started")
        .hasMessageContaining("the peer is silent");
    assertThat(client.getInputStream().available()).isZero();

    peer.resume();

    peer.awaitDone(TIMEOUT);
    assertThat(readHeader()).isZero();
  }

  @Test
  void closeSocketCutsATransferInHalf() throws Exception {
    byte[] transfer = Performatives.transfer(0, 0, 0L, new byte[] {1}, new byte[100]).toByteArray();
    peer.expectProtocolHeader(0)
        .sendProtocolHeader(0)
        .sendRaw(Arrays.copyOf(transfer, 30))
        .closeSocket()
        .start();
    connect();
    sendHeader(0);

    assertThat(readHeader()).isZero();
    assertThatThrownBy(this::readFrame)
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("inside a frame of " + transfer.length + " bytes");
    peer.awaitDone(TIMEOUT);
  }

  @Test
  void heartbeatsAreSkippedByExpectationsButRecorded() throws Exception {
    peer.expectProtocolHeader(0).expectHeartbeat().expectPerformative(OPEN, 0).start();
    connect();
    sendHeader(0);
    send(Frame.heartbeat(), Frame.heartbeat(), Performatives.open("c"));

    peer.awaitDone(TIMEOUT);
    assertThat(peer.received()).extracting(Frame::isHeartbeat).containsExactly(true, true, false);
  }

  @Test
  void aClientThatSendsOnlyHeartbeatsStillFailsTheStepInTime() throws Exception {
    peer.expectProtocolHeader(0).stepTimeout(Duration.ofMillis(300)).expectPerformative(OPEN);
    peer.start();
    connect();
    sendHeader(0);
    Thread flood =
        new Thread(
            () -> {
              try {
                while (!Thread.currentThread().isInterrupted()) send(Frame.heartbeat());
              } catch (IOException e) {
                // The peer hung up: the step failed.
              }
            });
    flood.start();
    try {
      assertThatThrownBy(() -> peer.awaitDone(TIMEOUT))
          .hasMessageContaining("step 2 (expect open) failed")
          .hasMessageContaining("within PT0.3S");
    } finally {
      flood.interrupt();
      flood.join(TIMEOUT.toMillis());
    }
  }

  @Test
  void aClientThatSendsNoHeartbeatFailsExpectHeartbeat() throws Exception {
    peer.expectProtocolHeader(0).expectHeartbeat(Duration.ofMillis(200)).start();
    connect();
    sendHeader(0);
    send(Performatives.open("c"));

    assertThatThrownBy(() -> peer.awaitDone(TIMEOUT))
        .hasMessageContaining("step 2 (expect a heartbeat) failed")
        .hasMessageContaining("within PT0.2S")
        .hasMessageContaining("open(container-id=\"c\") on channel 0");
  }

  @Test
  void aDelayHoldsTheNextStepBack() throws Exception {
    peer.expectProtocolHeader(0).delay(Duration.ofMillis(300)).sendProtocolHeader(0).start();
    connect();
    long sent = System.nanoTime();
    sendHeader(0);

    assertThat(readHeader()).isZero();

    assertThat(Duration.ofNanos(System.nanoTime() - sent))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    peer.awaitDone(TIMEOUT);
  }

  @Test
  void afterTheLastStepFramesAreRecordedUntilTheClientHangsUp() throws Exception {
    peer.expectProtocolHeader(0).start();
    connect();
    sendHeader(0);
    peer.awaitDone(TIMEOUT);

    send(Frame.heartbeat(), Performatives.close(Performatives.error("amqp:decode-error", "bad")));
    client.close();

    Frame close = peer.clientClose(TIMEOUT);
    assertThat(close.describe())
        .isEqualTo(
            "close(error=error(condition=:amqp:decode-error, description=\"bad\")) on channel 0");
    peer.awaitClientDisconnect(TIMEOUT);
  }

  @Test
  void stepsAddedLaterGetWhatWasReadWhileIdleHeadersIncluded() throws Exception {
    peer.saslHandshake("ANONYMOUS").start();
    connect();
    sendHeader(3);
    readHeader();
    readFrame();
    send(Performatives.saslInit("ANONYMOUS", null, null));
    assertThat(readFrame().isPerformative(SASL_OUTCOME)).isTrue();
    peer.awaitDone(TIMEOUT);
    sendHeader(0);
    send(Performatives.open("c"));
    peer.awaitReceived("open", f -> f.isPerformative(OPEN), TIMEOUT);

    peer.openHandshake();

    peer.awaitDone(TIMEOUT);
    assertThat(readHeader()).isZero();
    assertThat(readFrame().isPerformative(OPEN)).isTrue();
  }

  @Test
  void theSaslHandshakeFailsWhenTheClientChoosesAnotherMechanism() throws Exception {
    peer.saslHandshake("PLAIN").start();
    connect();
    sendHeader(3);
    send(Performatives.saslInit("ANONYMOUS", null, "host"));

    assertThatThrownBy(() -> peer.awaitDone(TIMEOUT))
        .hasMessageContaining("expect sasl-init (SASL) choosing PLAIN")
        .hasMessageContaining("received sasl-init(mechanism=:ANONYMOUS, hostname=\"host\") (SASL)");
  }

  @Test
  void expectDeliveryJoinsTheTransfersOfOneDelivery() throws Exception {
    AtomicReference<ScriptedPeer.Delivery> delivery = new AtomicReference<>();
    peer.expectProtocolHeader(0).expectDelivery(1, delivery::set).start();
    connect();
    sendHeader(0);
    byte[] message =
        Performatives.message(
            Performatives.messageProperties().with("message-id", "m1"),
            Performatives.data(new byte[] {1, 2, 3, 4}));
    send(
        Performatives.transfer(1, 0, 5L, new byte[] {9}, Arrays.copyOf(message, 6))
            .with("more", true),
        Frame.heartbeat(),
        Performatives.transfer(1, 0, null, null, Arrays.copyOfRange(message, 6, message.length)));

    peer.awaitDone(TIMEOUT);
    assertThat(delivery.get().transfers()).hasSize(2);
    assertThat(delivery.get().first().field("delivery-id")).isEqualTo(new UInt(5));
    assertThat(delivery.get().payload()).isEqualTo(message);
    assertThat(delivery.get().aborted()).isFalse();
    assertThat(delivery.get().sections())
        .containsExactly(
            Performatives.messageProperties().with("message-id", "m1"),
            Performatives.data(new byte[] {1, 2, 3, 4}));
  }

  @Test
  void aFrameInTheMiddleOfADeliveryFailsExpectDelivery() throws Exception {
    peer.expectProtocolHeader(0).expectDelivery(1, d -> {}).start();
    connect();
    sendHeader(0);
    send(
        Performatives.transfer(1, 0, 0L, new byte[] {9}, new byte[] {1}).with("more", true),
        Performatives.transfer(1, 1, 1L, new byte[] {8}, new byte[] {2}));

    assertThatThrownBy(() -> peer.awaitDone(TIMEOUT))
        .hasMessageContaining("after 1 transfers of a delivery on handle 0 that said more was");
  }

  @Test
  void sendsUnusualButValidEncodingsByteForByte() throws Exception {
    Frame open =
        Frame.amqp(
            0,
            Performatives.described(
                OPEN, new Encoded(0xb1, "c"), null, new Encoded(0x70, new UInt(512))));
    peer.expectProtocolHeader(0).sendProtocolHeader(0).send(open).start();
    connect();
    sendHeader(0);

    readHeader();
    byte[] wire = client.getInputStream().readNBytes(open.size());

    assertThat(wire).isEqualTo(open.toByteArray());
    assertThat(Arrays.copyOfRange(wire, 8, wire.length))
        .isEqualTo(java.util.HexFormat.of().parseHex("005310c00d03b1000000016340" + "7000000200"));
    peer.awaitDone(TIMEOUT);
  }

  @Test
  void aClientThatNeverConnectsFailsTheScript() {
    peer.acceptTimeout(Duration.ofMillis(100)).expectProtocolHeader(0).start();

    assertThatThrownBy(() -> peer.awaitDone(TIMEOUT))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no client connected");
  }

  @Test
  void servesTlsWithAServerContext() throws Exception {
    TestCertificates certificates = TestCertificates.create("localhost");
    peer.close();
    peer = new ScriptedPeer(certificates.serverContext());
    peer.saslHandshake("EXTERNAL").start();
    client = certificates.clientContext().getSocketFactory().createSocket(peer.host(), peer.port());
    client.setSoTimeout((int) TIMEOUT.toMillis());

    sendHeader(3);
    assertThat(readHeader()).isEqualTo(3);
    assertThat(readFrame().field(0)).isEqualTo(List.of(Sym.of("EXTERNAL")));
    send(Performatives.saslInit("EXTERNAL", new byte[0], null));
    assertThat(readFrame().field("code")).isEqualTo(new UByte(0));

    peer.awaitDone(TIMEOUT);
    assertThat(peer.toString()).contains("(TLS)");
  }

  @Test
  void closeEndsTheThreadAndReleasesThePort() throws Exception {
    int port = peer.port();
    peer.expectProtocolHeader(0).goSilent().start();
    connect();
    sendHeader(0);
    peer.awaitDone(TIMEOUT);

    peer.close();

    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(
                        t -> t.isAlive() && t.getName().equals("scripted-amqp10-peer-" + port)));
    InputStream in = client.getInputStream();
    assertThat(in.read()).isEqualTo(-1);
    try (ServerSocket again = new ServerSocket()) {
      again.setReuseAddress(true);
      again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      assertThat(again.getLocalPort()).isEqualTo(port);
    }
  }
}
