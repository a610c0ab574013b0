package dev.amqpkit.amqp10.internal.codec;

import static dev.amqpkit.amqp10.internal.codec.GoldenBytesTest.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.amqp10.types.AmqpArray;
import dev.amqpkit.amqp10.types.AmqpType;
import dev.amqpkit.amqp10.types.DescribedValue;
import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.amqp10.types.UnsignedInteger;
import dev.amqpkit.amqp10.types.UnsignedLong;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DescribedTypeRegistryTest {

  /** A stand-in for a performative: a composite type with two fields. */
  record Greeting(String text, UnsignedInteger times) {}

  /** A stand-in for a restricted type over a map, with only a symbolic descriptor. */
  record Labels(Map<?, ?> labels) {}

  static final Symbol GREETING = Symbol.valueOf("test:greeting:list");
  static final UnsignedLong GREETING_CODE = UnsignedLong.valueOf(0x0000_F00D_0000_0001L);
  static final Symbol LABELS = Symbol.valueOf("test:labels:map");

  static final DescribedTypeRegistry REGISTRY =
      DescribedTypeRegistry.builder()
          .register(
              DescribedTypeCodec.of(
                  GREETING,
                  GREETING_CODE,
                  Greeting.class,
                  value -> {
                    List<?> fields = (List<?>) value;
                    return new Greeting(
                        (String) fields.get(0),
                        fields.size() > 1 ? (UnsignedInteger) fields.get(1) : null);
                  },
                  g -> Arrays.asList(g.text(), g.times())))
          .register(
              DescribedTypeCodec.of(
                  LABELS,
                  null,
                  Labels.class,
                  value -> new Labels((Map<?, ?>) value),
                  Labels::labels))
          .build();

  private static Object decode(byte[] bytes) {
    return new Decoder(REGISTRY).decode(ByteBuffer.wrap(bytes));
  }

  @Test
  void decodesARegisteredTypeByNumericAndBySymbolicDescriptor() {
    Greeting expected = new Greeting("hi", UnsignedInteger.valueOf(3));

    assertThat(decode(hex("00 80 00 00 f0 0d 00 00 00 01 c0 07 02 a1 02 68 69 52 03")))
        .isEqualTo(expected);
    assertThat(
            decode(
                hex(
                    "00 a3 12 74 65 73 74 3a 67 72 65 65 74 69 6e 67 3a 6c 69 73 74 c0 07 02 a1 02 68 69 52 03")))
        .isEqualTo(expected);
  }

  @Test
  void encodesARegisteredTypeWithItsNumericDescriptorOrElseItsName() {
    Encoder encoder = new Encoder(REGISTRY);

    assertThat(encoder.encode(new Greeting("hi", UnsignedInteger.valueOf(3))))
        .isEqualTo(hex("00 80 00 00 f0 0d 00 00 00 01 c0 07 02 a1 02 68 69 52 03"));
    byte[] labels = encoder.encode(new Labels(Map.of("k", 1)));
    assertThat(labels)
        .isEqualTo(
            hex("00 a3 0f 74 65 73 74 3a 6c 61 62 65 6c 73 3a 6d 61 70 c1 06 02 a1 01 6b 54 01"));
    assertThat(decode(labels)).isEqualTo(new Labels(Map.of("k", 1)));
  }

  @Test
  void unknownDescriptorsAreKeptAsDescribedValues() {
    Object value = decode(hex("00 53 42 c0 03 01 a1 00"));

    assertThat(value).isEqualTo(DescribedValue.of(UnsignedLong.valueOf(0x42), List.of("")));
    assertThat(new Encoder(REGISTRY).encode(value)).isEqualTo(hex("00 53 42 c0 03 01 a1 00"));
  }

  @Test
  void registeredTypesNestAndSitInArrays() {
    Greeting a = new Greeting("a", null);
    Greeting b = new Greeting("b", UnsignedInteger.valueOf(300));
    AmqpArray array = AmqpArray.ofDescribed(GREETING_CODE, AmqpType.LIST, List.of(a, b));
    List<Object> value = new ArrayList<>();
    value.add(array);
    value.add(Map.of(Symbol.valueOf("greeting"), a));
    value.add(DescribedValue.of(Symbol.valueOf("x:wrapper"), b));
    Encoder encoder = new Encoder(REGISTRY);

    byte[] bytes = encoder.encode(value);
    Object decoded = decode(bytes);

    assertThat(decoded).isEqualTo(value);
    assertThat(encoder.encode(decoded)).isEqualTo(bytes);
    // Without the registry the same bytes keep every descriptor and field.
    Object generic = new Decoder().decode(ByteBuffer.wrap(bytes));
    assertThat(new Encoder().encode(generic)).isEqualTo(bytes);
    AmqpArray genericArray = (AmqpArray) ((List<?>) generic).get(0);
    assertThat(genericArray.get(0))
        .isEqualTo(DescribedValue.of(GREETING_CODE, Arrays.asList("a", null)));
  }

  @Test
  void anArrayElementWithoutACodecForTheDescriptorIsRefused() {
    AmqpArray wrong =
        AmqpArray.ofDescribed(
            Symbol.valueOf("x:other"), AmqpType.LIST, List.of(new Greeting("a", null)));

    assertThatThrownBy(() -> new Encoder(REGISTRY).encode(wrong))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("element 0 of an array described by x:other")
        .hasMessageContaining("Greeting");
  }

  @Test
  void registrationRefusesClashes() {
    DescribedTypeRegistry.Builder builder = REGISTRY.newBuilder();

    assertThatThrownBy(
            () ->
                builder.register(
                    DescribedTypeCodec.of(
                        Symbol.valueOf("test:other"),
                        GREETING_CODE,
                        String.class,
                        v -> "",
                        s -> s)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(GREETING_CODE.toString());
    assertThatThrownBy(
            () ->
                builder.register(
                    DescribedTypeCodec.of(LABELS, null, String.class, v -> "", s -> s)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("test:labels:map");
    assertThatThrownBy(
            () ->
                builder.register(
                    DescribedTypeCodec.of(
                        Symbol.valueOf("test:x"), null, Greeting.class, v -> null, g -> g)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Greeting");
    assertThatThrownBy(() -> builder.register(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("codec == null");
    assertThat(REGISTRY.forDescriptor(GREETING)).isSameAs(REGISTRY.forDescriptor(GREETING_CODE));
    assertThat(REGISTRY.forDescriptor(Symbol.valueOf("nope"))).isNull();
    assertThat(REGISTRY.forType(Labels.class).name()).isEqualTo(LABELS);
    assertThat(DescribedTypeRegistry.EMPTY.codecs()).isEmpty();
  }
}
