package dev.amqpkit.amqp091.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.amqp091.BasicProperties;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class ContentHeaderTest {

  /** Offset of the property flags: class (2), weight (2), body size (8). */
  private static final int FLAGS_AT = 12;

  private static Encoder encode(long bodySize, BasicProperties properties) {
    Encoder e = new Encoder(64);
    ContentHeader.encode(e, bodySize, properties);
    return e;
  }

  private static ContentHeader.Decoded decode(Encoder e) throws MalformedFrameException {
    Decoder d = new Decoder(e.array(), 0, e.position());
    ContentHeader.Decoded decoded = ContentHeader.decode(d);
    assertThat(d.remaining()).as("bytes left after the header").isZero();
    return decoded;
  }

  private static int flags(Encoder e) {
    byte[] b = e.array();
    return ((b[FLAGS_AT] & 0xFF) << 8) | (b[FLAGS_AT + 1] & 0xFF);
  }

  private static BasicProperties allFourteen() {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put("x-retries", 3);
    headers.put("x-origin", "billing");
    headers.put("x-trace", Map.of("span", 7L));
    return BasicProperties.builder()
        .contentType("application/json")
        .contentEncoding("gzip")
        .headers(headers)
        .deliveryMode(BasicProperties.PERSISTENT)
        .priority(9)
        .correlationId("corr-1")
        .replyTo("amq.rabbitmq.reply-to")
        .expiration("60000")
        .messageId("msg-1")
        .timestamp(Instant.ofEpochSecond(1_700_000_000L))
        .type("order.created")
        .userId("guest")
        .appId("billing-service")
        .clusterId("cluster-é")
        .build();
  }

  @Test
  void allFourteenPropertiesRoundTripWithTheBodySize() throws Exception {
    BasicProperties properties = allFourteen();
    Encoder e = encode(123_456_789_012L, properties);

    ContentHeader.Decoded decoded = decode(e);

    assertThat(flags(e)).isEqualTo(0xFFFC); // bits 15..2, continuation clear
    assertThat(decoded.bodySize()).isEqualTo(123_456_789_012L);
    assertThat(decoded.properties()).isEqualTo(properties);
    assertThat(decoded.properties().headers().keySet())
        .containsExactly("x-retries", "x-origin", "x-trace");
  }

  @Test
  void theHeaderStartsWithClassWeightAndBodySize() {
    byte[] bytes = encode(0x0102_0304_0506L, BasicProperties.EMPTY).toByteArray();

    assertThat(bytes).containsExactly(0, 60, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0);
  }

  @Test
  void emptyPropertiesEncodeFlagsZeroAndDecodeToEmpty() throws Exception {
    for (BasicProperties empty :
        new BasicProperties[] {BasicProperties.EMPTY, BasicProperties.builder().build(), null}) {
      Encoder e = encode(7, empty);

      assertThat(e.position()).isEqualTo(FLAGS_AT + 2);
      assertThat(flags(e)).isZero();
      ContentHeader.Decoded decoded = decode(e);
      assertThat(decoded.bodySize()).isEqualTo(7);
      assertThat(decoded.properties()).isEqualTo(BasicProperties.EMPTY);
    }
  }

  @Test
  void eachPropertyHasItsOwnFlagBitInSpecificationOrder() throws Exception {
    List<UnaryOperator<BasicProperties.Builder>> inSpecificationOrder =
        List.of(
            b -> b.contentType("text/plain"),
            b -> b.contentEncoding("gzip"),
            b -> b.headers(Map.of("h", 1)),
            b -> b.deliveryMode(2),
            b -> b.priority(5),
            b -> b.correlationId("c"),
            b -> b.replyTo("r"),
            b -> b.expiration("100"),
            b -> b.messageId("m"),
            b -> b.timestamp(Instant.ofEpochSecond(1)),
            b -> b.type("t"),
            b -> b.userId("u"),
            b -> b.appId("a"),
            b -> b.clusterId("cl"));

    for (int i = 0; i < inSpecificationOrder.size(); i++) {
      BasicProperties one = inSpecificationOrder.get(i).apply(BasicProperties.builder()).build();
      Encoder e = encode(0, one);

      assertThat(flags(e)).as("flags for property %d", i + 1).isEqualTo(1 << (15 - i));
      assertThat(decode(e).properties()).isEqualTo(one);
    }
  }

  @Test
  void aHeaderForAnotherClassIsAnUnexpectedFrame() {
    Encoder e = new Encoder(64);
    e.shortUint(50).shortUint(0).longLong(0).shortUint(0);

    assertThatThrownBy(() -> ContentHeader.decode(new Decoder(e.array(), 0, e.position())))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("50")
        .extracting(t -> ((MalformedFrameException) t).replyCode())
        .isEqualTo(MalformedFrameException.UNEXPECTED_FRAME);
  }

  @Test
  void theContinuationFlagIsASyntaxError() {
    Encoder e = new Encoder(64);
    e.shortUint(60).shortUint(0).longLong(0).shortUint(0x8001).shortString("text/plain");

    assertThatThrownBy(() -> ContentHeader.decode(new Decoder(e.array(), 0, e.position())))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("continuation")
        .extracting(t -> ((MalformedFrameException) t).replyCode())
        .isEqualTo(MalformedFrameException.SYNTAX_ERROR);
  }

  @Test
  void aNegativeBodySizeIsASyntaxError() {
    Encoder e = encode(-1, BasicProperties.EMPTY);

    assertThatThrownBy(() -> ContentHeader.decode(new Decoder(e.array(), 0, e.position())))
        .isInstanceOf(MalformedFrameException.class)
        .extracting(t -> ((MalformedFrameException) t).replyCode())
        .isEqualTo(MalformedFrameException.SYNTAX_ERROR);
  }

  @Test
  void aPropertyCutShortIsASyntaxError() {
    Encoder e = encode(1, BasicProperties.builder().messageId("message-id").build());

    assertThatThrownBy(() -> ContentHeader.decode(new Decoder(e.array(), 0, e.position() - 1)))
        .isInstanceOf(MalformedFrameException.class)
        .extracting(t -> ((MalformedFrameException) t).replyCode())
        .isEqualTo(MalformedFrameException.SYNTAX_ERROR);
  }

  @Property(tries = 500)
  void anySubsetOfPropertiesRoundTrips(
      @ForAll("properties") BasicProperties properties, @ForAll("bodySizes") long bodySize)
      throws Exception {
    Encoder e = encode(bodySize, properties);

    ContentHeader.Decoded decoded = decode(e);

    assertThat(flags(e)).isEqualTo(expectedFlags(properties));
    assertThat(decoded.bodySize()).isEqualTo(bodySize);
    assertThat(decoded.properties()).isEqualTo(properties);
  }

  private static int expectedFlags(BasicProperties p) {
    Object[] inOrder = {
      p.contentType(),
      p.contentEncoding(),
      p.headers(),
      p.deliveryMode(),
      p.priority(),
      p.correlationId(),
      p.replyTo(),
      p.expiration(),
      p.messageId(),
      p.timestamp(),
      p.type(),
      p.userId(),
      p.appId(),
      p.clusterId()
    };
    int flags = 0;
    for (int i = 0; i < inOrder.length; i++) {
      if (inOrder[i] != null) flags |= 1 << (15 - i);
    }
    return flags;
  }

  @Provide
  Arbitrary<Long> bodySizes() {
    return Arbitraries.longs().greaterOrEqual(0);
  }

  @Provide
  Arbitrary<BasicProperties> properties() {
    Arbitrary<String> text =
        Arbitraries.strings()
            .withCharRange(' ', '~')
            .withCharRange('\u00a0', '\u07ff')
            .ofMaxLength(60);
    Arbitrary<Integer> octet = Arbitraries.integers().between(0, 255);
    Arbitrary<Object> headerValue =
        Arbitraries.oneOf(
            Arbitraries.integers().map(Object.class::cast),
            Arbitraries.longs().map(Object.class::cast),
            Arbitraries.of(true, false).map(Object.class::cast),
            Arbitraries.strings().ofMaxLength(10).alpha().map(Object.class::cast));
    Arbitrary<Map<String, Object>> headers =
        Arbitraries.maps(Arbitraries.strings().alpha().ofMaxLength(8), headerValue).ofMaxSize(4);
    Arbitrary<Instant> timestamp =
        Arbitraries.longs().between(0, 253_402_300_799L).map(Instant::ofEpochSecond);
    double p = 0.5;
    return Builders.withBuilder(BasicProperties::builder)
        .use(text)
        .withProbability(p)
        .in(BasicProperties.Builder::contentType)
        .use(text)
        .withProbability(p)
        .in(BasicProperties.Builder::contentEncoding)
        .use(headers)
        .withProbability(p)
        .in(BasicProperties.Builder::headers)
        .use(octet)
        .withProbability(p)
        .in(BasicProperties.Builder::deliveryMode)
        .use(octet)
        .withProbability(p)
        .in(BasicProperties.Builder::priority)
        .use(text)
        .withProbability(p)
        .in(BasicProperties.Builder::correlationId)
        .use(text)
        .withProbability(p)
        .in(BasicProperties.Builder::replyTo)
        .use(text)
        .withProbability(p)
        .in(BasicProperties.Builder::expiration)
        .use(text)
        .withProbability(p)
        .in(BasicProperties.Builder::messageId)
        .use(timestamp)
        .withProbability(p)
        .in(BasicProperties.Builder::timestamp)
        .use(text)
        .withProbability(p)
        .in(BasicProperties.Builder::type)
        .use(text)
        .withProbability(p)
        .in(BasicProperties.Builder::userId)
        .use(text)
        .withProbability(p)
        .in(BasicProperties.Builder::appId)
        .use(text)
        .withProbability(p)
        .in(BasicProperties.Builder::clusterId)
        .build(BasicProperties.Builder::build);
  }
}
