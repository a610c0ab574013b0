package dev.amqpkit.amqp10.internal.frames;

import static dev.amqpkit.amqp10.internal.protocol.Bytes.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.amqp10.ErrorConditions;
import dev.amqpkit.amqp10.internal.codec.DecodeException;
import dev.amqpkit.amqp10.internal.protocol.Close;
import dev.amqpkit.amqp10.internal.protocol.Open;
import dev.amqpkit.amqp10.internal.protocol.SaslCode;
import dev.amqpkit.amqp10.internal.protocol.SaslInit;
import dev.amqpkit.amqp10.internal.protocol.SaslOutcome;
import dev.amqpkit.amqp10.internal.protocol.Transfer;
import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.amqp10.types.Symbol;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
  /** An open with container-id "c": 9 bytes. */
  private static final String OPEN = "00 53 10 c0 04 01 a1 01 63";

  private final FrameDecoder decoder = new FrameDecoder(512);

  /**
   * Decodes {@code bytes} with a new decoder, expecting a FrameException; checks that nothing was
   * consumed.
   */
  private static AbstractThrowableAssert<?, ? extends Throwable> rejects(
      Symbol condition, byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    FrameDecoder fresh = new FrameDecoder(512);
    AbstractThrowableAssert<?, ? extends Throwable> thrown =
        assertThatThrownBy(() -> fresh.decode(in))
            .isInstanceOf(FrameException.class)
            .satisfies(e -> assertThat(((FrameException) e).condition()).isEqualTo(condition));
    assertThat(in.position()).as("position after the failure").isZero();
    return thrown;
  }

  @Test
  void anOpenFrame() {
    ByteBuffer in = ByteBuffer.wrap(bytes("00 00 00 11 02 00 00 00", OPEN));

    Frame frame = decoder.decode(in);

    assertThat(frame).isEqualTo(new AmqpFrame(0, Open.builder().containerId("c").build(), null));
    assertThat(in.hasRemaining()).isFalse();
  }

  @Test
  void anEmptyFrameIsAHeartbeat() {
    ByteBuffer in = ByteBuffer.wrap(bytes("00 00 00 08 02 00 00 05"));

    assertThat(decoder.decode(in)).isEqualTo(new EmptyFrame(5));
    assertThat(in.hasRemaining()).isFalse();
  }

  @Test
  void aTransferCarriesItsPayloadAsAViewOfTheInput() {
    byte[] bytes =
        bytes(
            "00 00 00 1c 02 00 00 01",
            "00 53 14 c0 08 05 43 43 a0 01 01 43 41",
            "00 53 75 a0 02 68 69");
    ByteBuffer in = ByteBuffer.wrap(bytes);

    AmqpFrame frame = (AmqpFrame) decoder.decode(in);

    assertThat(frame.channel()).isEqualTo(1);
    assertThat(frame.performative())
        .isEqualTo(
            Transfer.builder()
                .handle(0)
                .deliveryId(0L)
                .deliveryTag(Binary.copyOf(new byte[] {1}))
                .messageFormat(0L)
                .settled(true)
                .build());
    assertThat(frame.payload()).isEqualTo(ByteBuffer.wrap(bytes("00 53 75 a0 02 68 69")));
    assertThat(frame.payload().array()).as("not copied").isSameAs(bytes);
    assertThat(frame.payload().arrayOffset()).isEqualTo(21);
  }

  @Test
  void aTransferWithoutPayloadHasAnEmptyOne() {
    ByteBuffer in = ByteBuffer.wrap(bytes("00 00 00 0f 02 00 00 00 00 53 14 c0 02 01 43"));

    AmqpFrame frame = (AmqpFrame) decoder.decode(in);

    assertThat(frame.payload().remaining()).isZero();
  }

  @Test
  void theExtendedHeaderIsSkipped() {
    // DOFF 3: four bytes of extended header before the body.
    ByteBuffer in = ByteBuffer.wrap(bytes("00 00 00 15 03 00 00 07 de ad be ef", OPEN));

    assertThat(decoder.decode(in))
        .isEqualTo(new AmqpFrame(7, Open.builder().containerId("c").build(), null));
  }

  @Test
  void saslFrames() {
    ByteBuffer in =
        ByteBuffer.wrap(
            bytes(
                "00 00 00 23 02 01 00 00 00 53 41 c0 16 02 a3 05",
                "'PLAIN",
                "a0 0c 00",
                "'guest",
                "00",
                "'guest",
                "00 00 00 10 02 01 00 00 00 53 44 c0 03 01 50 00"));

    assertThat(decoder.decode(in))
        .isEqualTo(
            new SaslFrame(
                new SaslInit(
                    Symbol.valueOf("PLAIN"), Binary.copyOf("\0guest\0guest".getBytes()), null)));
    assertThat(decoder.decode(in)).isEqualTo(new SaslFrame(new SaslOutcome(SaslCode.OK, null)));
  }

  @Test
  void framesOneAfterAnotherInAnyByteOrder() {
    ByteBuffer in =
        ByteBuffer.wrap(
                bytes(
                    "00 00 00 11 02 00 00 00",
                    OPEN,
                    "00 00 00 08 02 00 00 00",
                    "00 00 00 0c 02 00 00 03 00 53 18 45"))
            .order(ByteOrder.LITTLE_ENDIAN);

    assertThat(decoder.decode(in)).isInstanceOf(AmqpFrame.class);
    assertThat(decoder.decode(in)).isEqualTo(new EmptyFrame(0));
    assertThat(decoder.decode(in)).isEqualTo(new AmqpFrame(3, new Close(null), null));
    assertThat(decoder.decode(in)).isNull();
  }

  @Test
  void aPartialFrameConsumesNothingUntilItIsWhole() {
    byte[] frame = bytes("00 00 00 11 02 00 00 00", OPEN);
    ByteBuffer in = ByteBuffer.allocate(frame.length);

    for (int i = 0; i < frame.length - 1; i++) {
      in.put(frame[i]).flip();
      assertThat(decoder.decode(in)).as("after %d bytes", i + 1).isNull();
      assertThat(in.position()).isZero();
      assertThat(decoder.bytesNeeded()).isEqualTo(i + 1 < 8 ? 8 : 17);
      in.position(in.limit()).limit(in.capacity());
    }
    in.put(frame[frame.length - 1]).flip();

    assertThat(decoder.decode(in)).isInstanceOf(AmqpFrame.class);
    assertThat(in.hasRemaining()).isFalse();
    assertThat(decoder.bytesNeeded()).isEqualTo(8);
  }

  @Test
  void aSizeBelowTheHeader() {
    rejects(ErrorConditions.CONNECTION_FRAMING_ERROR, bytes("00 00 00 07 02 00 00 00"))
        .hasMessage("frame SIZE 7 is less than the 8 bytes of the frame header");
    rejects(ErrorConditions.CONNECTION_FRAMING_ERROR, bytes("00 00 00 00 02 00 00 00"))
        .hasMessageContaining("frame SIZE 0");
  }

  @Test
  void aSizeAboveTheMaximumIsRefusedFromTheHeaderAlone() {
    // Only the header has arrived: the size is refused without waiting for, or making room for,
    // the body.
    rejects(ErrorConditions.CONNECTION_FRAMING_ERROR, bytes("00 00 02 01 02 00 00 00"))
        .hasMessage("frame SIZE 513 is larger than the max-frame-size of 512");
    rejects(ErrorConditions.CONNECTION_FRAMING_ERROR, bytes("ff ff ff ff 02 00 00 00"))
        .hasMessageContaining("frame SIZE 4294967295 is larger");
    // Exactly the maximum is fine.
    assertThat(decoder.decode(ByteBuffer.wrap(bytes("00 00 02 00 02 00 00 00")))).isNull();
    assertThat(decoder.bytesNeeded()).isEqualTo(512);
  }

  @Test
  void theMaximumCanBeRaisedOnceNegotiated() {
    decoder.maxFrameSize(65536);

    assertThat(decoder.decode(ByteBuffer.wrap(bytes("00 01 00 00 02 00 00 00")))).isNull();
    assertThat(decoder.bytesNeeded()).isEqualTo(65536);
    assertThatThrownBy(() -> decoder.maxFrameSize(511))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aDataOffsetBelowTwo() {
    rejects(ErrorConditions.CONNECTION_FRAMING_ERROR, bytes("00 00 00 08 01 00 00 00"))
        .hasMessageContaining("frame DOFF 1 is less than 2");
    rejects(ErrorConditions.CONNECTION_FRAMING_ERROR, bytes("00 00 00 08 00 00 00 00"))
        .hasMessageContaining("frame DOFF 0 is less than 2");
  }

  @Test
  void aDataOffsetPastTheFrame() {
    rejects(ErrorConditions.CONNECTION_FRAMING_ERROR, bytes("00 00 00 08 03 00 00 00"))
        .hasMessage("frame DOFF 3 puts the body at byte 12, past the end of the 8-byte frame");
    rejects(ErrorConditions.CONNECTION_FRAMING_ERROR, bytes("00 00 00 10 ff 00 00 00"))
        .hasMessageContaining("frame DOFF 255");
  }

  @Test
  void anUnknownFrameType() {
    rejects(ErrorConditions.CONNECTION_FRAMING_ERROR, bytes("00 00 00 08 02 02 00 00"))
        .hasMessage("frame TYPE 2 is neither 0 (AMQP) nor 1 (SASL)");
  }

  @Test
  void aBodyThatIsNotADescribedType() {
    rejects(ErrorConditions.DECODE_ERROR, bytes("00 00 00 0b 02 00 00 04 a1 01 63"))
        .hasMessage(
            "the body of an AMQP frame on channel 4 (11 bytes) starts with str8 (0xa1), not a"
                + " described type: a frame body is a performative");
  }

  @Test
  void aBodyThatIsNotAPerformative() {
    rejects(ErrorConditions.DECODE_ERROR, bytes("00 00 00 0c 02 00 00 00 00 53 99 45"))
        .hasMessageContaining("holds a value with the unknown descriptor 153, not a performative");
    rejects(ErrorConditions.DECODE_ERROR, bytes("00 00 00 0c 02 00 00 00 00 53 24 45"))
        .hasMessageContaining("holds an accepted, not a performative");
    // A SASL performative in an AMQP frame, and an AMQP one in a SASL frame.
    rejects(ErrorConditions.DECODE_ERROR, bytes("00 00 00 10 02 00 00 00 00 53 44 c0 03 01 50 00"))
        .hasMessageContaining("holds a sasl-outcome, not a performative");
    rejects(ErrorConditions.DECODE_ERROR, bytes("00 00 00 11 02 01 00 00", OPEN))
        .hasMessage("a SASL frame holds an open, not a SASL performative");
  }

  @Test
  void aMalformedPerformative() {
    FrameDecoder fresh = new FrameDecoder(512);
    ByteBuffer in = ByteBuffer.wrap(bytes("00 00 00 0c 02 00 00 00 00 53 10 45"));

    assertThatThrownBy(() -> fresh.decode(in))
        .isInstanceOf(FrameException.class)
        .hasMessageContaining(
            "the performative of an AMQP frame on channel 0 (12 bytes) cannot be"
                + " decoded: described value amqp:open:list is malformed: open field container-id"
                + " (index 0) is mandatory but absent")
        .hasCauseInstanceOf(DecodeException.class)
        .satisfies(
            e ->
                assertThat(((FrameException) e).toError().condition())
                    .isEqualTo(ErrorConditions.DECODE_ERROR));
    assertThat(in.position()).isZero();
    assertThat(in.limit()).isEqualTo(12);
  }

  @Test
  void aPerformativeThatDoesNotFillTheFrame() {
    // An open that ends before the frame does: only a transfer carries more.
    rejects(ErrorConditions.DECODE_ERROR, bytes("00 00 00 13 02 00 00 00", OPEN, "ab cd"))
        .hasMessageContaining("has 2 bytes after an open: only a transfer carries a payload");
    // A performative cut short by the frame's end.
    rejects(ErrorConditions.DECODE_ERROR, bytes("00 00 00 10 02 00 00 00", OPEN))
        .hasMessageContaining("cannot be decoded");
  }

  @Test
  void emptySaslFramesAreErrors() {
    rejects(ErrorConditions.DECODE_ERROR, bytes("00 00 00 08 02 01 00 00"))
        .hasMessageContaining("a SASL frame has an empty body");
  }

  @Test
  void afterAnErrorEveryCallFailsTheSameWay() {
    ByteBuffer bad = ByteBuffer.wrap(bytes("00 00 00 08 02 09 00 00"));
    FrameException first = null;
    try {
      decoder.decode(bad);
    } catch (FrameException e) {
      first = e;
    }
    ByteBuffer good = ByteBuffer.wrap(bytes("00 00 00 08 02 00 00 00"));

    assertThat(first).isNotNull();
    assertThatThrownBy(() -> decoder.decode(good)).isSameAs(first);
    assertThat(good.position()).isZero();
  }
}
