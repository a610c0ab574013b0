package dev.amqpkit.amqp10.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amqpkit.amqp10.types.AmqpArray;
import dev.amqpkit.amqp10.types.AmqpType;
import dev.amqpkit.amqp10.types.Decimal128;
import dev.amqpkit.amqp10.types.Decimal32;
import dev.amqpkit.amqp10.types.Decimal64;
import dev.amqpkit.amqp10.types.DescribedValue;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

class RoundTripPropertiesTest {
  private final Encoder encoder = new Encoder();
  private final Decoder decoder = new Decoder();

  private Object decodeAll(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    Object value = decoder.decode(buffer);
    assertThat(buffer.remaining()).as("bytes left after the value").isZero();
    return value;
  }

  @Provide
  Arbitrary<Object> values() {
    return AmqpValues.values(3);
  }

  /** The kinds of encodings inside {@code value}, to check that generation covers them all. */
  private Set<String> features(Object value) {
    Set<String> features = new TreeSet<>();
    collect(value, features);
    return features;
  }

  private void collect(Object value, Set<String> features) {
    if (value instanceof List<?> list) {
      features.add(new Encoder().encode(list)[0] == (byte) 0xd0 ? "list32" : "list");
      for (Object item : list) collect(item, features);
    } else if (value instanceof Map<?, ?> map) {
      features.add(new Encoder().encode(map)[0] == (byte) 0xd1 ? "map32" : "map");
      map.forEach(
          (k, v) -> {
            collect(k, features);
            collect(v, features);
          });
    } else if (value instanceof AmqpArray array) {
      features.add(new Encoder().encode(array)[0] == (byte) 0xf0 ? "array32" : "array");
      if (array.isDescribed()) features.add("described array");
      if (array.elementType().compareTo(AmqpType.LIST) >= 0) features.add("array of compounds");
      for (Object element : array.elements()) collect(element, features);
    } else if (value instanceof DescribedValue described) {
      features.add("described");
      collect(described.value(), features);
    } else if (value instanceof String s
        && s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
      features.add("str32");
    }
  }

  private static final List<String> FEATURES =
      List.of(
          "list",
          "list32",
          "map",
          "map32",
          "array",
          "array32",
          "described",
          "described array",
          "array of compounds",
          "str32");

  @Property(tries = 1000)
  void everyValueRoundTrips(@ForAll("values") Object value) {
    Set<String> features = features(value);
    for (String feature : FEATURES) {
      Statistics.label(feature).collect(features.contains(feature));
    }
    // Each at least 1% of the time (each is 3% or more on average), long strings at least once.
    for (String feature : FEATURES) {
      double minimum = feature.equals("str32") ? 0.0 : 1.0;
      Statistics.label(feature)
          .coverage(coverage -> coverage.check(true).percentage(p -> p > minimum));
    }
    byte[] encoded = encoder.encode(value);

    Object decoded = decodeAll(encoded);

    assertThat(decoded).isEqualTo(value);
    assertThat(encoder.sizeOf(value)).isEqualTo(encoded.length);
    // Same bytes again: the decoded value kept map key order, array element types, everything.
    assertThat(encoder.encode(decoded)).isEqualTo(encoded);
  }

  @Property(tries = 1000)
  void everyValidEncodingDecodesToTheValue(@ForAll("values") Object value, @ForAll long seed) {
    byte[] anyForm = new AnyFormEncoder(seed).encode(value);
    byte[] smallest = encoder.encode(value);

    assertThat(decodeAll(anyForm)).isEqualTo(value);
    assertThat(encoder.encode(decodeAll(anyForm))).isEqualTo(smallest);
    // Smallest of all encodings but those with zero-width array elements (see Encoder).
    byte[] nonZeroWidth = new AnyFormEncoder(seed, false).encode(value);
    assertThat(smallest.length).isLessThanOrEqualTo(nonZeroWidth.length);
  }

  @Property(tries = 300)
  void encodingIntoACallersBufferMatchesTheArrayForm(
      @ForAll("values") Object value, @ForAll boolean direct) {
    byte[] expected = encoder.encode(value);
    ByteBuffer target =
        direct
            ? ByteBuffer.allocateDirect(expected.length + 3)
            : ByteBuffer.allocate(expected.length + 3);
    target.position(3);

    int written = encoder.encode(value, target);

    assertThat(written).isEqualTo(expected.length);
    byte[] actual = new byte[written];
    target.flip().position(3);
    target.get(actual);
    assertThat(actual).isEqualTo(expected);
    target.position(3);
    assertThat(decoder.decode(target)).isEqualTo(value);
  }

  @Property(tries = 50)
  void manyStringsAndNestedCompoundsOutgrowTheEncodersSizeRecords(
      @ForAll @IntRange(min = 60, max = 400) int count) {
    List<Object> value = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      value.add(i % 3 == 0 ? List.of("s" + i) : i % 3 == 1 ? "t" + i : Map.of("k", List.of()));
    }
    value.add(AmqpArray.of(AmqpType.STRING, List.of("a", "b".repeat(300))));
    Encoder fresh = new Encoder();

    byte[] encoded = fresh.encode(value);

    assertThat(decodeAll(encoded)).isEqualTo(value);
    assertThat(fresh.encode(value)).isEqualTo(encoded);
  }

  @Property(tries = 300)
  void decimalsRoundTripBitExact(
      @ForAll int bits32, @ForAll long bits64, @ForAll long high, @ForAll long low) {
    List<Object> decimals =
        List.of(
            Decimal32.fromBits(bits32), Decimal64.fromBits(bits64), Decimal128.fromBits(high, low));

    @SuppressWarnings("unchecked")
    List<Object> decoded = (List<Object>) decodeAll(encoder.encode(decimals));

    assertThat(((Decimal32) decoded.get(0)).bits()).isEqualTo(bits32);
    assertThat(((Decimal64) decoded.get(1)).bits()).isEqualTo(bits64);
    assertThat(((Decimal128) decoded.get(2)).highBits()).isEqualTo(high);
    assertThat(((Decimal128) decoded.get(2)).lowBits()).isEqualTo(low);
  }

  @Property(tries = 300)
  void floatAndDoubleBitsSurviveIncludingNaNPayloads(
      @ForAll int floatBits, @ForAll long doubleBits) {
    List<Object> values =
        List.of(Float.intBitsToFloat(floatBits), Double.longBitsToDouble(doubleBits));
    AmqpArray array = AmqpArray.of(AmqpType.DOUBLE, List.of(Double.longBitsToDouble(doubleBits)));
    List<Object> both = new ArrayList<>(values);
    both.add(array);

    @SuppressWarnings("unchecked")
    List<Object> decoded = (List<Object>) decodeAll(encoder.encode(both));

    assertThat(Float.floatToRawIntBits((Float) decoded.get(0)))
        .isEqualTo(Float.floatToRawIntBits(Float.intBitsToFloat(floatBits)));
    assertThat(Double.doubleToRawLongBits((Double) decoded.get(1))).isEqualTo(doubleBits);
    assertThat(Double.doubleToRawLongBits((Double) ((AmqpArray) decoded.get(2)).get(0)))
        .isEqualTo(doubleBits);
  }
}
