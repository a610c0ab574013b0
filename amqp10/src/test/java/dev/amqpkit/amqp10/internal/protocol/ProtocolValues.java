package dev.amqpkit.amqp10.internal.protocol;

import dev.amqpkit.amqp10.types.AmqpArray;
import dev.amqpkit.amqp10.types.AmqpType;
import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.amqp10.types.DescribedValue;
import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.amqp10.types.UnsignedInteger;
import dev.amqpkit.amqp10.types.UnsignedLong;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * jqwik generators for the field types of the protocol records, with the edges of each range
 * favoured; {@link ProtocolArbitraries}, which is generated, builds the records from them.
 */
public class ProtocolValues {
  ProtocolValues() {}

  /** Widens an arbitrary's type, for combining arbitraries of different types. */
  @SuppressWarnings("unchecked")
  public static Arbitrary<Object> erase(Arbitrary<?> arbitrary) {
    return (Arbitrary<Object>) arbitrary;
  }

  public static Arbitrary<Integer> ubytes() {
    return Arbitraries.oneOf(Arbitraries.of(0, 1, 255), Arbitraries.integers().between(0, 255));
  }

  public static Arbitrary<Integer> ushorts() {
    return Arbitraries.oneOf(
        Arbitraries.of(0, 255, 256, 65535), Arbitraries.integers().between(0, 65535));
  }

  public static Arbitrary<Long> uints() {
    return Arbitraries.oneOf(
        Arbitraries.of(0L, 1L, 255L, 256L, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL),
        Arbitraries.longs().between(0, 1000),
        Arbitraries.longs().between(0, 0xFFFF_FFFFL));
  }

  public static Arbitrary<UnsignedLong> ulongs() {
    return Arbitraries.oneOf(
            Arbitraries.of(0L, 1L, 255L, 256L, -1L, Long.MIN_VALUE), Arbitraries.longs())
        .map(UnsignedLong::fromBits);
  }

  public static Arbitrary<Symbol> symbols() {
    return Arbitraries.oneOf(
        Arbitraries.of("amqp:not-found", "ANONYMOUS-RELAY", "PLAIN", "en-US").map(Symbol::valueOf),
        Arbitraries.strings()
            .withCharRange('!', '~')
            .ofMinLength(1)
            .ofMaxLength(30)
            .map(Symbol::valueOf));
  }

  /** Lists of symbols: empty, one (written as an array of one) and several. */
  public static Arbitrary<List<Symbol>> symbolLists() {
    return symbols().list().ofMaxSize(4);
  }

  /** Valid strings: ASCII, accented, CJK, and now and then a supplementary character. */
  public static Arbitrary<String> strings() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ascii().ofMaxLength(30),
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withChars('é', 'ß', '€', '中', '文')
            .ofMaxLength(20),
        Arbitraries.of("", "😀 emoji", "queue/with/slashes", "x".repeat(300)));
  }

  public static Arbitrary<Binary> binaries() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(Binary::copyOf);
  }

  public static Arbitrary<Instant> timestamps() {
    return Arbitraries.oneOf(
            Arbitraries.of(0L, 1_700_000_000_000L, -1L),
            Arbitraries.longs().between(-8_640_000_000_000_000L, 8_640_000_000_000_000L))
        .map(Instant::ofEpochMilli);
  }

  public static Arbitrary<UUID> uuids() {
    return Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(UUID::new);
  }

  /** Values of simple types, as application properties and annotations hold. */
  public static Arbitrary<Object> simpleValues() {
    return Arbitraries.oneOf(
        Arbitraries.just(null),
        erase(Arbitraries.of(true, false)),
        erase(strings()),
        erase(symbols()),
        erase(Arbitraries.integers()),
        erase(Arbitraries.longs()),
        erase(Arbitraries.doubles()),
        erase(binaries()),
        erase(timestamps()),
        erase(uuids()),
        erase(uints().map(UnsignedInteger::valueOf)),
        erase(ulongs()));
  }

  public static Arbitrary<List<Object>> simpleValueLists() {
    return simpleValues().list().ofMaxSize(5);
  }

  /** A {@code fields} map: symbol keys, values of simple types and now and then a list or map. */
  public static Arbitrary<Map<Symbol, Object>> fieldsMaps() {
    Arbitrary<Object> values =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(8, simpleValues()),
            net.jqwik.api.Tuple.of(1, erase(simpleValueLists())),
            net.jqwik.api.Tuple.of(
                1, erase(symbolLists().map(s -> AmqpArray.of(AmqpType.SYMBOL, s)))));
    return mapsOf(symbols(), values);
  }

  /** A map with keys of any type: delivery tags to delivery states, as in an attach. */
  public static Arbitrary<Map<Object, Object>> maps() {
    return mapsOf(
        erase(binaries()),
        Arbitraries.oneOf(
            erase(Arbitraries.lazy(ProtocolArbitraries::accepted)),
            erase(Arbitraries.lazy(ProtocolArbitraries::received)),
            Arbitraries.just(null)));
  }

  /** Annotations: symbol or ulong keys. */
  public static Arbitrary<Map<Object, Object>> annotationMaps() {
    return mapsOf(
        Arbitraries.oneOf(erase(symbols().map(s -> Symbol.valueOf("x-opt-" + s))), erase(ulongs())),
        simpleValues());
  }

  /** Application properties: string keys. */
  public static Arbitrary<Map<String, Object>> applicationPropertyMaps() {
    return mapsOf(strings(), simpleValues());
  }

  /**
   * Values of a type no one registered that claims to provide {@code archetype}: a described list
   * with an unknown descriptor, as an extension would send.
   */
  public static Arbitrary<DescribedValue> extensionValues(String archetype) {
    return Combinators.combine(
            Arbitraries.of(
                (Object) Symbol.valueOf("com.example:" + archetype),
                UnsignedLong.fromBits(0x0000_BEEF_0000_0001L)),
            simpleValueLists())
        .as(DescribedValue::of);
  }

  private static <K, V> Arbitrary<Map<K, V>> mapsOf(Arbitrary<K> keys, Arbitrary<V> values) {
    return Arbitraries.entries(keys, values)
        .list()
        .uniqueElements(Map.Entry::getKey)
        .ofMaxSize(4)
        .map(
            entries -> {
              Map<K, V> map = new LinkedHashMap<>();
              for (Map.Entry<K, V> e : entries) map.put(e.getKey(), e.getValue());
              return map;
            });
  }
}
