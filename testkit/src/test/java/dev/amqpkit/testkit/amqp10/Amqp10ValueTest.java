package dev.amqpkit.testkit.amqp10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.testkit.amqp10.Amqp10Value.Array;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Char;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Decimal;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Described;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Encoded;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Raw;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Sym;
import dev.amqpkit.testkit.amqp10.Amqp10Value.UByte;
import dev.amqpkit.testkit.amqp10.Amqp10Value.UInt;
import dev.amqpkit.testkit.amqp10.Amqp10Value.ULong;
import dev.amqpkit.testkit.amqp10.Amqp10Value.UShort;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

/** The value codec: golden bytes, every encoding of every type, and what the reader refuses. */
class Amqp10ValueTest {

  private static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex.replace(" ", ""));
  }

  private static String hexOf(Object value) {
    return HexFormat.ofDelimiter(" ").formatHex(Amqp10Value.encode(value));
  }

  // ---- golden bytes ----

  @Test
  void writesTheSmallestEncodingOfEachScalar() {
    assertThat(hexOf(null)).isEqualTo("40");
    assertThat(hexOf(true)).isEqualTo("41");
    assertThat(hexOf(false)).isEqualTo("42");
    assertThat(hexOf(new UByte(200))).isEqualTo("50 c8");
    assertThat(hexOf(new UShort(0x1234))).isEqualTo("60 12 34");
    assertThat(hexOf(new UInt(0))).isEqualTo("43");
    assertThat(hexOf(new UInt(255))).isEqualTo("52 ff");
    assertThat(hexOf(new UInt(256))).isEqualTo("70 00 00 01 00");
    assertThat(hexOf(new UInt(0xFFFF_FFFFL))).isEqualTo("70 ff ff ff ff");
    assertThat(hexOf(new ULong(0))).isEqualTo("44");
    assertThat(hexOf(new ULong(0x10))).isEqualTo("53 10");
    assertThat(hexOf(new ULong(-1))).isEqualTo("80 ff ff ff ff ff ff ff ff");
    assertThat(hexOf((byte) -2)).isEqualTo("51 fe");
    assertThat(hexOf((short) -2)).isEqualTo("61 ff fe");
    assertThat(hexOf(-1)).isEqualTo("54 ff");
    assertThat(hexOf(128)).isEqualTo("71 00 00 00 80");
    assertThat(hexOf(-128L)).isEqualTo("55 80");
    assertThat(hexOf(1L << 40)).isEqualTo("81 00 00 01 00 00 00 00 00");
    assertThat(hexOf(1.0f)).isEqualTo("72 3f 80 00 00");
    assertThat(hexOf(-2.0d)).isEqualTo("82 c0 00 00 00 00 00 00 00");
    assertThat(hexOf(new Char('é'))).isEqualTo("73 00 00 00 e9");
    assertThat(hexOf(Instant.ofEpochMilli(1000))).isEqualTo("83 00 00 00 00 00 00 03 e8");
    assertThat(hexOf(new UUID(0x0102030405060708L, 0x090a0b0c0d0e0f10L)))
        .isEqualTo("98 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10");
    assertThat(hexOf(new Decimal(hex("22 50 00 01")))).isEqualTo("74 22 50 00 01");
  }

  @Test
  void writesVariableWidthValuesWithOneOrFourLengthBytes() {
    assertThat(hexOf("c")).isEqualTo("a1 01 63");
    assertThat(hexOf("é")).isEqualTo("a1 02 c3 a9");
    assertThat(hexOf(Sym.of("PLAIN"))).isEqualTo("a3 05 50 4c 41 49 4e");
    assertThat(hexOf(new byte[] {1, 2})).isEqualTo("a0 02 01 02");
    assertThat(Amqp10Value.encode("x".repeat(256))).startsWith(0xb1, 0, 0, 1, 0, 'x');
    assertThat(Amqp10Value.encode(new byte[300])).startsWith(0xb0, 0, 0, 1, 0x2c, 0);
  }

  @Test
  void writesCompoundValuesWithSizeAndCount() {
    assertThat(hexOf(List.of())).isEqualTo("45");
    assertThat(hexOf(List.of(true, "a"))).isEqualTo("c0 05 02 41 a1 01 61");
    Map<Object, Object> map = new LinkedHashMap<>();
    map.put("a", 1);
    assertThat(hexOf(map)).isEqualTo("c1 06 02 a1 01 61 54 01");
    assertThat(hexOf(Array.of(Sym.of("a"), Sym.of("b")))).isEqualTo("e0 06 02 a3 01 61 01 62");
    assertThat(hexOf(Array.of(new UInt(1)))).isEqualTo("e0 06 01 70 00 00 00 01");
    assertThat(hexOf(Array.of())).isEqualTo("e0 02 00 40");
  }

  @Test
  void writesADescribedValueAsItsDescriptorThenItsValue() {
    // accepted: 0x00000000:0x00000024, an empty list.
    assertThat(hexOf(new Described(new ULong(0x24), List.of()))).isEqualTo("00 53 24 45");
    assertThat(hexOf(new Described(Sym.of("amqp:accepted:list"), List.of())))
        .isEqualTo("00 a3 12 61 6d 71 70 3a 61 63 63 65 70 74 65 64 3a 6c 69 73 74 45");
  }

  @Test
  void writesAnArrayOfDescribedValuesWithTheDescriptorInTheConstructor() {
    Array array =
        Array.of(
            new Described(new ULong(0x75), new byte[] {1}),
            new Described(new ULong(0x75), new byte[] {2, 3}));

    assertThat(hexOf(array)).isEqualTo("e0 0a 02 00 53 75 a0 01 01 02 02 03");
    assertThat(hexOf(List.of(array.get(0)))).isEqualTo("c0 07 01 00 53 75 a0 01 01");
  }

  // ---- chosen encodings ----

  @Test
  void encodedPicksAnyValidEncodingOfTheValue() {
    assertThat(hexOf(new Encoded(0xb1, "c"))).isEqualTo("b1 00 00 00 01 63");
    assertThat(hexOf(new Encoded(0x70, new UInt(0)))).isEqualTo("70 00 00 00 00");
    assertThat(hexOf(new Encoded(0x80, new ULong(0x10)))).isEqualTo("80 00 00 00 00 00 00 00 10");
    assertThat(hexOf(new Encoded(0x56, true))).isEqualTo("56 01");
    assertThat(hexOf(new Encoded(0xc0, List.of()))).isEqualTo("c0 01 00");
    assertThat(hexOf(new Encoded(0xd0, List.of()))).isEqualTo("d0 00 00 00 04 00 00 00 00");
    assertThat(hexOf(new Encoded(0xd1, Map.of()))).isEqualTo("d1 00 00 00 04 00 00 00 00");
    assertThat(hexOf(new Encoded(0xe0, List.of(Sym.of("a"))))).isEqualTo("e0 04 01 a3 01 61");
    assertThat(hexOf(new Encoded(0xc0, Array.of(Sym.of("a"))))).isEqualTo("c0 04 01 a3 01 61");
    assertThat(hexOf(Array.of(0xb3, List.of(Sym.of("a"))))).isEqualTo("e0 07 01 b3 00 00 00 01 61");
  }

  @Test
  void encodedRefusesACodeThatCannotCarryTheValue() {
    assertThatThrownBy(() -> Amqp10Value.encode(new Encoded(0x52, new UInt(300))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0x52 cannot carry the uint 300");
    assertThatThrownBy(() -> Amqp10Value.encode(new Encoded(0xa1, 5)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Amqp10Value.encode(new Encoded(0x41, false)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Amqp10Value.encode(new Encoded(0x45, List.of(1))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Amqp10Value.encode(new Encoded(0xa1, "x".repeat(256))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rawBytesGoAsTheyAreInsideAnyValue() {
    assertThat(hexOf(List.of(Raw.hex("a1 05 61"), 1))).isEqualTo("c0 06 02 a1 05 61 54 01");
  }

  @Test
  void refusesJavaValuesWithNoAmqpType() {
    assertThatThrownBy(() -> Amqp10Value.encode(new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.Object has no AMQP 1.0 type");
    assertThatThrownBy(() -> Amqp10Value.encode(Sym.of("é"))).hasMessageContaining("not ASCII");
    assertThatThrownBy(() -> Amqp10Value.encode("\uD800"))
        .hasMessageContaining("unpaired surrogate");
    assertThatThrownBy(() -> Amqp10Value.encode(Array.of(1, "a")))
        .hasMessageContaining("share one type");
  }

  // ---- reading ----

  @Test
  void readsEveryEncodingOfEachType() throws Exception {
    assertThat(Amqp10Value.decode(hex("56 00"))).isEqualTo(false);
    assertThat(Amqp10Value.decode(hex("56 01"))).isEqualTo(true);
    assertThat(Amqp10Value.decode(hex("43"))).isEqualTo(new UInt(0));
    assertThat(Amqp10Value.decode(hex("52 07"))).isEqualTo(new UInt(7));
    assertThat(Amqp10Value.decode(hex("70 ff ff ff ff"))).isEqualTo(new UInt(0xFFFF_FFFFL));
    assertThat(Amqp10Value.decode(hex("44"))).isEqualTo(new ULong(0));
    assertThat(Amqp10Value.decode(hex("53 10"))).isEqualTo(new ULong(16));
    assertThat(Amqp10Value.decode(hex("54 fe"))).isEqualTo(-2);
    assertThat(Amqp10Value.decode(hex("55 fe"))).isEqualTo(-2L);
    assertThat(Amqp10Value.decode(hex("b1 00 00 00 01 63"))).isEqualTo("c");
    assertThat(Amqp10Value.decode(hex("b3 00 00 00 01 63"))).isEqualTo(Sym.of("c"));
    assertThat((byte[]) Amqp10Value.decode(hex("b0 00 00 00 01 63"))).containsExactly(0x63);
    assertThat(Amqp10Value.decode(hex("45"))).isEqualTo(List.of());
    assertThat(Amqp10Value.decode(hex("c0 01 00"))).isEqualTo(List.of());
    assertThat(Amqp10Value.decode(hex("d0 00 00 00 06 00 00 00 02 41 42")))
        .isEqualTo(List.of(true, false));
    Map<Object, Object> uintToNull = new LinkedHashMap<>();
    uintToNull.put(new UInt(0), null);
    assertThat(Amqp10Value.decode(hex("d1 00 00 00 06 00 00 00 02 43 40"))).isEqualTo(uintToNull);
    assertThat(Amqp10Value.decode(hex("c1 03 02 43 40"))).isEqualTo(uintToNull);
    assertThat(Amqp10Value.decode(hex("f0 00 00 00 07 00 00 00 02 52 07 08")))
        .isEqualTo(List.of(new UInt(7), new UInt(8)))
        .isInstanceOf(Array.class);
  }

  @Test
  void readsArraysOfDescribedValuesAndKeepsTheElementCode() throws Exception {
    Object value = Amqp10Value.decode(hex("e0 0a 02 00 53 75 a0 01 01 02 02 03"));

    assertThat(value).isInstanceOf(Array.class);
    Array array = (Array) value;
    assertThat(array.elementCode()).isEqualTo(0xa0);
    assertThat(
            Amqp10Value.deepEquals(
                array,
                Array.of(
                    new Described(new ULong(0x75), new byte[] {1}),
                    new Described(new ULong(0x75), new byte[] {2, 3}))))
        .isTrue();
    assertThat(Amqp10Value.encode(array)).isEqualTo(hex("e0 0a 02 00 53 75 a0 01 01 02 02 03"));
  }

  @Test
  void readsMapsInWireOrderAndUnmodifiable() throws Exception {
    @SuppressWarnings("unchecked")
    Map<Object, Object> map =
        (Map<Object, Object>) Amqp10Value.decode(hex("c1 09 04 a1 01 62 41 a1 01 61 42"));

    assertThat(map.keySet()).containsExactly("b", "a");
    assertThatThrownBy(() -> map.put("c", 1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void readsFromAByteBufferAndAdvancesIt() throws Exception {
    ByteBuffer in = ByteBuffer.wrap(hex("a1 01 63 41")).order(ByteOrder.LITTLE_ENDIAN);
    in.position(0);

    assertThat(Amqp10Value.read(in)).isEqualTo("c");
    assertThat(in.position()).isEqualTo(3);
    assertThat(Amqp10Value.read(in)).isEqualTo(true);
    assertThat(Amqp10Value.decodeAll(hex("41 42 40"))).containsExactly(true, false, null);
  }

  @Test
  void refusesInvalidEncodingsSayingWhereAndWhy() {
    assertRefused("99", "offset 0", "unknown format code 0x99");
    assertRefused("c0 02 01 41 41", "1 bytes left over");
    assertRefused("a1 05 61", "string declares 5 bytes but 1 remain");
    assertRefused("b0 7f ff ff ff 00", "binary declares 2147483647 bytes but 1 remain");
    assertRefused("c0 10 01 40", "list declares a size of 16 bytes but 2 remain");
    assertRefused("c0 02 05 40", "list declares 5 elements in 1 bytes");
    assertRefused("c0 02 01 a1 01 61", "the input ends inside");
    assertRefused("c0 03 01 40 40", "declares a size 1 bytes larger than its 1 elements take");
    assertRefused("c0 00", "too small for its count");
    assertRefused("c1 02 01 40", "odd count");
    assertRefused("c1 09 04 a1 01 61 40 a1 01 61 40", "offset 7", "repeats the key \"a\"");
    assertRefused("c1 09 04 a0 01 61 40 a0 01 61 40", "repeats the key 0x61");
    assertRefused("56 02", "boolean 0x56 with the octet 2");
    assertRefused("a1 02 c3 28", "not valid UTF-8");
    assertRefused("a3 01 e9", "not ASCII");
    assertRefused("73 00 11 00 00", "not a Unicode scalar value");
    assertRefused("73 00 00 d8 00", "not a Unicode scalar value");
    assertRefused("f0 00 00 00 05 ff ff ff ff 40", "array declares 4294967295 elements");
    assertRefused("e0 03 10 a1 00", "array declares 16 elements in 1 bytes");
    assertRefused("e0 02 00 99", "unknown element format code 0x99");
    assertRefused("00", "the input ends inside a format code");
    assertRefused("70 00 00", "the input ends inside");
    assertRefused("00".repeat(100) + "40", "nest deeper than 64");
    assertRefused("c0 ff ff" + " 45".repeat(255), "list declares 255 elements in 254 bytes");
  }

  private static void assertRefused(String bytes, String... fragments) {
    assertThatThrownBy(() -> Amqp10Value.decode(hex(bytes)))
        .as(bytes)
        .isInstanceOf(FrameFormatException.class)
        .satisfies(e -> assertThat(e.getMessage()).contains(fragments));
  }

  @Test
  void formatsValuesForPeople() {
    Described error = Performatives.error("amqp:not-found", "no queue \"q\"");

    assertThat(Amqp10Value.format(error))
        .isEqualTo("error(condition=:amqp:not-found, description=\"no queue \\\"q\\\"\")");
    assertThat(Amqp10Value.format(List.of(new UInt(1), new byte[] {1, (byte) 0xff}, Array.of())))
        .isEqualTo("[1, 0x01ff, array[]]");
    assertThat(Amqp10Value.format(new Described(Sym.of("x:y"), 1))).isEqualTo("described(:x:y, 1)");
    assertThat(Amqp10Value.format("x".repeat(300))).endsWith("…(300 chars)\"");
  }

  @Test
  void deepEqualsComparesBinariesByContentAndTellsArraysFromLists() {
    assertThat(Amqp10Value.deepEquals(List.of(new byte[] {1}), List.of(new byte[] {1}))).isTrue();
    assertThat(Amqp10Value.deepEquals(List.of(1), Array.of(1))).isFalse();
    assertThat(List.of(1)).isEqualTo(Array.of(1));
    assertThat(Amqp10Value.deepEquals(Map.of("a", 1, "b", 2), Map.of("b", 2, "a", 1))).isTrue();
    assertThat(new Described(new ULong(1), new byte[] {3}))
        .isEqualTo(new Described(new ULong(1), new byte[] {3}))
        .hasSameHashCodeAs(new Described(new ULong(1), new byte[] {3}));
  }

  @Test
  void longValueReadsEveryIntegralType() {
    assertThat(Amqp10Value.longValue(new UByte(255))).isEqualTo(255);
    assertThat(Amqp10Value.longValue(new UShort(65535))).isEqualTo(65535);
    assertThat(Amqp10Value.longValue(new UInt(0xFFFF_FFFFL))).isEqualTo(0xFFFF_FFFFL);
    assertThat(Amqp10Value.longValue(new ULong(7))).isEqualTo(7);
    assertThat(Amqp10Value.longValue((short) -3)).isEqualTo(-3);
    assertThatThrownBy(() -> Amqp10Value.longValue("1"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---- round trips ----

  @Property(tries = 500)
  void everyValueSurvivesARoundTrip(@ForAll("values") Object value) throws Exception {
    byte[] encoded = Amqp10Value.encode(value);

    Object decoded = Amqp10Value.decode(encoded);

    assertThat(Amqp10Value.deepEquals(decoded, value))
        .as("%s decoded as %s", Amqp10Value.format(value), Amqp10Value.format(decoded))
        .isTrue();
    assertThat(Amqp10Value.encode(decoded)).isEqualTo(encoded);
  }

  @Property(tries = 300)
  void everyEncodingOfAScalarDecodesToIt(@ForAll("scalars") Object value) throws Exception {
    for (int code : codesFor(value)) {
      byte[] encoded = Amqp10Value.encode(new Encoded(code, value));

      assertThat(encoded[0] & 0xFF).isEqualTo(code);
      assertThat(Amqp10Value.deepEquals(Amqp10Value.decode(encoded), value))
          .as("%s as 0x%02x", Amqp10Value.format(value), code)
          .isTrue();
    }
  }

  @Property(tries = 200)
  void everyEncodingOfACompoundDecodesToIt(@ForAll("values") Object element) throws Exception {
    List<Object> list = Arrays.asList(element, element);
    Map<Object, Object> map = new LinkedHashMap<>();
    map.put("k", element);
    for (Object value : List.of(list, map)) {
      int[] codes = value instanceof Map ? new int[] {0xc1, 0xd1} : new int[] {0xc0, 0xd0, 0xf0};
      for (int code : codes) {
        byte[] encoded;
        try {
          encoded = Amqp10Value.encode(new Encoded(code, value));
        } catch (IllegalArgumentException tooLargeFor8Bits) {
          assertThat(code).isIn(0xc0, 0xc1);
          continue;
        }
        Object decoded = Amqp10Value.decode(encoded);
        assertThat(
                Amqp10Value.deepEquals(decoded, code == 0xf0 ? Array.of(element, element) : value))
            .as("%s as 0x%02x", Amqp10Value.format(value), code)
            .isTrue();
      }
    }
  }

  @Property(tries = 300)
  void truncatedEncodingsAreRefusedNeverMisread(@ForAll("values") Object value) {
    byte[] encoded = Amqp10Value.encode(value);
    // Every cut of small values; of large ones, about 256 cuts spread over them.
    int step = Math.max(1, encoded.length / 256);
    String shown = Amqp10Value.format(value);
    for (int length = 0; length < encoded.length; length += step) {
      byte[] cut = Arrays.copyOf(encoded, length);
      assertThatThrownBy(() -> Amqp10Value.decode(cut))
          .as("%d of %d bytes of %s", length, encoded.length, shown)
          .isInstanceOf(FrameFormatException.class);
    }
  }

  /** Every format code that can carry this scalar. */
  private static List<Integer> codesFor(Object v) {
    List<Integer> codes = new ArrayList<>();
    if (v == null) codes.add(0x40);
    if (v instanceof Boolean b) codes.addAll(List.of(0x56, b ? 0x41 : 0x42));
    if (v instanceof UByte) codes.add(0x50);
    if (v instanceof UShort) codes.add(0x60);
    if (v instanceof UInt u) {
      codes.add(0x70);
      if (u.value() <= 255) codes.add(0x52);
      if (u.value() == 0) codes.add(0x43);
    }
    if (v instanceof ULong u) {
      codes.add(0x80);
      if (Long.compareUnsigned(u.value(), 255) <= 0) codes.add(0x53);
      if (u.value() == 0) codes.add(0x44);
    }
    if (v instanceof Byte) codes.add(0x51);
    if (v instanceof Short) codes.add(0x61);
    if (v instanceof Integer i) {
      codes.add(0x71);
      if (i == i.byteValue()) codes.add(0x54);
    }
    if (v instanceof Long l) {
      codes.add(0x81);
      if (l == l.byteValue()) codes.add(0x55);
    }
    if (v instanceof Float) codes.add(0x72);
    if (v instanceof Double) codes.add(0x82);
    if (v instanceof Char) codes.add(0x73);
    if (v instanceof Instant) codes.add(0x83);
    if (v instanceof UUID) codes.add(0x98);
    if (v instanceof Decimal d) codes.add(Amqp10Value.encode(d)[0] & 0xFF);
    if (v instanceof byte[] b) codes.addAll(b.length <= 255 ? List.of(0xa0, 0xb0) : List.of(0xb0));
    if (v instanceof String s) {
      codes.addAll(
          s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 255
              ? List.of(0xa1, 0xb1)
              : List.of(0xb1));
    }
    if (v instanceof Sym s) {
      codes.addAll(s.name().length() <= 255 ? List.of(0xa3, 0xb3) : List.of(0xb3));
    }
    return codes;
  }

  // ---- generators ----

  @Provide
  Arbitrary<Object> scalars() {
    return Arbitraries.oneOf(
        List.of(
            Arbitraries.just(null),
            Arbitraries.of(true, false),
            Arbitraries.integers().between(0, 255).map(UByte::new),
            Arbitraries.integers().between(0, 65535).map(UShort::new),
            Arbitraries.longs()
                .between(0, 0xFFFF_FFFFL)
                .edgeCases(e -> e.add(0L, 255L, 256L))
                .map(UInt::new),
            Arbitraries.longs().map(ULong::new),
            Arbitraries.bytes().map(b -> (Object) b),
            Arbitraries.shorts().map(s -> (Object) s),
            Arbitraries.integers().map(i -> (Object) i),
            Arbitraries.longs().map(l -> (Object) l),
            Arbitraries.floats().map(f -> (Object) f),
            Arbitraries.of(Float.NaN, -0.0f, Float.NEGATIVE_INFINITY).map(f -> (Object) f),
            Arbitraries.doubles().map(d -> (Object) d),
            Arbitraries.of(4, 8, 16)
                .flatMap(n -> Arbitraries.bytes().array(byte[].class).ofSize(n))
                .map(Decimal::new),
            Arbitraries.integers()
                .between(0, 0x10FFFF)
                .filter(c -> c < 0xD800 || c > 0xDFFF)
                .map(Char::new),
            Arbitraries.longs().map(Instant::ofEpochMilli),
            Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(UUID::new),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
            Arbitraries.strings().ofMaxLength(300).filter(Amqp10ValueTest::isWellFormedUtf16),
            Arbitraries.strings().ascii().ofMaxLength(300).map(Sym::of)));
  }

  @Provide
  Arbitrary<Object> values() {
    return value(3);
  }

  private Arbitrary<Object> value(int depth) {
    Arbitrary<Object> scalar = scalars();
    if (depth == 0) return scalar;
    Arbitrary<Object> inner = value(depth - 1);
    Arbitrary<Object> keys = scalars().filter(k -> !(k instanceof byte[]));
    return Arbitraries.frequencyOf(
        Tuple.of(6, scalar),
        Tuple.of(1, inner.list().ofMaxSize(4).map(l -> (Object) l)),
        Tuple.of(1, Arbitraries.maps(keys, inner).ofMaxSize(3).map(m -> (Object) m)),
        Tuple.of(1, arrays()),
        Tuple.of(1, Combinators.combine(descriptors(), inner).as(Described::new)));
  }

  private Arbitrary<Object> descriptors() {
    return Arbitraries.oneOf(
        Arbitraries.longs().map(ULong::new),
        Arbitraries.strings().ascii().ofMaxLength(20).map(Sym::of));
  }

  private Arbitrary<Object> arrays() {
    Arbitrary<Object> sameType =
        scalars()
            .filter(v -> v != null && !(v instanceof Decimal))
            .flatMap(
                sample ->
                    scalars()
                        .filter(v -> v != null && v.getClass() == sample.getClass())
                        .list()
                        .ofMaxSize(4)
                        .map(
                            list -> {
                              List<Object> elements = new ArrayList<>(list);
                              elements.add(0, sample);
                              return (Object) Array.of(elements.toArray());
                            }));
    Arbitrary<Object> described =
        Combinators.combine(
                descriptors(),
                Arbitraries.strings().ofMaxLength(10).list().ofMinSize(1).ofMaxSize(3))
            .as(
                (d, strings) -> {
                  List<Object> elements = new ArrayList<>();
                  for (String s : strings) elements.add(new Described(d, s));
                  return (Object) Array.of(elements.toArray());
                })
            .filter(a -> Amqp10ValueTest.wellFormedDescribedStrings((Array) a));
    Arbitrary<Object> nulls =
        Arbitraries.integers().between(0, 3).map(n -> (Object) Array.of(new Object[n]));
    Arbitrary<Object> lists =
        Arbitraries.integers()
            .between(1, 3)
            .map(
                n ->
                    (Object)
                        Array.of(List.of(1, "x"), List.of(), List.of(Sym.of("y"))).subList(0, n))
            .map(l -> (Object) Array.of(((List<?>) l).toArray()));
    return Arbitraries.oneOf(sameType, described, nulls, lists);
  }

  private static boolean wellFormedDescribedStrings(Array array) {
    return array.stream().allMatch(e -> isWellFormedUtf16((String) ((Described) e).value()));
  }

  private static boolean isWellFormedUtf16(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) return false;
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
