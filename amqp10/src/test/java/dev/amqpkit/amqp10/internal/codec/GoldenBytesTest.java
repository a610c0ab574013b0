package dev.amqpkit.amqp10.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bytes written by hand from the encoding definitions in types.xml, for every format code: each
 * decodes to the expected value, and the encoder writes the smallest encoding for chosen values.
 */
class GoldenBytesTest {

  /** Parses {@code "a1 01 61"}; a {@code *n} suffix repeats a byte: {@code "78*300"}. */
  static byte[] hex(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String token : s.trim().split("\\s+")) {
      if (token.isEmpty()) continue;
      String[] parts = token.split("\\*");
      int times = parts.length == 2 ? Integer.parseInt(parts[1]) : 1;
      for (int i = 0; i < times; i++) out.write(Integer.parseInt(parts[0], 16));
    }
    return out.toByteArray();
  }

  static Object decode(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    Object value = new Decoder().decode(buffer);
    assertThat(buffer.remaining()).as("bytes left after the value").isZero();
    return value;
  }

  private static Symbol sym(String s) {
    return Symbol.valueOf(s);
  }

  private static UnsignedInteger uint(long v) {
    return UnsignedInteger.valueOf(v);
  }

  private static UnsignedLong ulong(long v) {
    return UnsignedLong.valueOf(v);
  }

  private static final UUID A_UUID = UUID.fromString("00112233-4455-6677-8899-aabbccddeeff");

  static Stream<Arguments> everyEncoding() {
    return Stream.of(
        Arguments.of("40", null),
        Arguments.of("41", true),
        Arguments.of("42", false),
        Arguments.of("56 01", true),
        Arguments.of("56 00", false),
        Arguments.of("50 ff", UnsignedByte.valueOf(255)),
        Arguments.of("60 ff fe", UnsignedShort.valueOf(65534)),
        Arguments.of("70 00 00 01 00", uint(256)),
        Arguments.of("70 00 00 00 05", uint(5)),
        Arguments.of("70 ff ff ff ff", UnsignedInteger.MAX_VALUE),
        Arguments.of("52 ff", uint(255)),
        Arguments.of("43", uint(0)),
        Arguments.of("80 ff ff ff ff ff ff ff ff", UnsignedLong.MAX_VALUE),
        Arguments.of("80 00 00 00 00 00 00 00 10", ulong(16)),
        Arguments.of("53 07", ulong(7)),
        Arguments.of("44", ulong(0)),
        Arguments.of("51 ff", (byte) -1),
        Arguments.of("61 80 00", Short.MIN_VALUE),
        Arguments.of("71 ff ff ff fe", -2),
        Arguments.of("71 00 00 00 01", 1),
        Arguments.of("54 80", -128),
        Arguments.of("54 7f", 127),
        Arguments.of("81 80 00 00 00 00 00 00 00", Long.MIN_VALUE),
        Arguments.of("81 00 00 00 00 00 00 00 02", 2L),
        Arguments.of("55 ff", -1L),
        Arguments.of("72 3f c0 00 00", 1.5f),
        Arguments.of("72 7f c0 00 00", Float.NaN),
        Arguments.of("82 40 09 21 fb 54 44 2d 18", Math.PI),
        Arguments.of("82 80 00 00 00 00 00 00 00", -0.0d),
        Arguments.of("74 32 80 00 01", Decimal32.valueOf(BigDecimal.ONE)),
        Arguments.of("84 31 c0 00 00 00 00 00 01", Decimal64.valueOf(BigDecimal.ONE)),
        Arguments.of(
            "94 30 40 00 00 00 00 00 00 00 00 00 00 00 00 00 01",
            Decimal128.valueOf(BigDecimal.ONE)),
        Arguments.of("73 00 00 00 61", AmqpChar.valueOf('a')),
        Arguments.of("73 00 01 f4 07", AmqpChar.valueOf(0x1F407)),
        Arguments.of("83 00 00 01 8b cf e5 68 00", Instant.ofEpochMilli(0x18bcfe56800L)),
        Arguments.of("83 ff ff ff ff ff ff ff ff", Instant.ofEpochMilli(-1)),
        Arguments.of("98 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff", A_UUID),
        Arguments.of("a0 03 01 02 03", Binary.copyOf(new byte[] {1, 2, 3})),
        Arguments.of("a0 00", Binary.EMPTY),
        Arguments.of("b0 00 00 00 02 ff 00", Binary.copyOf(new byte[] {-1, 0})),
        Arguments.of("a1 01 61", "a"),
        Arguments.of("a1 00", ""),
        Arguments.of("b1 00 00 00 02 c3 a9", "\u00e9"),
        Arguments.of("a1 04 f0 9f 90 87", "\uD83D\uDC07"),
        Arguments.of("a1 03 e2 82 ac", "\u20ac"),
        Arguments.of("a3 03 66 6f 6f", sym("foo")),
        Arguments.of("b3 00 00 00 01 78", sym("x")),
        Arguments.of("45", List.of()),
        Arguments.of("c0 01 00", List.of()),
        Arguments.of("c0 03 02 41 40", Arrays.asList(true, null)),
        Arguments.of("d0 00 00 00 06 00 00 00 02 41 40", Arrays.asList(true, null)),
        Arguments.of("c1 01 00", Map.of()),
        Arguments.of("c1 05 02 a3 01 6b 41", Map.of(sym("k"), true)),
        Arguments.of("d1 00 00 00 09 00 00 00 02 a1 01 6b 54 01", Map.of("k", 1)),
        Arguments.of("e0 04 02 52 01 02", AmqpArray.of(AmqpType.UINT, List.of(uint(1), uint(2)))),
        Arguments.of(
            "f0 00 00 00 0d 00 00 00 02 70 00 00 00 01 00 00 00 02",
            AmqpArray.of(AmqpType.UINT, List.of(uint(1), uint(2)))),
        Arguments.of(
            "e0 02 03 43", AmqpArray.of(AmqpType.UINT, List.of(uint(0), uint(0), uint(0)))),
        Arguments.of("e0 02 02 44", AmqpArray.of(AmqpType.ULONG, List.of(ulong(0), ulong(0)))),
        Arguments.of("e0 02 02 41", AmqpArray.of(AmqpType.BOOLEAN, List.of(true, true))),
        Arguments.of("e0 02 01 42", AmqpArray.of(AmqpType.BOOLEAN, List.of(false))),
        Arguments.of("e0 04 02 56 01 00", AmqpArray.of(AmqpType.BOOLEAN, List.of(true, false))),
        Arguments.of("e0 02 02 40", AmqpArray.of(AmqpType.NULL, Arrays.asList(null, null))),
        Arguments.of("e0 02 02 45", AmqpArray.of(AmqpType.LIST, List.of(List.of(), List.of()))),
        Arguments.of("e0 02 00 a3", AmqpArray.of(AmqpType.SYMBOL, List.of())),
        Arguments.of(
            "e0 08 02 a3 01 61 03 62 63 64",
            AmqpArray.of(AmqpType.SYMBOL, List.of(sym("a"), sym("bcd")))),
        Arguments.of("e0 04 02 54 ff 01", AmqpArray.of(AmqpType.INT, List.of(-1, 1))),
        Arguments.of("e0 03 01 55 80", AmqpArray.of(AmqpType.LONG, List.of(-128L))),
        Arguments.of(
            "e0 08 02 c0 03 01 54 01 01 00",
            AmqpArray.of(AmqpType.LIST, List.of(List.of(1), List.of()))),
        Arguments.of(
            "e0 09 02 e0 03 01 54 01 02 00 a3",
            AmqpArray.of(
                AmqpType.ARRAY,
                List.of(
                    AmqpArray.of(AmqpType.INT, List.of(1)),
                    AmqpArray.of(AmqpType.SYMBOL, List.of())))),
        Arguments.of(
            "00 53 10 c0 08 02 a1 02 63 31 a1 01 68",
            DescribedValue.of(ulong(0x10), List.of("c1", "h"))),
        Arguments.of("00 80 00 00 00 00 00 00 00 10 45", DescribedValue.of(ulong(0x10), List.of())),
        Arguments.of("00 44 40", DescribedValue.of(ulong(0), null)),
        Arguments.of("00 a3 03 78 3a 79 40", DescribedValue.of(sym("x:y"), null)),
        Arguments.of(
            "00 53 70 00 53 71 a1 01 61",
            DescribedValue.of(ulong(0x70), DescribedValue.of(ulong(0x71), "a"))),
        Arguments.of(
            "e0 09 02 00 53 77 a1 01 61 01 62",
            AmqpArray.ofDescribed(
                ulong(0x77),
                AmqpType.STRING,
                List.of(DescribedValue.of(ulong(0x77), "a"), DescribedValue.of(ulong(0x77), "b")))),
        Arguments.of(
            "e0 09 01 00 53 01 00 a3 01 78 40",
            AmqpArray.ofNestedDescribed(
                List.of(ulong(1), sym("x")),
                AmqpType.NULL,
                List.of(DescribedValue.of(ulong(1), DescribedValue.of(sym("x"), null))))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyEncoding")
  void decodes(String bytes, Object expected) {
    assertThat(decode(hex(bytes))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyEncoding")
  void reEncodesToTheSameValue(String bytes, Object expected) {
    byte[] encoded = new Encoder().encode(decode(hex(bytes)));

    assertThat(decode(encoded)).isEqualTo(expected);
  }

  @Test
  void arrayElementsGetAZeroWidthEncodingOnlyWhenNull() {
    Encoder encoder = new Encoder();

    assertThat(encoder.encode(AmqpArray.of(AmqpType.UINT, List.of(uint(0), uint(0)))))
        .isEqualTo(hex("e0 04 02 52 00 00"));
    assertThat(encoder.encode(AmqpArray.of(AmqpType.ULONG, List.of(ulong(0)))))
        .isEqualTo(hex("e0 03 01 53 00"));
    assertThat(encoder.encode(AmqpArray.of(AmqpType.BOOLEAN, List.of(false, false))))
        .isEqualTo(hex("e0 04 02 56 00 00"));
    assertThat(encoder.encode(AmqpArray.of(AmqpType.LIST, List.of(List.of(), List.of()))))
        .isEqualTo(hex("e0 06 02 c0 01 00 01 00"));
    assertThat(encoder.encode(AmqpArray.of(AmqpType.NULL, Arrays.asList(null, null, null))))
        .isEqualTo(hex("e0 02 03 40"));
  }

  static Stream<Arguments> smallestEncodings() {
    String x300 = "x".repeat(300);
    Map<Object, Object> ordered = new LinkedHashMap<>();
    ordered.put("z", 1);
    ordered.put("a", null);
    return Stream.of(
        Arguments.of(null, "40"),
        Arguments.of(true, "41"),
        Arguments.of(false, "42"),
        Arguments.of(uint(0), "43"),
        Arguments.of(uint(1), "52 01"),
        Arguments.of(uint(255), "52 ff"),
        Arguments.of(uint(256), "70 00 00 01 00"),
        Arguments.of(UnsignedInteger.MAX_VALUE, "70 ff ff ff ff"),
        Arguments.of(ulong(0), "44"),
        Arguments.of(ulong(255), "53 ff"),
        Arguments.of(ulong(256), "80 00 00 00 00 00 00 01 00"),
        Arguments.of(UnsignedByte.valueOf(200), "50 c8"),
        Arguments.of(UnsignedShort.valueOf(300), "60 01 2c"),
        Arguments.of((byte) -2, "51 fe"),
        Arguments.of((short) 258, "61 01 02"),
        Arguments.of(0, "54 00"),
        Arguments.of(127, "54 7f"),
        Arguments.of(-128, "54 80"),
        Arguments.of(128, "71 00 00 00 80"),
        Arguments.of(-129, "71 ff ff ff 7f"),
        Arguments.of(-1L, "55 ff"),
        Arguments.of(1000L, "81 00 00 00 00 00 00 03 e8"),
        Arguments.of(1.5f, "72 3f c0 00 00"),
        Arguments.of(Math.PI, "82 40 09 21 fb 54 44 2d 18"),
        Arguments.of(Decimal32.fromBits(0x32800001), "74 32 80 00 01"),
        Arguments.of(Decimal64.fromBits(0x31c0000000000001L), "84 31 c0 00 00 00 00 00 01"),
        Arguments.of(
            Decimal128.fromBits(0x3040000000000000L, 1),
            "94 30 40 00 00 00 00 00 00 00 00 00 00 00 00 00 01"),
        Arguments.of(AmqpChar.valueOf(0x1F407), "73 00 01 f4 07"),
        Arguments.of(Instant.ofEpochMilli(0x18bcfe56800L), "83 00 00 01 8b cf e5 68 00"),
        Arguments.of(A_UUID, "98 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff"),
        Arguments.of(Binary.EMPTY, "a0 00"),
        Arguments.of(Binary.wrap(new byte[256]), "b0 00 00 01 00 00*256"),
        Arguments.of("a", "a1 01 61"),
        Arguments.of("\u00e9\uD83D\uDC07", "a1 06 c3 a9 f0 9f 90 87"),
        Arguments.of("x".repeat(255), "a1 ff 78*255"),
        Arguments.of(x300, "b1 00 00 01 2c 78*300"),
        Arguments.of(sym("foo"), "a3 03 66 6f 6f"),
        Arguments.of(sym(x300), "b3 00 00 01 2c 78*300"),
        Arguments.of(List.of(), "45"),
        Arguments.of(List.of(1), "c0 03 01 54 01"),
        Arguments.of(Collections.nCopies(254, null), "c0 ff fe 40*254"),
        Arguments.of(Collections.nCopies(255, null), "d0 00 00 01 03 00 00 00 ff 40*255"),
        Arguments.of(List.of(Binary.wrap(new byte[252])), "c0 ff 01 a0 fc 00*252"),
        Arguments.of(
            List.of(Binary.wrap(new byte[253])), "d0 00 00 01 03 00 00 00 01 a0 fd 00*253"),
        Arguments.of(Map.of(), "c1 01 00"),
        Arguments.of(ordered, "c1 0a 04 a1 01 7a 54 01 a1 01 61 40"),
        Arguments.of(AmqpArray.of(AmqpType.UINT, List.of()), "e0 02 00 52"),
        Arguments.of(AmqpArray.of(AmqpType.UINT, List.of(uint(0), uint(2))), "e0 04 02 52 00 02"),
        Arguments.of(
            AmqpArray.of(AmqpType.UINT, List.of(uint(1), uint(256))),
            "e0 0a 02 70 00 00 00 01 00 00 01 00"),
        Arguments.of(AmqpArray.of(AmqpType.ULONG, List.of(ulong(9))), "e0 03 01 53 09"),
        Arguments.of(AmqpArray.of(AmqpType.INT, List.of(1, -1)), "e0 04 02 54 01 ff"),
        Arguments.of(
            AmqpArray.of(AmqpType.INT, List.of(1, 128)), "e0 0a 02 71 00 00 00 01 00 00 00 80"),
        Arguments.of(AmqpArray.of(AmqpType.BOOLEAN, List.of(true, true)), "e0 04 02 56 01 01"),
        Arguments.of(AmqpArray.of(AmqpType.NULL, Arrays.asList(null, null)), "e0 02 02 40"),
        Arguments.of(
            AmqpArray.of(AmqpType.LIST, List.of(List.of(), List.of(true))),
            "e0 07 02 c0 01 00 02 01 41"),
        Arguments.of(
            AmqpArray.of(AmqpType.STRING, List.of("a", x300)),
            "f0 00 00 01 3a 00 00 00 02 b1 00 00 00 01 61 00 00 01 2c 78*300"),
        Arguments.of(
            DescribedValue.of(ulong(0x10), List.of("c1", "h")),
            "00 53 10 c0 08 02 a1 02 63 31 a1 01 68"),
        Arguments.of(DescribedValue.of(sym("x:y"), List.of()), "00 a3 03 78 3a 79 45"),
        Arguments.of(
            AmqpArray.ofDescribed(
                ulong(0x77),
                AmqpType.STRING,
                List.of(DescribedValue.of(ulong(0x77), "a"), DescribedValue.of(ulong(0x77), "b"))),
            "e0 09 02 00 53 77 a1 01 61 01 62"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("smallestEncodings")
  void encodesTheSmallestForm(Object value, String expected) {
    Encoder encoder = new Encoder();

    assertThat(encoder.encode(value)).isEqualTo(hex(expected));
    assertThat(encoder.sizeOf(value)).isEqualTo(hex(expected).length);
    assertThat(decode(hex(expected))).isEqualTo(value);
  }

  @Test
  void aRepeatedSymbolIsDecodedOnce() {
    byte[] bytes = hex("c0 11 02 a3 06 78 2d 6f 70 74 2d a3 06 78 2d 6f 70 74 2d");
    @SuppressWarnings("unchecked")
    List<Object> symbols = (List<Object>) decode(bytes);

    assertThat(symbols.get(1)).isEqualTo(sym("x-opt-")).isSameAs(symbols.get(0));
  }

  @Test
  void decodesOneValueAtATimeAndMovesThePosition() {
    ByteBuffer buffer = ByteBuffer.wrap(hex("ff 52 05 a1 01 61 ee")).position(1).limit(6);
    Decoder decoder = new Decoder();

    assertThat(decoder.decode(buffer)).isEqualTo(uint(5));
    assertThat(buffer.position()).isEqualTo(3);
    assertThat(decoder.decode(buffer)).isEqualTo("a");
    assertThat(buffer.position()).isEqualTo(6);
  }

  @Test
  void ignoresTheBufferByteOrderAndWorksOnDirectAndReadOnlyBuffers() {
    byte[] bytes = hex("c0 12 03 70 00 00 01 00 61 01 02 81 00 00 00 00 00 00 00 03");
    List<Object> expected = List.of(uint(256), (short) 258, 3L);

    ByteBuffer little = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    ByteBuffer readOnly = ByteBuffer.wrap(bytes).asReadOnlyBuffer();

    assertThat(new Decoder().decode(little)).isEqualTo(expected);
    assertThat(new Decoder().decode(direct)).isEqualTo(expected);
    assertThat(new Decoder().decode(readOnly)).isEqualTo(expected);
  }

  @Test
  void writesIntoACallersBufferAtItsPositionInAnyByteOrder() {
    ByteBuffer target = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    target.put((byte) 0x99);

    int written = new Encoder().encode(List.of(uint(256)), target);

    assertThat(written).isEqualTo(8);
    assertThat(Arrays.copyOf(target.array(), target.position()))
        .isEqualTo(hex("99 c0 06 01 70 00 00 01 00"));
  }

  @Test
  void decodedStringsAndMapsKeepEveryCharacterAndTheKeyOrder() {
    Map<Object, Object> map = new LinkedHashMap<>();
    for (int i = 20; i > 0; i--) map.put("key-" + i, i);
    byte[] encoded = new Encoder().encode(map);

    @SuppressWarnings("unchecked")
    Map<Object, Object> decoded = (Map<Object, Object>) decode(encoded);

    assertThat(new ArrayList<>(decoded.keySet())).containsExactlyElementsOf(map.keySet());
  }

  @Test
  void theOpenPerformativeFromTheSpecificationDecodesAsAnUnknownDescribedValue() {
    // open(container-id "c1", hostname "h", max-frame-size 512), descriptor 0x00000000:0x00000010
    byte[] open = hex("00 53 10 c0 0d 03 a1 02 63 31 a1 01 68 70 00 00 02 00");

    Object value = decode(open);

    assertThat(value).isEqualTo(DescribedValue.of(ulong(0x10), List.of("c1", "h", uint(512))));
    assertThat(new Encoder().encode(value)).isEqualTo(open);
  }
}
