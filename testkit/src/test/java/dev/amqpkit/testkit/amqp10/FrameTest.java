package dev.amqpkit.testkit.amqp10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.testkit.amqp10.Amqp10Value.Described;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Sym;
import dev.amqpkit.testkit.amqp10.Amqp10Value.UInt;
import dev.amqpkit.testkit.amqp10.Amqp10Value.ULong;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Frames: golden bytes, reading and writing, and what the reader refuses. */
class FrameTest {

  private static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex.replace(" ", ""));
  }

  private static String hexOf(Frame frame) {
    return HexFormat.ofDelimiter(" ").formatHex(frame.toByteArray());
  }

  private static Frame read(byte[] bytes) throws Exception {
    return Frame.readFrom(new ByteArrayInputStream(bytes), 1 << 20);
  }

  @Test
  void anOpenWithOnlyAContainerIdIsSeventeenBytes() {
    // size 17, doff 2, type 0 (AMQP), channel 0; open = 0x00000000:0x00000010 as a smallulong;
    // a list8 of one string.
    assertThat(hexOf(Performatives.open("c")))
        .isEqualTo("00 00 00 11 02 00 00 00 00 53 10 c0 04 01 a1 01 63");
  }

  @Test
  void aHeartbeatIsAnEmptyFrame() throws Exception {
    assertThat(hexOf(Frame.heartbeat())).isEqualTo("00 00 00 08 02 00 00 00");
    Frame read = read(hex("00 00 00 08 02 00 00 00"));
    assertThat(read.isHeartbeat()).isTrue();
    assertThat(read.isWellFormed()).isTrue();
    assertThat(read.describe()).isEqualTo("heartbeat");
    assertThat(read.descriptorCode()).isEqualTo(-1);
    assertThatThrownBy(read::performative).hasMessageContaining("heartbeat");
  }

  @Test
  void saslMechanismsIsASaslFrameWithAnArrayOfSymbols() throws Exception {
    Frame mechanisms = Performatives.saslMechanisms("PLAIN");

    assertThat(hexOf(mechanisms))
        .isEqualTo("00 00 00 18 02 01 00 00 00 53 40 c0 0b 01 e0 08 01 a3 05 50 4c 41 49 4e");
    Frame read = read(mechanisms.toByteArray());
    assertThat(read.isSasl()).isTrue();
    assertThat(read.isPerformative(Performatives.SASL_MECHANISMS)).isTrue();
    assertThat(read.field("sasl-server-mechanisms")).isEqualTo(List.of(Sym.of("PLAIN")));
    assertThat(read.describe())
        .isEqualTo("sasl-mechanisms(sasl-server-mechanisms=array[:PLAIN]) (SASL)");
  }

  @Test
  void protocolHeadersAreAmqpThenIdAndVersionOneZeroZero() throws Exception {
    assertThat(Frame.protocolHeader(Frame.PROTOCOL_SASL)).isEqualTo(hex("41 4d 51 50 03 01 00 00"));
    assertThat(Frame.protocolHeader(Frame.PROTOCOL_AMQP)).isEqualTo(hex("41 4d 51 50 00 01 00 00"));
    assertThat(Frame.readProtocolHeader(new ByteArrayInputStream(hex("41 4d 51 50 03 01 00 00"))))
        .isEqualTo(3);
    assertThatThrownBy(
            () ->
                Frame.readProtocolHeader(new ByteArrayInputStream(hex("41 4d 51 50 00 00 09 01"))))
        .isInstanceOf(FrameFormatException.class)
        .hasMessageContaining("41 4d 51 50 00 00 09 01");
    assertThatThrownBy(() -> Frame.readProtocolHeader(new ByteArrayInputStream(hex("41 4d"))))
        .isInstanceOf(EOFException.class);
  }

  @Test
  void readsWhatItWritesWithPayloadAndExtendedHeader() throws Exception {
    Frame transfer =
        Performatives.transfer(
            3,
            1,
            0L,
            new byte[] {7},
            Performatives.message(Performatives.data(new byte[] {1, 2, 3})));
    Frame extended =
        Frame.raw(Frame.AMQP, 5, new byte[] {9, 9, 9, 9}, Performatives.end(5, null).body());

    for (Frame frame : List.of(transfer, extended)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      frame.writeTo(out);
      Frame read = read(out.toByteArray());
      assertThat(read).isEqualTo(frame);
      assertThat(read.size()).isEqualTo(out.size());
    }
    assertThat(extended.toByteArray()[4]).isEqualTo((byte) 3);
    assertThat(read(extended.toByteArray()).extendedHeader()).containsExactly(9, 9, 9, 9);
    Frame read = read(transfer.toByteArray());
    assertThat(read.channel()).isEqualTo(3);
    assertThat(read.payload()).isEqualTo(hex("00 53 75 a0 03 01 02 03"));
    assertThat(read.describe())
        .isEqualTo(
            "transfer(handle=1, delivery-id=0, delivery-tag=0x07, message-format=0) on channel 3"
                + " with 8 payload bytes");
  }

  @Test
  void refusesImpossibleFrameHeadersBeforeAllocating() {
    assertReadRefused("00 00 00 07 02 00 00 00", "size 7");
    assertReadRefused("00 00 00 08 01 00 00 00", "data offset 1");
    assertReadRefused("00 00 00 0c 04 00 00 00 00 00 00 00", "data offset 4");
    assertReadRefused("7f ff ff ff 02 00 00 00", "declares 2147483647 bytes, over 1048576");
    assertReadRefused("41 4d 51 50 00 01 00 00", "a protocol header");
    assertReadRefused("00 00 00 09 02 00 00 00 40", "not a described list");
    assertReadRefused("00 00 00 0b 02 00 00 00 00 53 10", "the input ends inside");
  }

  private static void assertReadRefused(String bytes, String fragment) {
    assertThatThrownBy(() -> read(hex(bytes)))
        .as(bytes)
        .isInstanceOf(FrameFormatException.class)
        .hasMessageContaining(fragment);
  }

  @Test
  void aStreamEndingInsideAFrameSaysWhere() {
    assertThatThrownBy(() -> read(new byte[0]))
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("before a frame started");
    assertThatThrownBy(() -> read(hex("00 00 00 11 02")))
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("inside the frame header");
    assertThatThrownBy(() -> read(hex("00 00 00 11 02 00 00 00 00 53")))
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("inside a frame of 17 bytes");
  }

  @Test
  void aRawFrameMayCarryAnyBodyAndSaysWhatIsWrongWithIt() {
    Frame bad = Frame.raw(Frame.AMQP, 0, new byte[0], hex("00 53 10 c0 04 01 a1 05 63"));

    assertThat(bad.isWellFormed()).isFalse();
    assertThat(bad.malformation()).contains("string declares 5 bytes but 1 remain");
    assertThat(bad.describe()).startsWith("malformed frame on channel 0 (");
    assertThat(bad.isPerformative(Performatives.OPEN)).isFalse();
    assertThatThrownBy(bad::performative).isInstanceOf(IllegalStateException.class);
    assertThat(bad.toByteArray()).startsWith(0, 0, 0, 17, 2, 0, 0, 0);
  }

  @Test
  void fieldsAreReadByPositionOrBySpecificationName() {
    Frame open = Performatives.open("c", 512, 7, java.time.Duration.ofSeconds(30));

    assertThat(open.field(0)).isEqualTo("c");
    assertThat(open.field("max-frame-size")).isEqualTo(new UInt(512));
    assertThat(open.field("channel-max")).isEqualTo(new Amqp10Value.UShort(7));
    assertThat(open.field("idle-time-out")).isEqualTo(new UInt(30_000));
    assertThat(open.field("hostname")).isNull();
    assertThat(open.field(40)).isNull();
    assertThat(open.fields()).hasSize(5);
    assertThatThrownBy(() -> open.field("nonsense"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("open has no field \"nonsense\"")
        .hasMessageContaining("container-id");
  }

  @Test
  void withSetsAFieldByNameConvertingToItsType() {
    Frame open =
        Performatives.open("c")
            .with("offered-capabilities", List.of("ANONYMOUS-RELAY"))
            .with("properties", java.util.Map.of("product", "x"))
            .onChannel(0);

    assertThat(open.field("offered-capabilities")).isEqualTo(List.of(Sym.of("ANONYMOUS-RELAY")));
    assertThat(open.field("offered-capabilities")).isInstanceOf(Amqp10Value.Array.class);
    assertThat(open.field("properties")).isEqualTo(java.util.Map.of(Sym.of("product"), "x"));
    assertThat(open.with("properties", null).fields()).hasSize(8);
    assertThat(open.with("offered-capabilities", null).with("properties", null).fields())
        .containsExactly("c");
  }

  @Test
  void aSymbolicDescriptorNamesTheSamePerformative() throws Exception {
    Described open = new Described(Sym.of("amqp:open:list"), List.of("c"));
    Frame frame = read(Frame.amqp(0, open).toByteArray());

    assertThat(frame.isPerformative(Performatives.OPEN)).isTrue();
    assertThat(frame.name()).isEqualTo("open");
    assertThat(frame.field("container-id")).isEqualTo("c");
  }

  @Test
  void anUnknownPerformativeIsDescribedByItsDescriptor() {
    Frame frame = Frame.amqp(1, Performatives.described(0x99, 1, null));

    assertThat(frame.name()).isEqualTo("153");
    assertThat(frame.describe()).isEqualTo("described(153, [1, null]) on channel 1");
    assertThat(frame.fields()).containsExactly(1, null);
  }

  @Property(tries = 200)
  void anyFrameSurvivesARoundTrip(
      @ForAll @IntRange(max = 1) int type,
      @ForAll @IntRange(max = 0xFFFF) int channel,
      @ForAll("extendedHeaders") byte[] extendedHeader,
      @ForAll("payloads") byte[] payload)
      throws Exception {
    Described performative = Performatives.described(0x14, new UInt(channel), "x");
    byte[] body = Frame.amqp(0, performative, payload).body();
    Frame frame = Frame.raw(type, channel, extendedHeader, body);

    Frame read = read(frame.toByteArray());

    assertThat(read).isEqualTo(frame);
    assertThat(read.payload()).isEqualTo(payload);
    assertThat(read.performative()).isEqualTo(performative);
  }

  @Provide
  Arbitrary<byte[]> extendedHeaders() {
    return Arbitraries.integers()
        .between(0, 3)
        .flatMap(words -> Arbitraries.bytes().array(byte[].class).ofSize(words * 4));
  }

  @Provide
  Arbitrary<byte[]> payloads() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(2000);
  }

  @Test
  void eachPerformativeFactoryPutsItsFieldsWhereTheSpecificationSays() {
    Frame attach =
        Performatives.attach(
            2,
            "link",
            3,
            Performatives.Role.RECEIVER,
            Performatives.SND_UNSETTLED,
            Performatives.RCV_FIRST,
            Performatives.source("q"),
            Performatives.target(null),
            0L,
            1024L);
    assertThat(attach.fields())
        .containsExactly(
            "link",
            new UInt(3),
            true,
            new Amqp10Value.UByte(0),
            new Amqp10Value.UByte(0),
            new Described(new ULong(0x28), List.of("q")),
            new Described(new ULong(0x29), List.of()),
            null,
            null,
            new UInt(0),
            new ULong(1024));
    assertThat(Performatives.begin(1, 0, 5, 100, 200, 9).fields())
        .containsExactly(
            new Amqp10Value.UShort(0), new UInt(5), new UInt(100), new UInt(200), new UInt(9));
    assertThat(Performatives.begin(1, null, 5, 100, 200).field("remote-channel")).isNull();
    assertThat(Performatives.flow(1, 1L, 2, 3, 4, 5, 6, 7).fields())
        .extracting(Amqp10Value::longValue)
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    assertThat(
            Performatives.disposition(
                    1, Performatives.Role.RECEIVER, 4, null, Performatives.accepted())
                .fields())
        .containsExactly(true, new UInt(4), null, true, new Described(new ULong(0x24), List.of()));
    assertThat(Performatives.detach(1, 2, Performatives.error("amqp:link:stolen", null)).describe())
        .isEqualTo(
            "detach(handle=2, closed=true, error=error(condition=:amqp:link:stolen)) on channel 1");
    assertThat(Performatives.close(null).fields()).isEmpty();
    assertThat(Performatives.end(4, null).channel()).isEqualTo(4);
    assertThat(Performatives.saslOutcome(Performatives.SASL_AUTH).fields())
        .containsExactly(new Amqp10Value.UByte(1));
    assertThat((byte[]) Performatives.saslInitPlain("guest", "guest").field("initial-response"))
        .isEqualTo("\0guest\0guest".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(Performatives.modified().with("delivery-failed", true).fields())
        .containsExactly(true);
    assertThat(Performatives.rejected(null).code()).isEqualTo(Performatives.REJECTED);
    assertThat(Performatives.released().name()).isEqualTo("released");
    assertThat(Performatives.received(1, 2).fields()).containsExactly(new UInt(1), new ULong(2));
  }

  @Test
  void aMessageIsItsSectionsOneAfterAnother() throws Exception {
    byte[] message =
        Performatives.message(
            Performatives.messageHeader().with("durable", true),
            Performatives.messageAnnotations(java.util.Map.of("x-opt", 1)),
            Performatives.messageProperties()
                .with("message-id", "m1")
                .with("content-type", "text/plain"),
            Performatives.applicationProperties(java.util.Map.of("k", "v")),
            Performatives.data("hi".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
            Performatives.amqpValue(1),
            Performatives.amqpSequence(List.of(1)),
            Performatives.footer(java.util.Map.of()));

    List<Object> sections = Amqp10Value.decodeAll(message);

    assertThat(sections)
        .extracting(s -> ((Described) s).name())
        .containsExactly(
            "header",
            "message-annotations",
            "properties",
            "application-properties",
            "data",
            "amqp-value",
            "amqp-sequence",
            "footer");
    assertThat(((Described) sections.get(1)).value())
        .isEqualTo(java.util.Map.of(Sym.of("x-opt"), 1));
    assertThat(((Described) sections.get(2)).field("content-type")).isEqualTo(Sym.of("text/plain"));
    assertThat(Arrays.copyOf(message, 3)).isEqualTo(hex("00 53 70"));
    assertThat(Amqp10Value.format(sections.get(4))).isEqualTo("data(0x6869)");
  }
}
