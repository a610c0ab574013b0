package dev.amqpkit.amqp10.internal.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.amqp10.Body;
import dev.amqpkit.amqp10.Message;
import dev.amqpkit.amqp10.internal.codec.DecodeException;
import dev.amqpkit.amqp10.internal.codec.Encoder;
import dev.amqpkit.amqp10.internal.protocol.AmqpSequence;
import dev.amqpkit.amqp10.internal.protocol.AmqpValue;
import dev.amqpkit.amqp10.internal.protocol.Data;
import dev.amqpkit.amqp10.internal.protocol.Header;
import dev.amqpkit.amqp10.internal.protocol.Properties;
import dev.amqpkit.amqp10.internal.protocol.ProtocolTypes;
import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.amqp10.types.UnsignedLong;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
  private final MessageCodec codec = new MessageCodec();

  private Message roundTrip(Message m) {
    return codec.decode(ByteBuffer.wrap(codec.encode(m)), m.messageFormat());
  }

  private static byte[] sections(Object... sections) {
    Encoder encoder = new Encoder(ProtocolTypes.REGISTRY);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object s : sections) out.writeBytes(encoder.encode(s));
    return out.toByteArray();
  }

  @Test
  void propertiesSharedByConsecutiveMessagesAreDecodedRightWhetherTheyRepeatOrNot() {
    Message first =
        Message.builder()
            .to("orders")
            .subject("new")
            .contentType("a/b")
            .data(new byte[] {1})
            .build();
    Message same = first.newBuilder().data(new byte[] {2}).build();
    Message other = first.newBuilder().to("refund").subject("old").contentType("c/d").build();

    Message a = roundTrip(first);
    Message b = roundTrip(same);
    Message c = roundTrip(other); // the same lengths, other bytes
    Message d = roundTrip(Message.ofData(new byte[] {3}));

    assertThat(b.to()).isEqualTo("orders");
    assertThat(b.subject()).isEqualTo("new");
    assertThat(b.contentType()).isEqualTo("a/b");
    assertThat(b.to()).as("a repeat is not decoded again").isSameAs(a.to());
    assertThat(c.to()).isEqualTo("refund");
    assertThat(c.subject()).isEqualTo("old");
    assertThat(c.contentType()).isEqualTo("c/d");
    assertThat(d.to()).isNull();
    assertThat(roundTrip(first).to()).isEqualTo("orders");
  }

  @Test
  void aPlainDataMessageIsOnlyItsBodySection() {
    byte[] wire = codec.encode(Message.ofData(new byte[] {1, 2}));

    // described (0x00), smallulong 0x75 (data), vbin8 of 2 bytes
    assertThat(HexFormat.of().formatHex(wire)).isEqualTo("005375a0020102");
  }

  @Test
  void everyFieldSurvivesARoundTrip() {
    Message m =
        Message.builder()
            .durable(true)
            .priority(7)
            .ttl(Duration.ofMillis(1500))
            .firstAcquirer(true)
            .deliveryCount(2)
            .deliveryAnnotation(Symbol.valueOf("x-d"), "d")
            .messageAnnotation(Symbol.valueOf("x-opt-partition-key"), "p")
            .messageId(UUID.randomUUID())
            .userId(new byte[] {7})
            .to("/queues/a")
            .subject("s")
            .replyTo("/queues/r")
            .correlationId(UnsignedLong.valueOf(9))
            .contentType("application/json")
            .contentEncoding("gzip")
            .absoluteExpiryTime(Instant.ofEpochMilli(2_000_000_000_000L))
            .creationTime(Instant.ofEpochMilli(1_900_000_000_000L))
            .groupId("g")
            .groupSequence(4L)
            .replyToGroupId("rg")
            .applicationProperty("n", 1L)
            .applicationProperty("s", "text")
            .applicationProperty("nothing", null)
            .data(new byte[] {1, 2, 3})
            .footer(Symbol.valueOf("x-f"), Binary.copyOf(new byte[] {5}))
            .messageFormat(0x10)
            .build();

    assertThat(roundTrip(m)).isEqualTo(m);
  }

  @Test
  void bodiesOfEachKindSurviveARoundTrip() {
    Message twoData =
        Message.builder()
            .body(
                new Body.Data(
                    List.of(Binary.copyOf(new byte[] {1}), Binary.copyOf(new byte[] {2, 3}))))
            .build();
    Message sequences =
        Message.builder().body(new Body.Sequence(List.of(List.of(1, "a"), List.of()))).build();
    Message value = Message.ofValue(Map.of("k", List.of(true, 2.5)));
    Message nullValue = Message.builder().build();

    for (Message m : List.of(twoData, sequences, value, nullValue)) {
      assertThat(roundTrip(m)).isEqualTo(m);
    }
    assertThat(roundTrip(twoData).bodyBytes()).containsExactly(1, 2, 3);
  }

  @Test
  void aHeaderOfDefaultsIsLeftOutAndADefaultHeaderReadBackIsTheSame() {
    assertThat(codec.encode(Message.ofValue("x"))).isEqualTo(sections(new AmqpValue("x")));
    byte[] withDefaultHeader = sections(new Header(false, 4, null, false, 0), new AmqpValue("x"));

    assertThat(codec.decode(ByteBuffer.wrap(withDefaultHeader), 0)).isEqualTo(Message.ofValue("x"));
  }

  @Test
  void sectionsOutOfOrderOrRepeatedAreRefused() {
    Properties props =
        new Properties(
            "id", null, null, null, null, null, null, null, null, null, null, null, null);
    assertDecodeError(sections(new Data(Binary.EMPTY), props), "Properties out of order");
    assertDecodeError(
        sections(
            new Header(true, 4, null, false, 0),
            new Header(true, 4, null, false, 0),
            new Data(Binary.EMPTY)),
        "Header out of order or repeated");
  }

  @Test
  void applicationPropertiesAreReadInAnyValidFormAndJudgedInPlace() {
    // map32 (not the smallest form): 2 entries, "a" -> smallint 1, "b" -> null
    byte[] map32 =
        HexFormat.of()
            .parseHex(
                "005374" + "d1" + "0000000d" + "00000004" + "a10161" + "5401" + "a10162" + "40");
    byte[] payload = concat(map32, sections(new AmqpValue("x")));
    Message m = codec.decode(ByteBuffer.wrap(payload), 0);
    assertThat(m.applicationProperties()).containsEntry("a", 1).containsEntry("b", null);

    // A symbol key is not an application property: the generic reading refuses it.
    byte[] symbolKey = HexFormat.of().parseHex("005374" + "c1" + "05" + "02" + "a30161" + "40");
    assertDecodeError(
        concat(symbolKey, sections(new AmqpValue("x"))),
        "a map with string keys, but has the key a symbol");
    // After the body it is out of order.
    assertDecodeError(
        concat(sections(new AmqpValue("x")), map32), "ApplicationProperties out of order");
    // A map8 cut off before its count.
    assertThatThrownBy(
            () -> codec.decode(ByteBuffer.wrap(HexFormat.of().parseHex("005374c103")), 0))
        .isInstanceOf(DecodeException.class);
    // A size that overruns the payload.
    byte[] lying = HexFormat.of().parseHex("005374" + "c1" + "40" + "02" + "a10161" + "40");
    assertThatThrownBy(() -> codec.decode(ByteBuffer.wrap(lying), 0))
        .isInstanceOf(DecodeException.class);
  }

  @Test
  void propertiesAreReadInAnyValidFormAndBadFieldsAreJudged() {
    // list32 form: message-id "m", user-id null, to "t"
    byte[] list32 =
        HexFormat.of()
            .parseHex("005373" + "d0" + "0000000b" + "00000003" + "a1016d" + "40" + "a10174");
    Message m = codec.decode(ByteBuffer.wrap(concat(list32, sections(new AmqpValue("x")))), 0);
    assertThat(m.messageId()).isEqualTo("m");
    assertThat(m.to()).isEqualTo("t");

    // "to" as an int: not an address.
    byte[] badTo =
        HexFormat.of().parseHex("005373" + "c0" + "07" + "03" + "a1016d" + "40" + "5407");
    assertDecodeError(
        concat(badTo, sections(new AmqpValue("x"))),
        "properties field to (index 2) must be an address");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Test
  void bodyKindsDoNotMix() {
    assertDecodeError(
        sections(new Data(Binary.EMPTY), new AmqpValue(1)),
        "a body of one kind only: AmqpValue after Data");
    assertDecodeError(
        sections(new AmqpSequence(List.of()), new Data(Binary.EMPTY)), "Data after AmqpSequence");
    assertDecodeError(sections(new AmqpValue(1), new AmqpValue(2)), "AmqpValue after AmqpValue");
  }

  @Test
  void aMessageWithoutABodyOrWithSomethingElseIsRefused() {
    Properties props =
        new Properties(
            "id", null, null, null, null, null, null, null, null, null, null, null, null);
    assertDecodeError(sections(props), "needs a body section");
    assertDecodeError(sections("not a section"), "sections only, not String");
  }

  @Test
  void invalidContentInAValidSectionIsADecodeError() {
    // content-encoding on a value body: the specification forbids it.
    Properties encoding =
        new Properties(
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            Symbol.valueOf("gzip"),
            null,
            null,
            null,
            null,
            null);
    assertDecodeError(
        sections(encoding, new AmqpValue("x")), "contentEncoding applies to a data body only");
  }

  private void assertDecodeError(byte[] payload, String message) {
    assertThatThrownBy(() -> codec.decode(ByteBuffer.wrap(payload), 0))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining(message);
  }

  @Property(tries = 300)
  void theFastPathWritesTheBytesTheGenericEncoderWrites(@ForAll("messages") Message m) {
    assertThat(codec.encode(m)).isEqualTo(genericSections(m));
  }

  /** The sections as records, encoded by the generic encoder: the reference for the fast path. */
  private static byte[] genericSections(Message m) {
    java.util.List<Object> sections = new java.util.ArrayList<>();
    if (m.durable()
        || m.priority() != 4
        || m.ttl() != null
        || m.firstAcquirer()
        || m.deliveryCount() != 0) {
      sections.add(
          new Header(
              m.durable(),
              m.priority(),
              m.ttl() == null ? null : m.ttl().toMillis(),
              m.firstAcquirer(),
              m.deliveryCount()));
    }
    if (m.messageId() != null
        || m.to() != null
        || m.subject() != null
        || m.correlationId() != null
        || m.contentType() != null
        || m.creationTime() != null
        || m.groupSequence() != null) {
      sections.add(
          new Properties(
              m.messageId(),
              m.userId(),
              m.to(),
              m.subject(),
              m.replyTo(),
              m.correlationId(),
              m.contentType() == null ? null : Symbol.valueOf(m.contentType()),
              m.contentEncoding() == null ? null : Symbol.valueOf(m.contentEncoding()),
              m.absoluteExpiryTime(),
              m.creationTime(),
              m.groupId(),
              m.groupSequence(),
              m.replyToGroupId()));
    }
    if (!m.applicationProperties().isEmpty()) {
      sections.add(
          new dev.amqpkit.amqp10.internal.protocol.ApplicationProperties(
              m.applicationProperties()));
    }
    if (m.body() instanceof Body.Data d) {
      for (Binary b : d.sections()) sections.add(new Data(b));
    } else if (m.body() instanceof Body.Sequence q) {
      for (List<Object> l : q.sections()) sections.add(new AmqpSequence(l));
    } else {
      sections.add(new AmqpValue(((Body.Value) m.body()).value()));
    }
    return sections(sections.toArray());
  }

  @Property(tries = 300)
  void anyMessageSurvivesARoundTrip(@ForAll("messages") Message m) {
    assertThat(roundTrip(m)).isEqualTo(m);
  }

  @Provide
  Arbitrary<Message> messages() {
    Arbitrary<String> text = Arbitraries.strings().ofMaxLength(20).injectNull(0.5);
    Arbitrary<Object> id =
        Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(10).map(s -> (Object) s),
                Arbitraries.longs().greaterOrEqual(0).map(l -> (Object) UnsignedLong.valueOf(l)),
                Arbitraries.create(UUID::randomUUID).map(u -> (Object) u),
                Arbitraries.bytes()
                    .array(byte[].class)
                    .ofMaxSize(8)
                    .map(b -> (Object) Binary.copyOf(b)))
            .injectNull(0.4);
    Arbitrary<Body> body =
        Arbitraries.oneOf(
            Arbitraries.bytes()
                .array(byte[].class)
                .ofMaxSize(64)
                .list()
                .ofMinSize(1)
                .ofMaxSize(3)
                .map(l -> (Body) new Body.Data(l.stream().map(Binary::copyOf).toList())),
            Arbitraries.integers().list().ofMaxSize(4).map(l -> (Body) new Body.Value(l)),
            Arbitraries.strings().ofMaxLength(8).map(s -> (Body) new Body.Value(s)),
            Arbitraries.longs()
                .list()
                .ofMaxSize(3)
                .list()
                .ofMinSize(1)
                .ofMaxSize(2)
                .map(
                    l ->
                        (Body)
                            new Body.Sequence(
                                l.stream().map(x -> List.<Object>copyOf(x)).toList())));
    Arbitrary<Map<String, Long>> props =
        Arbitraries.maps(
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(5), Arbitraries.longs())
            .ofMaxSize(3);
    return Combinators.combine(
            Arbitraries.of(true, false),
            Arbitraries.integers().between(0, 255),
            Arbitraries.longs().between(0, 0xFFFF_FFFFL).injectNull(0.5),
            id,
            id,
            text,
            props,
            body)
        .as(
            (durable, priority, ttl, messageId, correlationId, subject, appProps, b) ->
                Message.builder()
                    .durable(durable)
                    .priority(priority)
                    .ttl(ttl == null ? null : Duration.ofMillis(ttl))
                    .messageId(messageId)
                    .correlationId(correlationId)
                    .subject(subject)
                    .to(subject == null ? null : "/queues/" + subject)
                    .contentType(subject == null ? null : "application/json")
                    .creationTime(
                        subject == null ? null : Instant.ofEpochMilli(priority * 1_000_003L))
                    .groupSequence(subject == null ? null : (long) priority * 70_000)
                    .deliveryCount(durable ? priority * 3 : 0)
                    .firstAcquirer(durable)
                    .applicationProperties(appProps)
                    .body(b)
                    .build());
  }
}
