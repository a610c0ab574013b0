package dev.amqpkit.testkit.amqp091;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The probe against peers that are not a healthy broker, played by a local socket. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WireConnectionTest {
  private static final Duration TIMEOUT = Duration.ofMillis(500);

  private final ServerSocket server;

  WireConnectionTest() throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
  }

  @AfterEach
  void closeServer() throws IOException {
    server.close();
  }

  /** Accepts one connection, reads the 8-byte protocol header, then does what it is told. */
  private CompletableFuture<byte[]> peer(PeerScript script) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Socket socket = server.accept()) {
            InputStream in = socket.getInputStream();
            byte[] header = in.readNBytes(8);
            script.play(socket);
            return header;
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  interface PeerScript {
    void play(Socket socket) throws IOException;
  }

  private ConnectionStart probe() throws IOException {
    return WireConnection.probe("127.0.0.1", server.getLocalPort(), TIMEOUT);
  }

  @Test
  void readsConnectionStartFromAPeerThatSendsIt() throws Exception {
    Frame start =
        Frame.method(
            0,
            10,
            10,
            Arguments.create()
                .octet(0)
                .octet(9)
                .table(
                    Map.of(
                        "product", "Scripted",
                        "version", "1.0",
                        "capabilities", Map.of("publisher_confirms", true, "off", false)))
                .longString("PLAIN AMQPLAIN")
                .longString("en_US"));
    CompletableFuture<byte[]> header =
        peer(socket -> socket.getOutputStream().write(start.toByteArray()));

    ConnectionStart read = probe();

    assertThat(header.get(5, TimeUnit.SECONDS)).isEqualTo(Frame.PROTOCOL_HEADER);
    assertThat(read.versionMajor()).isZero();
    assertThat(read.versionMinor()).isEqualTo(9);
    assertThat(read.product()).isEqualTo("Scripted");
    assertThat(read.mechanisms()).containsExactly("PLAIN", "AMQPLAIN");
    assertThat(read.capabilities()).containsExactly("publisher_confirms");
  }

  @Test
  void aPeerThatAnswersWithAnotherProtocolVersionIsNamed() {
    peer(socket -> socket.getOutputStream().write(new byte[] {'A', 'M', 'Q', 'P', 0, 1, 0, 0}));

    assertThatThrownBy(this::probe)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("refused AMQP 0-9-1")
        .hasMessageContaining("version 1-0-0");
  }

  @Test
  void aSilentPeerTimesOut() {
    peer(socket -> sleepQuietly(2_000));

    assertThatThrownBy(this::probe)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("accepted the connection but sent nothing");
  }

  @Test
  void aPeerThatHangsUpIsReported() {
    peer(socket -> {});

    assertThatThrownBy(this::probe)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("closed the connection before connection.start");
  }

  @Test
  void aPeerSpeakingSomethingElseIsNotTakenForABroker() {
    peer(socket -> socket.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes()));

    assertThatThrownBy(this::probe)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("is not an AMQP 0-9-1 broker");
  }

  @Test
  void nothingListeningIsReported() throws IOException {
    int port = server.getLocalPort();
    server.close();

    assertThatThrownBy(() -> WireConnection.probe("127.0.0.1", port, TIMEOUT))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot connect to 127.0.0.1:" + port);
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
