package dev.amqpkit.amqp091.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class MethodCodecTest {

  private static Encoder encode(Method method) {
    Encoder e = new Encoder(64);
    method.encode(e);
    return e;
  }

  private static Method roundTrip(Method method) throws MalformedFrameException {
    Encoder e = encode(method);
    Decoder d = new Decoder(e.array(), 0, e.position());
    Method decoded = Method.decode(d);
    assertThat(d.remaining()).as("bytes left after %s", method.name()).isZero();
    return decoded;
  }

  private static Map<String, Object> queueArguments() {
    Map<String, Object> arguments = new LinkedHashMap<>();
    arguments.put("x-queue-type", "quorum");
    arguments.put("x-max-length", 10_000);
    arguments.put("x-message-ttl", 60_000L);
    arguments.put("x-single-active-consumer", true);
    return arguments;
  }

  @Test
  void representativeMethodsRoundTripToEqualRecords() throws Exception {
    Map<String, Object> capabilities = new LinkedHashMap<>();
    capabilities.put("publisher_confirms", true);
    capabilities.put("consumer_cancel_notify", true);
    Map<String, Object> serverProperties = new LinkedHashMap<>();
    serverProperties.put("product", "RabbitMQ");
    serverProperties.put("version", "4.1.0");
    serverProperties.put("capabilities", capabilities);

    List<Method> methods =
        List.of(
            new Method.QueueDeclare("orders", false, true, false, true, false, queueArguments()),
            new Method.BasicPublish("amq.topic", "orders.created", true, false),
            new Method.BasicDeliver("ctag-1", Long.MAX_VALUE, true, "ex", "rk"),
            new Method.BasicConsume(
                "orders", "ctag-1", false, true, true, false, Map.of("x-priority", 5)),
            new Method.ExchangeDeclare(
                "events",
                "topic",
                true,
                false,
                true,
                false,
                true,
                Map.of("alternate-exchange", "ae")),
            new Method.ChannelClose(406, "PRECONDITION_FAILED - inequivalent arg", 50, 10),
            new Method.ConnectionStart(
                0,
                9,
                serverProperties,
                "PLAIN AMQPLAIN".getBytes(StandardCharsets.UTF_8),
                "en_US".getBytes(StandardCharsets.UTF_8)),
            new Method.BasicNack(42, true, false),
            new Method.BasicNack(43, false, true),
            new Method.BasicAck(0xFFFF_FFFF_FFFFL, true));

    for (Method method : methods) {
      assertThat(roundTrip(method)).as(method.name()).isEqualTo(method);
    }
  }

  @Test
  void basicAckHasTheSpecificationsWireLayout() {
    byte[] bytes = encode(new Method.BasicAck(5, true)).toByteArray();

    assertThat(bytes)
        .containsExactly(
            0, 60, // class basic
            0, 80, // method ack
            0, 0, 0, 0, 0, 0, 0, 5, // delivery-tag, longlong
            1); // bits: multiple
  }

  @Test
  void queueDeclareHasTheSpecificationsWireLayout() {
    byte[] bytes =
        encode(new Method.QueueDeclare("q", false, true, false, false, true, Map.of()))
            .toByteArray();

    assertThat(bytes)
        .containsExactly(
            0, 50, // class queue
            0, 10, // method declare
            0, 0, // reserved ticket
            1, 'q', // queue, shortstr
            0b10010, // bits: durable (bit 1), no-wait (bit 4)
            0, 0, 0, 0); // empty arguments table
  }

  @Test
  void everyCombinationOfTheFiveExchangeDeclareBitsRoundTrips() throws Exception {
    for (int mask = 0; mask < 32; mask++) {
      Method.ExchangeDeclare declare =
          new Method.ExchangeDeclare(
              "x",
              "direct",
              (mask & 1) != 0,
              (mask & 2) != 0,
              (mask & 4) != 0,
              (mask & 8) != 0,
              (mask & 16) != 0,
              Map.of());

      byte[] bytes = encode(declare).toByteArray();
      // class, method, ticket, "x", "direct", then the bits octet
      assertThat(bytes[6 + 2 + 7] & 0xFF).as("bits octet for mask %d", mask).isEqualTo(mask);
      assertThat(roundTrip(declare)).isEqualTo(declare);
    }
  }

  @Test
  void basicConsumeBitsAreLowestBitFirst() throws Exception {
    Method.BasicConsume consume = new Method.BasicConsume("q", "", true, false, false, true, null);

    byte[] bytes = encode(consume).toByteArray();

    assertThat(bytes[6 + 2 + 1] & 0xFF).isEqualTo(0b1001); // no-local (0), no-wait (3)
    assertThat(roundTrip(consume)).isEqualTo(consume);
    assertThat(((Method.BasicConsume) roundTrip(consume)).arguments()).isEmpty();
  }

  @Test
  void anUnknownClassIsNotImplemented() {
    Encoder e = new Encoder(64);
    e.shortUint(99).shortUint(10);

    assertThatThrownBy(() -> Method.decode(new Decoder(e.array(), 0, e.position())))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("99.10")
        .extracting(t -> ((MalformedFrameException) t).replyCode())
        .isEqualTo(MalformedFrameException.NOT_IMPLEMENTED);
  }

  @Test
  void anUnknownMethodOfAKnownClassIsNotImplemented() {
    Encoder e = new Encoder(64);
    e.shortUint(60).shortUint(81);

    assertThatThrownBy(() -> Method.decode(new Decoder(e.array(), 0, e.position())))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("60.81")
        .extracting(t -> ((MalformedFrameException) t).replyCode())
        .isEqualTo(MalformedFrameException.NOT_IMPLEMENTED);
  }

  @Test
  void truncatedArgumentsAreASyntaxError() {
    byte[] bytes = encode(new Method.BasicAck(5, true)).toByteArray();

    assertThatThrownBy(() -> Method.decode(new Decoder(bytes, 0, bytes.length - 1)))
        .isInstanceOf(MalformedFrameException.class)
        .extracting(t -> ((MalformedFrameException) t).replyCode())
        .isEqualTo(MalformedFrameException.SYNTAX_ERROR);
  }

  @Property(tries = 500)
  void queueDeclareRoundTripsForAnyAsciiNameAndBits(
      @ForAll @StringLength(max = 255) @CharRange(from = '\u0000', to = '\u007f') String name,
      @ForAll boolean passive,
      @ForAll boolean durable,
      @ForAll boolean exclusive,
      @ForAll boolean autoDelete,
      @ForAll boolean noWait)
      throws Exception {
    Method.QueueDeclare declare =
        new Method.QueueDeclare(
            name, passive, durable, exclusive, autoDelete, noWait, Map.of("x-n", name.length()));

    byte[] bytes = encode(declare).toByteArray();
    int expectedBits =
        (passive ? 1 : 0)
            | (durable ? 2 : 0)
            | (exclusive ? 4 : 0)
            | (autoDelete ? 8 : 0)
            | (noWait ? 16 : 0);
    assertThat(bytes[6] & 0xFF).isEqualTo(name.length());
    assertThat(bytes[7 + name.length()] & 0xFF).isEqualTo(expectedBits);
    assertThat(roundTrip(declare)).isEqualTo(declare);
  }
}
