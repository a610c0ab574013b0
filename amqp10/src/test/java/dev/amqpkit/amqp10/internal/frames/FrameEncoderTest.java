package dev.amqpkit.amqp10.internal.frames;

import static dev.amqpkit.amqp10.internal.protocol.Bytes.bytes;
import static dev.amqpkit.amqp10.internal.protocol.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.amqp10.internal.protocol.Begin;
import dev.amqpkit.amqp10.internal.protocol.Close;
import dev.amqpkit.amqp10.internal.protocol.Open;
import dev.amqpkit.amqp10.internal.protocol.Performative;
import dev.amqpkit.amqp10.internal.protocol.ProtocolArbitraries;
import dev.amqpkit.amqp10.internal.protocol.SaslInit;
import dev.amqpkit.amqp10.internal.protocol.SaslPerformative;
import dev.amqpkit.amqp10.internal.protocol.Transfer;
import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.amqp10.types.Symbol;
import java.io.ByteArrayOutputStream;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class FrameEncoderTest {
  private final FrameEncoder encoder = new FrameEncoder(512);

  private static Transfer first() {
    return Transfer.builder()
        .handle(1)
        .deliveryId(7L)
        .deliveryTag(Binary.copyOf(new byte[] {0, 0, 0, 7}))
        .messageFormat(0L)
        .settled(false)
        .build();
  }

  private static byte[] payload(int length) {
    byte[] bytes = new byte[length];
    new Random(length).nextBytes(bytes);
    return bytes;
  }

  /** Decodes every frame in {@code bytes}, checking each against the maximum size. */
  private static List<AmqpFrame> decodeAll(byte[] bytes, int maxFrameSize) {
    FrameDecoder decoder = new FrameDecoder(maxFrameSize);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    List<AmqpFrame> frames = new ArrayList<>();
    while (in.hasRemaining()) {
      int start = in.position();
      Frame frame = decoder.decode(in);
      assertThat(frame).as("a whole frame at %d", start).isNotNull();
      assertThat(in.position() - start).isLessThanOrEqualTo(maxFrameSize);
      frames.add((AmqpFrame) frame);
    }
    return frames;
  }

  private static byte[] payloadOf(List<AmqpFrame> frames) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (AmqpFrame frame : frames) {
      ByteBuffer payload = frame.payload();
      byte[] chunk = new byte[payload.remaining()];
      payload.duplicate().get(chunk);
      out.writeBytes(chunk);
    }
    return out.toByteArray();
  }

  @Test
  void anOpenFrame() {
    byte[] frame = encoder.encode(0, Open.builder().containerId("c").build(), null);

    assertThat(hex(frame)).isEqualTo("00 00 00 11 02 00 00 00 00 53 10 c0 04 01 a1 01 63");
  }

  @Test
  void aTransferFrameWithItsPayload() {
    Transfer transfer =
        Transfer.builder()
            .handle(0)
            .deliveryId(0L)
            .deliveryTag(Binary.copyOf(new byte[] {1}))
            .messageFormat(0L)
            .settled(true)
            .build();
    ByteBuffer payload = ByteBuffer.wrap(bytes("ff ff 00 53 75 a0 02 68 69")).position(2);

    byte[] frame = encoder.encode(1, transfer, payload);

    assertThat(hex(frame))
        .isEqualTo(
            hex(
                bytes(
                    "00 00 00 1c 02 00 00 01",
                    "00 53 14 c0 08 05 43 43 a0 01 01 43 41",
                    "00 53 75 a0 02 68 69")));
    assertThat(payload.position()).as("the payload's position").isEqualTo(2);
  }

  @Test
  void aSaslFrame() {
    byte[] frame =
        encoder.encodeSasl(
            new SaslInit(
                Symbol.valueOf("PLAIN"), Binary.copyOf("\0guest\0guest".getBytes()), null));

    assertThat(hex(frame))
        .isEqualTo(
            hex(
                bytes(
                    "00 00 00 23 02 01 00 00 00 53 41 c0 16 02 a3 05",
                    "'PLAIN",
                    "a0 0c 00",
                    "'guest",
                    "00",
                    "'guest")));
  }

  @Test
  void theEmptyFrame() {
    assertThat(hex(FrameEncoder.emptyFrame())).isEqualTo("00 00 00 08 02 00 00 00");
  }

  @Test
  void framesAreBigEndianInABufferOfAnyOrder() {
    ByteBuffer target = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    target.put((byte) 0x99);

    int written = encoder.encode(0x0102, new Close(null), null, target);

    assertThat(written).isEqualTo(12);
    assertThat(target.position()).isEqualTo(13);
    byte[] out = new byte[12];
    target.get(1, out);
    assertThat(hex(out)).isEqualTo("00 00 00 0c 02 00 01 02 00 53 18 45");
  }

  @Test
  void whatCannotBeWrittenLeavesThePositionAlone() {
    ByteBuffer small = ByteBuffer.allocate(16).position(3);
    Open open = Open.builder().containerId("c").build();

    assertThatThrownBy(() -> encoder.encode(0, open, null, small))
        .isInstanceOf(BufferOverflowException.class);
    assertThat(small.position()).isEqualTo(3);

    ByteBuffer big = ByteBuffer.allocate(2048).position(5);
    Transfer transfer = Transfer.builder().handle(0).build();
    assertThatThrownBy(() -> encoder.encode(0, transfer, ByteBuffer.allocate(600), big))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "a frame of 615 bytes (7 of performative, 600 of payload) is larger than the"
                + " max-frame-size of 512");
    assertThat(big.position()).isEqualTo(5);

    assertThatThrownBy(() -> encoder.encode(0, open, ByteBuffer.allocate(1), big))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only a transfer carries a payload");
    assertThatThrownBy(() -> encoder.encode(65536, open, null, big))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("channel is 0..65535, not 65536");
    assertThat(big.position()).isEqualTo(5);
  }

  @Test
  void aPayloadThatFitsIsOneFrame() {
    int room = 512 - encoder.sizeOf(first(), 0);
    byte[] payload = payload(room);
    ByteBuffer target = ByteBuffer.allocate(1024);

    int frames = encoder.encodeTransfer(0, first(), ByteBuffer.wrap(payload), target);

    assertThat(frames).isEqualTo(1);
    assertThat(target.position()).isEqualTo(512);
    List<AmqpFrame> decoded = decodeAll(written(target), 512);
    assertThat(decoded).hasSize(1);
    assertThat(decoded.get(0).performative()).isEqualTo(first());
    assertThat(payloadOf(decoded)).isEqualTo(payload);
  }

  @Test
  void aTransferSplitAtMaxFrameSize512ReassemblesToTheSamePayload() {
    byte[] payload = payload(5000);
    int size = encoder.sizeOfTransfer(first(), payload.length);
    ByteBuffer target = ByteBuffer.allocate(size);

    int count = encoder.encodeTransfer(3, first(), ByteBuffer.wrap(payload), target);

    assertThat(target.position()).isEqualTo(size);
    List<AmqpFrame> frames = decodeAll(written(target), 512);
    assertThat(frames).hasSize(count);
    assertThat(count).isGreaterThan(10);
    assertThat(payloadOf(frames)).isEqualTo(payload);
    Transfer head = (Transfer) frames.get(0).performative();
    assertThat(head).isEqualTo(first().newBuilder().more(true).build());
    for (int i = 1; i < count; i++) {
      Transfer next = (Transfer) frames.get(i).performative();
      assertThat(next.handle()).isEqualTo(1);
      assertThat(next.deliveryId()).isNull();
      assertThat(next.deliveryTag()).isNull();
      assertThat(next.messageFormat()).isNull();
      assertThat(next.settled()).isNull();
      assertThat(next.more()).as("more on frame %d", i).isEqualTo(i < count - 1);
    }
    for (AmqpFrame frame : frames.subList(0, count - 1)) {
      assertThat(frame.channel()).isEqualTo(3);
      assertThat(encoder.sizeOf(frame.performative(), frame.payload().remaining()))
          .as("every frame but the last is full")
          .isEqualTo(512);
    }
  }

  @Test
  void theLastFrameKeepsMoreWhenTheMessageGoesOn() {
    Transfer streaming = first().newBuilder().more(true).build();
    byte[] payload = payload(1500);
    ByteBuffer target = ByteBuffer.allocate(encoder.sizeOfTransfer(streaming, payload.length));

    encoder.encodeTransfer(0, streaming, ByteBuffer.wrap(payload), target);

    List<AmqpFrame> frames = decodeAll(written(target), 512);
    assertThat(frames).allSatisfy(f -> assertThat(((Transfer) f.performative()).more()).isTrue());
    assertThat(payloadOf(frames)).isEqualTo(payload);
  }

  @Test
  void splittingNeedsRoomForPayload() {
    Transfer hugeTag = first().newBuilder().deliveryTag(Binary.copyOf(new byte[500])).build();

    assertThatThrownBy(() -> encoder.sizeOfTransfer(hugeTag, 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("leaves no room for payload");
    ByteBuffer target = ByteBuffer.allocate(100);
    assertThatThrownBy(
            () -> encoder.encodeTransfer(0, first(), ByteBuffer.wrap(payload(5000)), target))
        .isInstanceOf(BufferOverflowException.class);
    assertThat(target.position()).isZero();
  }

  @Provide
  Arbitrary<Transfer> transfers() {
    return ProtocolArbitraries.transfer();
  }

  @Property(tries = 300)
  void anyPayloadSplitsIntoFramesThatReassemble(
      @ForAll("transfers") Transfer first,
      @ForAll @IntRange(min = 0, max = 20_000) int length,
      @ForAll @IntRange(min = 512, max = 4096) int maxFrameSize) {
    FrameEncoder splitter = new FrameEncoder(maxFrameSize);
    Transfer continuation = Transfer.builder().handle(first.handle()).more(true).build();
    Assume.that(splitter.sizeOf(first.newBuilder().more(true).build(), 0) < maxFrameSize);
    Assume.that(splitter.sizeOf(continuation, 0) < maxFrameSize);
    byte[] payload = payload(length);
    ByteBuffer target = ByteBuffer.allocate(splitter.sizeOfTransfer(first, length));

    int count = splitter.encodeTransfer(0, first, ByteBuffer.wrap(payload), target);

    assertThat(target.hasRemaining()).as("sizeOfTransfer was exact").isFalse();
    List<AmqpFrame> frames = decodeAll(written(target), maxFrameSize);
    assertThat(frames).hasSize(count);
    assertThat(payloadOf(frames)).isEqualTo(payload);
    Transfer head = (Transfer) frames.get(0).performative();
    assertThat(head.deliveryId()).isEqualTo(first.deliveryId());
    assertThat(head.deliveryTag()).isEqualTo(first.deliveryTag());
    assertThat(head.state()).isEqualTo(first.state());
    assertThat(((Transfer) frames.get(count - 1).performative()).more()).isEqualTo(first.more());
  }

  @Provide
  Arbitrary<Performative> performatives() {
    return Arbitraries.oneOf(
        ProtocolArbitraries.open(),
        ProtocolArbitraries.begin(),
        ProtocolArbitraries.attach(),
        ProtocolArbitraries.flow(),
        ProtocolArbitraries.transfer(),
        ProtocolArbitraries.disposition(),
        ProtocolArbitraries.detach(),
        ProtocolArbitraries.end(),
        ProtocolArbitraries.close());
  }

  @Property(tries = 1000)
  void everyPerformativeRoundTripsThroughAFrame(
      @ForAll("performatives") Performative performative,
      @ForAll @IntRange(min = 0, max = 65535) int channel) {
    FrameEncoder large = new FrameEncoder(1 << 20);
    ByteBuffer payload = performative instanceof Transfer ? ByteBuffer.wrap(payload(100)) : null;

    byte[] frame = large.encode(channel, performative, payload);
    Frame decoded = new FrameDecoder(1 << 20).decode(ByteBuffer.wrap(frame));

    assertThat(decoded)
        .isEqualTo(new AmqpFrame(channel, performative, payload == null ? null : payload));
  }

  @Provide
  Arbitrary<SaslPerformative> saslPerformatives() {
    return Arbitraries.oneOf(
        ProtocolArbitraries.saslMechanisms(),
        ProtocolArbitraries.saslInit(),
        ProtocolArbitraries.saslChallenge(),
        ProtocolArbitraries.saslResponse(),
        ProtocolArbitraries.saslOutcome());
  }

  @Property(tries = 300)
  void everySaslPerformativeRoundTripsThroughAFrame(
      @ForAll("saslPerformatives") SaslPerformative performative) {
    byte[] frame = new FrameEncoder(4096).encodeSasl(performative);

    assertThat(new FrameDecoder(4096).decode(ByteBuffer.wrap(frame)))
        .isEqualTo(new SaslFrame(performative));
  }

  @Test
  void sizeOfIsTheEncodedSize() {
    Begin begin = Begin.builder().nextOutgoingId(0).incomingWindow(1).outgoingWindow(1).build();

    assertThat(encoder.sizeOf(begin, 0)).isEqualTo(encoder.encode(5, begin, null).length);
  }

  private static byte[] written(ByteBuffer written) {
    byte[] out = new byte[written.position()];
    written.get(0, out);
    return out;
  }
}
