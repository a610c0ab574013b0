package dev.amqpkit.amqp10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.amqp10.types.UnsignedLong;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MessageTest {
  private static final Symbol PARTITION = Symbol.valueOf("x-opt-partition-key");

  @Test
  void aMessageKeepsEveryFieldItWasBuiltWith() {
    UUID id = UUID.randomUUID();
    Instant created = Instant.parse("2026-11-22T10:15:30.123Z");
    Message m =
        Message.builder()
            .durable(true)
            .priority(9)
            .ttl(Duration.ofSeconds(30))
            .firstAcquirer(true)
            .deliveryCount(3)
            .deliveryAnnotation(Symbol.valueOf("x-hop"), 1)
            .messageAnnotation(PARTITION, "p1")
            .messageId(id)
            .userId(new byte[] {1, 2})
            .to("/queues/orders")
            .subject("order")
            .replyTo("/queues/replies")
            .correlationId(UnsignedLong.valueOf(42))
            .contentType("application/json")
            .contentEncoding("gzip")
            .absoluteExpiryTime(created.plusSeconds(60))
            .creationTime(created)
            .groupId("g")
            .groupSequence(7L)
            .replyToGroupId("rg")
            .applicationProperty("tenant", "acme")
            .applicationProperty("attempt", 2)
            .data(new byte[] {'{', '}'})
            .footer(Symbol.valueOf("x-sig"), Binary.copyOf(new byte[] {9}))
            .messageFormat(0)
            .build();

    assertThat(m.durable()).isTrue();
    assertThat(m.priority()).isEqualTo(9);
    assertThat(m.ttl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(m.firstAcquirer()).isTrue();
    assertThat(m.deliveryCount()).isEqualTo(3);
    assertThat(m.deliveryAnnotations()).containsEntry(Symbol.valueOf("x-hop"), 1);
    assertThat(m.messageAnnotations()).containsExactly(Map.entry(PARTITION, "p1"));
    assertThat(m.messageId()).isEqualTo(id);
    assertThat(m.userId()).isEqualTo(Binary.copyOf(new byte[] {1, 2}));
    assertThat(m.to()).isEqualTo("/queues/orders");
    assertThat(m.subject()).isEqualTo("order");
    assertThat(m.replyTo()).isEqualTo("/queues/replies");
    assertThat(m.correlationId()).isEqualTo(UnsignedLong.valueOf(42));
    assertThat(m.contentType()).isEqualTo("application/json");
    assertThat(m.contentEncoding()).isEqualTo("gzip");
    assertThat(m.absoluteExpiryTime()).isEqualTo(created.plusSeconds(60));
    assertThat(m.creationTime()).isEqualTo(created);
    assertThat(m.groupId()).isEqualTo("g");
    assertThat(m.groupSequence()).isEqualTo(7L);
    assertThat(m.replyToGroupId()).isEqualTo("rg");
    assertThat(m.applicationProperties())
        .containsExactly(Map.entry("tenant", "acme"), Map.entry("attempt", 2));
    assertThat(m.bodyBytes()).containsExactly('{', '}');
    assertThat(m.footer()).containsKey(Symbol.valueOf("x-sig"));
    assertThat(m.newBuilder().build()).isEqualTo(m).hasSameHashCodeAs(m);
  }

  @Test
  void anAnnotationKeyedByAStringReadsAsASymbol() {
    // message-annotations {"x-stream-offset" (a string, as RabbitMQ 3.10 sends it): 5}, data "A"
    byte[] bytes =
        java.util.HexFormat.of()
            .parseHex("005372c11402a10f782d73747265616d2d6f6666736574540500537" + "5a00141");
    Message m = Message.decode(bytes);
    assertThat(m.messageAnnotations())
        .containsExactly(Map.entry(dev.amqpkit.amqp10.types.Symbol.valueOf("x-stream-offset"), 5));
    assertThat(m.bodyBytes()).containsExactly('A');
  }

  @Test
  void defaultsAreThoseOfTheSpecification() {
    Message m = Message.ofData(new byte[0]);

    assertThat(m.durable()).isFalse();
    assertThat(m.priority()).isEqualTo(4);
    assertThat(m.ttl()).isNull();
    assertThat(m.deliveryCount()).isZero();
    assertThat(m.messageFormat()).isZero();
    assertThat(m.applicationProperties()).isEmpty();
    assertThat(m.messageAnnotations()).isEmpty();
    assertThat(Message.builder().build().body()).isEqualTo(new Body.Value(null));
  }

  @Test
  void aBuiltMessageDoesNotChangeWithItsBuilderOrTheCallersArray() {
    byte[] bytes = {1, 2, 3};
    Message.Builder b = Message.builder().data(bytes).applicationProperty("a", 1);
    Message m = b.build();

    bytes[0] = 99;
    b.applicationProperty("b", 2).messageAnnotation(PARTITION, "x");

    assertThat(m.bodyBytes()).containsExactly(1, 2, 3);
    assertThat(m.applicationProperties()).containsOnlyKeys("a");
    assertThat(m.messageAnnotations()).isEmpty();
    assertThatThrownBy(() -> m.applicationProperties().put("c", 3))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aValueBodyHoldsAnyAmqpValue() {
    Map<Object, Object> map = new HashMap<>();
    map.put("k", List.of(1, "two"));
    Message m = Message.ofValue(map);

    assertThat(m.body()).isEqualTo(new Body.Value(map));
    assertThatThrownBy(m::bodyBytes)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("amqp-value, not data");
  }

  @Test
  void dataAndSequenceBodiesCopyTheirSectionLists() {
    List<Binary> sections = new ArrayList<>(List.of(Binary.copyOf(new byte[] {1})));
    Body.Data data = new Body.Data(sections);
    sections.add(Binary.copyOf(new byte[] {2}));

    assertThat(data.sections()).hasSize(1);
    assertThat(
            new Body.Data(List.of(Binary.copyOf(new byte[] {1}), Binary.copyOf(new byte[] {2, 3})))
                .bytes())
        .containsExactly(1, 2, 3);
    assertThat(new Body.Sequence(List.of(List.of(1, 2))).sections()).containsExactly(List.of(1, 2));
    assertThatThrownBy(() -> new Body.Data(List.of())).hasMessageContaining("sections is empty");
    assertThatThrownBy(() -> new Body.Sequence(List.of()))
        .hasMessageContaining("sections is empty");
  }

  @Test
  void textSetsAUtf8DataBodyAndItsContentType() {
    Message m = Message.builder().text("héllo").build();

    assertThat(new String(m.bodyBytes(), StandardCharsets.UTF_8)).isEqualTo("héllo");
    assertThat(m.contentType()).isEqualTo("text/plain; charset=utf-8");
  }

  @Test
  void badFieldsAreRefusedWithTheirName() {
    Message.Builder b = Message.builder();
    assertThatThrownBy(() -> b.priority(256)).hasMessageContaining("priority is 0..255: 256");
    assertThatThrownBy(() -> b.ttl(Duration.ofMillis(-1))).hasMessageContaining("ttl");
    assertThatThrownBy(() -> b.deliveryCount(1L << 32)).hasMessageContaining("deliveryCount");
    assertThatThrownBy(() -> b.groupSequence(-1L)).hasMessageContaining("groupSequence");
    assertThatThrownBy(() -> b.messageId(42)).hasMessageContaining("messageId is a String, UUID");
    assertThatThrownBy(() -> b.correlationId(new byte[1])).hasMessageContaining("correlationId");
    assertThatThrownBy(() -> b.contentType("tëxt")).hasMessageContaining("must be ASCII");
    assertThatThrownBy(() -> b.applicationProperty("l", List.of(1)))
        .hasMessageContaining("application property 'l': values are simple types");
    assertThatThrownBy(() -> b.messageAnnotations(Map.of("x-opt-a", 1)))
        .hasMessageContaining(
            "messageAnnotations keys are symbols (or reserved ulongs), not String");
    assertThat(
            Message.builder()
                .messageAnnotations(Map.of(UnsignedLong.valueOf(1), "reserved"))
                .build()
                .messageAnnotations())
        .containsKey(UnsignedLong.valueOf(1));
    assertThatThrownBy(() -> Message.builder().contentEncoding("gzip").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("contentEncoding applies to a data body only");
  }

  @Test
  void timesAreKeptToTheMillisecondAsOnTheWire() {
    Instant precise = Instant.parse("2026-11-22T10:15:30.123456789Z");
    Message m = Message.builder().creationTime(precise).build();

    assertThat(m.creationTime()).isEqualTo(Instant.parse("2026-11-22T10:15:30.123Z"));
  }

  @Test
  void aMessageEncodesToBytesThatDecodeToAnEqualMessage() {
    Message m =
        Message.builder()
            .messageId("m-1")
            .subject("s")
            .applicationProperty("k", 1)
            .data(new byte[] {1, 2, 3})
            .build();

    assertThat(Message.decode(m.encode())).isEqualTo(m);
  }

  @Test
  void bytesThatAreNotAMessageAreAMalformedMessage() {
    assertThatThrownBy(() -> Message.decode(new byte[] {0x00, 0x53, 0x75, (byte) 0xa0, 9}))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageStartingWith("not a valid AMQP 1.0 message: ");
    assertThatThrownBy(() -> Message.decode(new byte[0]))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("needs a body section");
  }

  @Test
  void toStringNamesTheBodySizeNotItsContents() {
    Message m =
        Message.builder().messageId("m-1").data("secret".getBytes(StandardCharsets.UTF_8)).build();

    assertThat(m.toString()).contains("m-1").contains("data(6 bytes)").doesNotContain("secret");
  }

  @Test
  void outcomesAndErrorsCarryWhatThePeerSaid() {
    AmqpError error =
        new AmqpError(
            Symbol.valueOf("amqp:not-found"), "no queue 'q'", Map.of(Symbol.valueOf("x"), 1));
    assertThat(new Outcome.Rejected(error).error().toString())
        .isEqualTo("amqp:not-found: no queue 'q' {x=1}");
    Map<Symbol, Object> withNull = new HashMap<>();
    withNull.put(PARTITION, null);
    assertThat(new Outcome.Modified(true, false, withNull).annotations()).containsKey(PARTITION);
    assertThat(Outcome.ACCEPTED).isEqualTo(new Outcome.Accepted());
  }
}
