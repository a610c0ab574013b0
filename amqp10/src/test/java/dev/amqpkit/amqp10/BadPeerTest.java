package dev.amqpkit.amqp10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.common.Recovery;
import dev.amqpkit.testkit.amqp10.Frame;
import dev.amqpkit.testkit.amqp10.Performatives;
import dev.amqpkit.testkit.amqp10.ScriptedPeer;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed input from the peer after the connection opened: each ends in a {@link
 * ProtocolException}, a {@code close} to the peer with the condition that names the problem, and
 * the connection closed with its threads gone.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BadPeerTest {
  private static final int MAX_FRAME_SIZE = 512;

  /** An AMQP frame (DOFF 2, type 0) on channel 0 with this body. */
  private static byte[] frame(String bodyHex) {
    byte[] body = HexFormat.of().parseHex(bodyHex);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int size = 8 + body.length;
    out.write(size >>> 24);
    out.write(size >>> 16);
    out.write(size >>> 8);
    out.write(size);
    out.writeBytes(new byte[] {2, 0, 0, 0});
    out.writeBytes(body);
    return out.toByteArray();
  }

  static Stream<Arguments> badInput() {
    // close whose field list nests lists 80 deep: each list8 holds the next as its one element.
    String nested = "45";
    for (int i = 0; i < 80; i++) {
      nested = String.format("c0%02x01", 1 + nested.length() / 2) + nested;
    }
    String deep = "005318" + nested;
    return Stream.of(
        Arguments.of(
            "a frame longer than max-frame-size",
            new byte[] {0, 0, 4, 0, 2, 0, 0, 0},
            "amqp:connection:framing-error",
            "1024"),
        Arguments.of(
            "a SIZE below the frame header's 8 bytes",
            new byte[] {0, 0, 0, 6, 2, 0, 0, 0},
            "amqp:connection:framing-error",
            "SIZE 6"),
        Arguments.of(
            "a begin without its mandatory next-outgoing-id",
            frame("005311c00201" + "40"), // begin: remote-channel null only
            "amqp:decode-error",
            "mandatory"),
        Arguments.of(
            "an unknown descriptor where a performative belongs",
            frame("0053ee45"),
            "amqp:decode-error",
            "performative"),
        Arguments.of(
            "a length larger than what is left of the frame",
            frame("005318c00a01" + "005310c00401a15063"), // open's container-id: str8 of 0x50 bytes
            "amqp:decode-error",
            "str8 data needs 80 bytes but only 1 remain"),
        Arguments.of(
            "compound values nested deeper than the limit",
            frame(deep),
            "amqp:decode-error",
            "deep"),
        Arguments.of(
            "an array whose element count cannot fit its size",
            frame("005318c00401" + "e002c850"), // array8: size 2, count 200 ubytes
            "amqp:decode-error",
            "array"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInput")
  void badInputClosesTheConnectionWithTheConditionThatNamesIt(
      String what, byte[] bytes, String condition, String detail) throws Exception {
    AtomicReference<Frame> close = new AtomicReference<>();
    try (ScriptedPeer peer = new ScriptedPeer()) {
      peer.saslHandshake("PLAIN")
          .openHandshake()
          .delay(Duration.ofMillis(200)) // after open() returned
          .sendRaw(bytes)
          .expectPerformative(Performatives.CLOSE, 0, close::set)
          .start();
      Connection c =
          Connection.open(
              ConnectionOptions.builder()
                  .recovery(Recovery.disabled()) // the bare engine
                  .endpoint(peer.host(), peer.port())
                  .credentials("u", "p")
                  .maxFrameSize(MAX_FRAME_SIZE)
                  .idleTimeout(Duration.ZERO)
                  .closeTimeout(Duration.ofSeconds(1))
                  .build());
      CompletableFuture<ConnectionClosedException> heard = new CompletableFuture<>();
      c.addListener(
          new ConnectionListener() {
            @Override
            public void closed(ConnectionClosedException cause) {
              heard.complete(cause);
            }
          });

      ConnectionClosedException cause = heard.get(5, TimeUnit.SECONDS);
      assertThat(cause).as(what).isInstanceOf(ProtocolException.class);
      assertThat(cause.error().condition().toString()).as(what).isEqualTo(condition);
      assertThat(cause.error().description()).as(what).containsIgnoringCase(detail);
      peer.awaitDone(Duration.ofSeconds(5));
      assertThat(String.valueOf(close.get().field("error"))).contains(condition);
    }
  }

  @Test
  void anAmqpFrameDuringTheSaslExchangeFailsTheLogin() {
    try (ScriptedPeer peer = new ScriptedPeer()) {
      peer.expectProtocolHeader(Frame.PROTOCOL_SASL)
          .sendProtocolHeader(Frame.PROTOCOL_SASL)
          .send(Performatives.open("not-sasl"))
          .start();

      assertThatThrownBy(
              () ->
                  Connection.open(
                      ConnectionOptions.builder()
                          .recovery(Recovery.disabled()) // the bare engine
                          .endpoint(peer.host(), peer.port())
                          .credentials("u", "p")
                          .build()))
          .isInstanceOf(AmqpException.class)
          .hasMessageContaining("open");
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
