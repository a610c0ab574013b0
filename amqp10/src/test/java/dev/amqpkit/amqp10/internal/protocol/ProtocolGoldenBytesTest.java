package dev.amqpkit.amqp10.internal.protocol;

import static dev.amqpkit.amqp10.internal.protocol.Bytes.bytes;
import static dev.amqpkit.amqp10.internal.protocol.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amqpkit.amqp10.ErrorConditions;
import dev.amqpkit.amqp10.internal.codec.Decoder;
import dev.amqpkit.amqp10.internal.codec.Encoder;
import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.amqp10.types.UnsignedLong;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Performatives and sections against bytes written by hand from the encoding rules of the
 * specification (types.xml and the descriptors in transport.xml, messaging.xml and security.xml):
 * each encodes to exactly those bytes and decodes back.
 */
class ProtocolGoldenBytesTest {
  private final Encoder encoder = new Encoder(ProtocolTypes.REGISTRY);
  private final Decoder decoder = new Decoder(ProtocolTypes.REGISTRY);

  private void golden(Object value, byte[] expected) {
    assertThat(hex(encoder.encode(value))).isEqualTo(hex(expected));
    assertThat(decode(expected)).isEqualTo(value);
  }

  private Object decode(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    Object value = decoder.decode(buffer);
    assertThat(buffer.remaining()).as("bytes left").isZero();
    return value;
  }

  @Test
  void anOpenWithOnlyAContainerId() {
    // 00: described; 53 10: smallulong 0x10 (amqp:open:list); c0: list8 of size 4 (the count
    // byte and the 3 bytes of the field), count 1; a1 01 63: str8 "c". Every other field is at
    // its default or absent, so the list stops after the first.
    Open open = Open.builder().containerId("c").build();

    golden(open, bytes("00 53 10 c0 04 01 a1 01 63"));
    assertThat(open.maxFrameSize()).isEqualTo(4294967295L);
    assertThat(open.channelMax()).isEqualTo(65535);
    assertThat(open.hostname()).isNull();
    assertThat(open.idleTimeOut()).isNull();
  }

  @Test
  void anOpenWithLimits() {
    Open open =
        Open.builder()
            .containerId("c")
            .maxFrameSize(65536)
            .channelMax(2047)
            .idleTimeOut(30_000L)
            .build();

    // "c", null hostname (40), uint 65536 (70 00 01 00 00), ushort 2047 (60 07 ff),
    // uint 30000 (70 00 00 75 30): 17 bytes of fields, list8 size 18, count 5.
    golden(open, bytes("00 53 10 c0 12 05 a1 01 63 40 70 00 01 00 00 60 07 ff 70 00 00 75 30"));
  }

  @Test
  void aFieldAtItsDefaultIsWrittenAsNull() {
    // max-frame-size 4294967295 and channel-max 65535 are the defaults: written as null, then
    // dropped as trailing nulls.
    Open explicit =
        Open.builder().containerId("c").maxFrameSize(4294967295L).channelMax(65535).build();
    golden(explicit, bytes("00 53 10 c0 04 01 a1 01 63"));

    // A default in the middle becomes 40 (null) when a later field is present.
    Open withIdle = Open.builder().containerId("c").idleTimeOut(0L).build();
    golden(withIdle, bytes("00 53 10 c0 08 05 a1 01 63 40 40 40 43"));

    // And the default written out by a peer decodes to the same record.
    assertThat(decode(bytes("00 53 10 c0 0d 04 a1 01 63 40 70 ff ff ff ff 60 ff ff")))
        .isEqualTo(explicit);
  }

  @Test
  void anEmptyClose() {
    golden(new Close(null), bytes("00 53 18 45"));
    // An empty list8 is as good as list0.
    assertThat(decode(bytes("00 53 18 c0 01 00"))).isEqualTo(new Close(null));
  }

  @Test
  void aCloseWithAnError() {
    Close close = new Close(new Error(ErrorConditions.CONNECTION_FORCED, "bye", Map.of()));

    // error: 00 53 1d, list8 of sym8 "amqp:connection:forced" (2 + 22 bytes), str8 "bye" (2 + 3)
    // and an empty map (c1 01 00: size 1, count 0): 32 bytes of fields, size 33 (0x21).
    // close: list8 of that one 38-byte described value: size 39 (0x27), count 1.
    golden(
        close,
        bytes(
            "00 53 18 c0 27 01 00 53 1d c0 21 03 a3 16",
            "'amqp:connection:forced",
            "a1 03",
            "'bye",
            "c1 01 00"));
  }

  @Test
  void aBegin() {
    Begin begin =
        Begin.builder().nextOutgoingId(1).incomingWindow(2048).outgoingWindow(2048).build();

    // remote-channel null (40), smalluint 1 (52 01), uint 2048 twice (70 00 00 08 00);
    // handle-max at its default is left out: 13 bytes, size 14, count 4.
    golden(begin, bytes("00 53 11 c0 0e 04 40 52 01 70 00 00 08 00 70 00 00 08 00"));

    Begin answer = begin.newBuilder().remoteChannel(0).build();
    // remote-channel ushort 0 (60 00 00).
    golden(answer, bytes("00 53 11 c0 10 04 60 00 00 52 01 70 00 00 08 00 70 00 00 08 00"));
  }

  @Test
  void aFlow() {
    Flow flow =
        Flow.builder()
            .nextIncomingId(1L)
            .incomingWindow(2048)
            .nextOutgoingId(1)
            .outgoingWindow(2048)
            .handle(0L)
            .deliveryCount(0L)
            .linkCredit(100L)
            .build();

    // 52 01, 70 00 00 08 00, 52 01, 70 00 00 08 00, uint0 (43) twice, smalluint 100 (52 64):
    // 18 bytes, size 19, count 7.
    golden(flow, bytes("00 53 13 c0 13 07 52 01 70 00 00 08 00 52 01 70 00 00 08 00 43 43 52 64"));

    // drain true: available null (40), drain true (41).
    golden(
        flow.newBuilder().drain(true).build(),
        bytes("00 53 13 c0 15 09 52 01 70 00 00 08 00 52 01 70 00 00 08 00 43 43 52 64 40 41"));
  }

  @Test
  void aTransfer() {
    Transfer transfer =
        Transfer.builder()
            .handle(0)
            .deliveryId(0L)
            .deliveryTag(Binary.copyOf(new byte[] {1}))
            .messageFormat(0L)
            .settled(true)
            .build();

    // uint0, uint0, vbin8 [01] (a0 01 01), uint0, true (41): 7 bytes, size 8, count 5.
    golden(transfer, bytes("00 53 14 c0 08 05 43 43 a0 01 01 43 41"));
  }

  @Test
  void aDispositionWithAnOutcome() {
    Disposition disposition =
        Disposition.builder()
            .role(Role.RECEIVER)
            .first(5)
            .settled(true)
            .state(Accepted.INSTANCE)
            .build();

    // true (receiver), smalluint 5, null last, true settled, accepted (00 53 24 45).
    golden(disposition, bytes("00 53 15 c0 0a 05 41 52 05 40 41 00 53 24 45"));
  }

  @Test
  void anAttachWithSourceAndTarget() {
    Attach attach =
        Attach.builder()
            .name("l")
            .handle(0)
            .role(Role.SENDER)
            .sndSettleMode(SenderSettleMode.SETTLED)
            .source(Source.builder().address("q").build())
            .target(new Target("q", null, null, 0, false, null, null))
            .build();

    // name "l", handle uint0, role false (42), snd-settle-mode ubyte 1 (50 01),
    // rcv-settle-mode at its default (40), source (00 53 28 c0 04 01 a1 01 71),
    // target (00 53 29 c0 04 01 a1 01 71): 3+1+1+2+1+9+9 = 26 bytes, size 27, count 7.
    golden(
        attach,
        bytes(
            "00 53 12 c0 1b 07 a1 01 6c 43 42 50 01 40",
            "00 53 28 c0 04 01 a1 01 71",
            "00 53 29 c0 04 01 a1 01 71"));
  }

  @Test
  void multipleSymbolsAreWrittenAsAnArrayAndReadEitherWay() {
    Open open =
        Open.builder().containerId("c").offeredCapabilities(List.of(Symbol.valueOf("x"))).build();

    // Fields 1 to 6 null; offered-capabilities: array8 of size 4, count 1, element
    // constructor sym8, then the element: length 1, "x".
    golden(open, bytes("00 53 10 c0 10 08 a1 01 63 40 40 40 40 40 40 e0 04 01 a3 01 78"));
    // A lone symbol is a list of one.
    assertThat(decode(bytes("00 53 10 c0 0d 08 a1 01 63 40 40 40 40 40 40 a3 01 78")))
        .isEqualTo(open);
  }

  @Test
  void saslFrames() {
    SaslInit init =
        new SaslInit(Symbol.valueOf("PLAIN"), Binary.copyOf("\0guest\0guest".getBytes()), null);

    // sym8 "PLAIN" (2 + 5), vbin8 of 12 bytes (2 + 12): 21 bytes, size 22, count 2.
    golden(init, bytes("00 53 41 c0 16 02 a3 05", "'PLAIN", "a0 0c 00", "'guest", "00", "'guest"));

    // sasl-outcome: code ubyte 0.
    golden(new SaslOutcome(SaslCode.OK, null), bytes("00 53 44 c0 03 01 50 00"));

    // sasl-mechanisms as RabbitMQ sends it: an array of symbols.
    golden(
        new SaslMechanisms(List.of(Symbol.valueOf("PLAIN"), Symbol.valueOf("ANONYMOUS"))),
        bytes("00 53 40 c0 15 01 e0 12 02 a3 05", "'PLAIN", "09", "'ANONYMOUS"));
  }

  @Test
  void messageSections() {
    golden(new Data(Binary.copyOf(new byte[] {'h', 'i'})), bytes("00 53 75 a0 02 68 69"));
    golden(new AmqpValue("hi"), bytes("00 53 77 a1 02 68 69"));
    golden(new AmqpValue(null), bytes("00 53 77 40"));
    golden(new AmqpSequence(List.of(1)), bytes("00 53 76 c0 03 01 54 01"));
    golden(new ApplicationProperties(Map.of("k", 1)), bytes("00 53 74 c1 06 02 a1 01 6b 54 01"));
    golden(
        new MessageAnnotations(Map.of(Symbol.valueOf("x-opt-k"), "v")),
        bytes("00 53 72 c1 0d 02 a3 07", "'x-opt-k", "a1 01 76"));
    golden(new Header(true, 4, null, false, 0), bytes("00 53 70 c0 02 01 41"));
    golden(
        Properties.builder().messageId(UnsignedLong.valueOf(7)).to("q").build(),
        bytes("00 53 73 c0 07 03 53 07 40 a1 01 71"));
  }

  @Test
  void compositesWithoutFieldsAreEmptyLists() {
    golden(Accepted.INSTANCE, bytes("00 53 24 45"));
    golden(Released.INSTANCE, bytes("00 53 26 45"));
    golden(DeleteOnClose.INSTANCE, bytes("00 53 2b 45"));
    assertThat(decode(bytes("00 53 24 c0 01 00"))).isSameAs(Accepted.INSTANCE);
  }
}
