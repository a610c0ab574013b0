package dev.amqpkit.amqp10.internal.codec;

import dev.amqpkit.amqp10.types.AmqpArray;
import dev.amqpkit.amqp10.types.AmqpChar;
import dev.amqpkit.amqp10.types.AmqpType;
import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.amqp10.types.Decimal128;
import dev.amqpkit.amqp10.types.Decimal32;
import dev.amqpkit.amqp10.types.Decimal64;
import dev.amqpkit.amqp10.types.DescribedValue;
import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.amqp10.types.UnsignedByte;
import dev.amqpkit.amqp10.types.UnsignedInteger;
import dev.amqpkit.amqp10.types.UnsignedLong;
import dev.amqpkit.amqp10.types.UnsignedShort;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/** jqwik generators for AMQP values of every type, nested to a chosen depth. */
final class AmqpValues {
  private AmqpValues() {}

  /** Any value: scalars, and lists, maps, arrays and described values nested up to depth. */
  static Arbitrary<Object> values(int depth) {
    if (depth == 0) return scalars();
    return Arbitraries.frequencyOf(
        Tuple.of(6, scalars()),
        Tuple.of(2, lists(depth - 1)),
        Tuple.of(2, maps(depth - 1)),
        Tuple.of(2, arrays(depth - 1)),
        Tuple.of(1, described(depth - 1)),
        Tuple.of(1, describedArrays(depth - 1)));
  }

  static Arbitrary<Object> scalars() {
    List<Arbitrary<?>> all = new ArrayList<>();
    for (AmqpType type : EnumSet.range(AmqpType.NULL, AmqpType.SYMBOL)) all.add(scalar(type));
    return Arbitraries.oneOf(all.stream().map(a -> a.map(v -> (Object) v)).toList());
  }

  /** Values of one scalar type, with the edges (0, 255, 256, -128, 127...) favoured. */
  static Arbitrary<?> scalar(AmqpType type) {
    return switch (type) {
      case NULL -> Arbitraries.just(null);
      case BOOLEAN -> Arbitraries.of(true, false);
      case UBYTE -> Arbitraries.bytes().map(UnsignedByte::fromBits);
      case USHORT -> Arbitraries.shorts().map(UnsignedShort::fromBits);
      case UINT ->
          Arbitraries.oneOf(
                  Arbitraries.of(0, 1, 255, 256, -1),
                  Arbitraries.integers().between(0, 300),
                  Arbitraries.integers())
              .map(UnsignedInteger::fromBits);
      case ULONG ->
          Arbitraries.oneOf(
                  Arbitraries.of(0L, 1L, 255L, 256L, -1L, Long.MIN_VALUE),
                  Arbitraries.longs().between(0, 300),
                  Arbitraries.longs())
              .map(UnsignedLong::fromBits);
      case BYTE -> Arbitraries.bytes();
      case SHORT -> Arbitraries.shorts();
      case INT ->
          Arbitraries.oneOf(
              Arbitraries.of(-129, -128, 127, 128, Integer.MIN_VALUE, Integer.MAX_VALUE),
              Arbitraries.integers().between(-200, 200),
              Arbitraries.integers());
      case LONG ->
          Arbitraries.oneOf(
              Arbitraries.of(-129L, -128L, 127L, 128L, Long.MIN_VALUE, Long.MAX_VALUE),
              Arbitraries.longs().between(-200, 200),
              Arbitraries.longs());
      case FLOAT -> Arbitraries.integers().map(Float::intBitsToFloat);
      case DOUBLE -> Arbitraries.longs().map(Double::longBitsToDouble);
      case DECIMAL32 -> Arbitraries.integers().map(Decimal32::fromBits);
      case DECIMAL64 -> Arbitraries.longs().map(Decimal64::fromBits);
      case DECIMAL128 ->
          Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(Decimal128::fromBits);
      case CHAR ->
          Arbitraries.integers()
              .between(0, 0x10FFFF)
              .filter(AmqpChar::isValid)
              .map(AmqpChar::valueOf);
      case TIMESTAMP -> Arbitraries.longs().map(Instant::ofEpochMilli);
      case UUID -> Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(UUID::new);
      case BINARY ->
          Arbitraries.bytes()
              .array(byte[].class)
              .ofMaxSize(300)
              .map(b -> b.length % 2 == 0 ? Binary.wrap(b) : Binary.copyOf(b));
      case STRING -> strings();
      case SYMBOL ->
          Arbitraries.strings()
              .withCharRange((char) 0, (char) 127)
              .ofMaxLength(300)
              .map(Symbol::valueOf);
      default -> throw new IllegalArgumentException(type + " is not a scalar type");
    };
  }

  /** Valid strings: ASCII, two- and three-byte characters and supplementary ones. */
  static Arbitrary<String> strings() {
    Arbitrary<Integer> codePoints =
        Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.integers().between(0, 0x7F)),
            Tuple.of(2, Arbitraries.integers().between(0x80, 0xD7FF)),
            Tuple.of(1, Arbitraries.integers().between(0xE000, 0xFFFF)),
            Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10FFFF)));
    // Now and then a string long enough to need str32.
    return Arbitraries.frequencyOf(
            Tuple.of(2, codePoints.list().ofMaxSize(40)),
            Tuple.of(1, codePoints.list().ofMinSize(150).ofMaxSize(400)))
        .map(
            cps -> {
              StringBuilder s = new StringBuilder();
              for (int cp : cps) s.appendCodePoint(cp);
              return s.toString();
            });
  }

  static Arbitrary<Object> lists(int depth) {
    // Now and then a list long enough to need list32 for its count alone.
    return Arbitraries.frequencyOf(
        Tuple.of(8, values(depth).list().ofMaxSize(6).map(l -> (Object) l)),
        Tuple.of(
            1,
            Arbitraries.integers()
                .between(-3, 3)
                .list()
                .ofMinSize(250)
                .ofMaxSize(300)
                .map(l -> (Object) l)));
  }

  static Arbitrary<Object> maps(int depth) {
    return Arbitraries.entries(values(depth), values(depth))
        .list()
        .uniqueElements(Map.Entry::getKey)
        .ofMaxSize(5)
        .map(
            entries -> {
              Map<Object, Object> map = new LinkedHashMap<>();
              for (Map.Entry<Object, Object> e : entries) map.put(e.getKey(), e.getValue());
              return map;
            });
  }

  /** Any element type; only scalar ones at depth 0, so that nesting ends. */
  static Arbitrary<AmqpType> elementTypes(int depth) {
    return depth == 0
        ? Arbitraries.of(EnumSet.range(AmqpType.NULL, AmqpType.SYMBOL))
        : Arbitraries.of(AmqpType.class);
  }

  /** Elements of one array type; compound ones nest up to depth. */
  static Arbitrary<?> elements(AmqpType type, int depth) {
    return switch (type) {
      case LIST -> values(depth).list().ofMaxSize(4);
      case MAP -> maps(depth);
      case ARRAY -> arrays(depth);
      default -> scalar(type);
    };
  }

  static Arbitrary<Object> arrays(int depth) {
    return elementTypes(depth)
        .flatMap(
            type ->
                elements(type, Math.max(0, depth - 1))
                    .list()
                    .ofMaxSize(type.compareTo(AmqpType.BINARY) < 0 ? 300 : 4)
                    .map(elements -> (Object) AmqpArray.of(type, new ArrayList<Object>(elements))));
  }

  static Arbitrary<Object> descriptors() {
    return Arbitraries.oneOf(
        Arbitraries.longs().map(UnsignedLong::fromBits),
        Arbitraries.of(0L, 0x10L, 0x77L, 255L, 256L).map(UnsignedLong::fromBits),
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .ofMinLength(1)
            .ofMaxLength(20)
            .map(s -> "x:" + s)
            .map(Symbol::valueOf));
  }

  static Arbitrary<Object> described(int depth) {
    return Combinators.combine(descriptors(), values(depth)).as(DescribedValue::of);
  }

  /** Arrays of described values, with one descriptor and now and then two. */
  static Arbitrary<Object> describedArrays(int depth) {
    return Combinators.combine(
            descriptors().list().ofMinSize(1).ofMaxSize(2),
            elementTypes(depth),
            Arbitraries.integers().between(0, 4))
        .flatAs(
            (descriptors, type, size) ->
                elements(type, Math.max(0, depth - 1))
                    .list()
                    .ofSize(size)
                    .map(
                        values -> {
                          List<Object> wrapped = new ArrayList<>();
                          for (Object v : values) {
                            Object w = v;
                            for (int i = descriptors.size() - 1; i >= 0; i--) {
                              w = DescribedValue.of(descriptors.get(i), w);
                            }
                            wrapped.add(w);
                          }
                          return (Object) AmqpArray.ofNestedDescribed(descriptors, type, wrapped);
                        }));
  }
}
