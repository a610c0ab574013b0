package dev.amqpkit.amqp10.internal.frames;

import static dev.amqpkit.amqp10.internal.protocol.Bytes.bytes;
import static dev.amqpkit.amqp10.internal.protocol.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.amqp10.ErrorConditions;
import java.nio.ByteBuffer;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class ProtocolHeaderTest {

  private static AbstractThrowableAssert<?, ? extends Throwable> rejects(byte[] header) {
    ByteBuffer in = ByteBuffer.wrap(header);
    AbstractThrowableAssert<?, ? extends Throwable> thrown =
        assertThatThrownBy(() -> ProtocolHeader.read(in))
            .isInstanceOf(FrameException.class)
            .satisfies(
                e ->
                    assertThat(((FrameException) e).condition())
                        .isEqualTo(ErrorConditions.CONNECTION_FRAMING_ERROR));
    assertThat(in.position()).as("position after the failure").isZero();
    return thrown;
  }

  @Test
  void theThreeHeaders() {
    assertThat(hex(ProtocolHeader.AMQP.toByteArray())).isEqualTo("41 4d 51 50 00 01 00 00");
    assertThat(hex(ProtocolHeader.TLS.toByteArray())).isEqualTo("41 4d 51 50 02 01 00 00");
    assertThat(hex(ProtocolHeader.SASL.toByteArray())).isEqualTo("41 4d 51 50 03 01 00 00");
    assertThat(ProtocolHeader.SASL.protocolId()).isEqualTo(3);
  }

  @Test
  void readingTakesEightBytesOrNothing() {
    ByteBuffer in = ByteBuffer.allocate(20);
    ProtocolHeader.SASL.writeTo(in);
    ProtocolHeader.AMQP.writeTo(in);
    in.flip().limit(7);

    assertThat(ProtocolHeader.read(in)).isNull();
    assertThat(in.position()).isZero();

    in.limit(16);
    assertThat(ProtocolHeader.read(in)).isEqualTo(ProtocolHeader.SASL);
    assertThat(in.position()).isEqualTo(8);
    assertThat(ProtocolHeader.read(in)).isEqualTo(ProtocolHeader.AMQP);
    assertThat(in.hasRemaining()).isFalse();
  }

  @Test
  void aPeerThatSpeaksAmqp091() {
    // What a 0-9-1-only broker answers to a 1.0 header before it closes the connection.
    rejects(bytes("'AMQP", "00 00 09 01"))
        .hasMessage(
            "the peer speaks AMQP 0-9-1, not AMQP 1.0: it sent the protocol header 41 4d 51 50 00"
                + " 00 09 01 (\"AMQP....\")");
  }

  @Test
  void olderAmqpVersions() {
    rejects(bytes("'AMQP", "01 01 00 0a")).hasMessageStartingWith("the peer speaks AMQP 0-10,");
    rejects(bytes("'AMQP", "01 01 00 09")).hasMessageStartingWith("the peer speaks AMQP 0-9,");
    rejects(bytes("'AMQP", "01 01 08 00")).hasMessageStartingWith("the peer speaks AMQP 0-8,");
  }

  @Test
  void anotherVersionOrProtocolId() {
    rejects(bytes("'AMQP", "00 01 01 00"))
        .hasMessageStartingWith("the peer speaks AMQP 1.1.0 (protocol id 0), not 1.0.0");
    rejects(bytes("'AMQP", "05 01 00 00"))
        .hasMessageStartingWith("the peer sent a protocol header with the unknown protocol id 5");
  }

  @Test
  void somethingElseEntirely() {
    rejects(bytes("16 03 03 00 5d 02 00 00"))
        .hasMessageContaining("a TLS record: the port expects TLS (amqps)");
    rejects(bytes("'HTTP/1.1")).hasMessageContaining("an HTTP response");
    rejects(bytes("00 00 00 00 00 00 00 00"))
        .hasMessage(
            "the peer sent no AMQP protocol header: its first bytes are 00 00 00 00 00 00 00 00"
                + " (\"........\")");
  }

  @Test
  void parseWantsEightBytes() {
    assertThatThrownBy(() -> ProtocolHeader.parse(new byte[7]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(ProtocolHeader.parse(ProtocolHeader.TLS.toByteArray()))
        .isEqualTo(ProtocolHeader.TLS);
  }
}
