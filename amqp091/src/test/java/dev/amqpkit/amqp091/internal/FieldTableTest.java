package dev.amqpkit.amqp091.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.amqp091.UnsignedByte;
import dev.amqpkit.amqp091.UnsignedInt;
import dev.amqpkit.amqp091.UnsignedShort;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class FieldTableTest {

  private static Map<String, Object> roundTrip(Map<String, ?> table)
      throws MalformedFrameException {
    Encoder e = new Encoder(16);
    e.table(table);
    Decoder d = new Decoder(e.array(), 0, e.position());
    Map<String, Object> read = d.table();
    assertThat(d.remaining()).as("bytes left after the table").isZero();
    return read;
  }

  /** A table whose entries are written by hand: the length prefix followed by {@code entries}. */
  private static Decoder tableBytes(Encoder entries) {
    Encoder e = new Encoder(16);
    e.longInt(entries.position()).bytes(entries.array(), 0, entries.position());
    return new Decoder(e.array(), 0, e.position());
  }

  /**
   * Compares recursively (byte arrays by content) with floats and doubles compared exactly, not
   * with AssertJ's default tolerance; then checks key order.
   */
  private static void assertSameTable(Map<String, Object> actual, Map<String, ?> expected) {
    assertThat(actual)
        .usingRecursiveComparison()
        .withEqualsForType(Float::equals, Float.class)
        .withEqualsForType(Double::equals, Double.class)
        .isEqualTo(expected);
    assertSameKeyOrder(actual, expected);
  }

  /** Checks that every map, at every depth, keeps the key order of the expected one. */
  private static void assertSameKeyOrder(Object actual, Object expected) {
    if (expected instanceof Map<?, ?> expectedMap) {
      assertThat(actual).isInstanceOf(Map.class);
      Map<?, ?> actualMap = (Map<?, ?>) actual;
      assertThat(new ArrayList<Object>(actualMap.keySet()))
          .containsExactlyElementsOf(new ArrayList<Object>(expectedMap.keySet()));
      for (Map.Entry<?, ?> entry : expectedMap.entrySet()) {
        assertSameKeyOrder(actualMap.get(entry.getKey()), entry.getValue());
      }
    } else if (expected instanceof List<?> expectedList) {
      assertThat(actual).isInstanceOf(List.class);
      List<?> actualList = (List<?>) actual;
      assertThat(actualList).hasSameSizeAs(expectedList);
      for (int i = 0; i < expectedList.size(); i++) {
        assertSameKeyOrder(actualList.get(i), expectedList.get(i));
      }
    }
  }

  @Test
  void roundTripsEverySupportedValueTypeInKeyOrder() throws Exception {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("z", 1);
    nested.put("a", "inner");
    Map<String, Object> table = new LinkedHashMap<>();
    table.put("zBoolean", true);
    table.put("byte", (byte) -3);
    table.put("short", (short) -300);
    table.put("int", Integer.MIN_VALUE);
    table.put("long", Long.MAX_VALUE);
    table.put("float", -1.5f);
    table.put("double", Double.MIN_VALUE);
    table.put("decimal", new BigDecimal("-12.345"));
    table.put("decimalMaxScale", new BigDecimal(BigInteger.valueOf(Integer.MAX_VALUE), 255));
    table.put("string", "grüße 🐇");
    table.put("bytes", new byte[] {0, -1, 127});
    table.put("instant", Instant.ofEpochSecond(1_700_000_000L));
    table.put("list", Arrays.asList(1, "two", null, List.of(), new byte[] {9}));
    table.put("map", nested);
    table.put("null", null);
    table.put("", "empty key");

    Map<String, Object> read = roundTrip(table);

    assertSameTable(read, table);
    assertThat(read.get("byte")).isInstanceOf(Byte.class);
    assertThat(read.get("short")).isInstanceOf(Short.class);
    assertThat(read.get("float")).isInstanceOf(Float.class);
  }

  @Test
  void encodesAnEmptyAndANullTableAsAZeroLength() throws Exception {
    Encoder e = new Encoder(16);
    e.table(Map.of()).table(null);

    assertThat(e.toByteArray()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0);
    assertThat(roundTrip(null)).isEmpty();
  }

  @Property(tries = 300)
  void everyGeneratedTableRoundTrips(@ForAll("tables") Map<String, Object> table) throws Exception {
    Map<String, Object> read = roundTrip(table);

    assertSameTable(read, table);
  }

  @Provide
  Arbitrary<Map<String, Object>> tables() {
    return table(3);
  }

  private static Arbitrary<Map<String, Object>> table(int depth) {
    Arbitrary<String> keys =
        Arbitraries.strings()
            .withCharRange(' ', '~')
            .withCharRange('\u00a0', '\u07ff')
            .ofMaxLength(20);
    return Arbitraries.entries(keys, value(depth))
        .list()
        .uniqueElements(Map.Entry::getKey)
        .ofMaxSize(6)
        .map(
            entries -> {
              Map<String, Object> map = new LinkedHashMap<>();
              for (Map.Entry<String, Object> entry : entries) {
                map.put(entry.getKey(), entry.getValue());
              }
              return map;
            });
  }

  private static Arbitrary<Object> value(int depth) {
    List<Arbitrary<?>> choices = new ArrayList<>();
    choices.add(Arbitraries.of(true, false));
    choices.add(Arbitraries.bytes());
    choices.add(Arbitraries.shorts());
    choices.add(Arbitraries.integers());
    choices.add(Arbitraries.longs());
    choices.add(Arbitraries.integers().between(0, 0xFF).map(UnsignedByte::new));
    choices.add(Arbitraries.integers().between(0, 0xFFFF).map(UnsignedShort::new));
    choices.add(Arbitraries.longs().between(0, 0xFFFF_FFFFL).map(UnsignedInt::new));
    choices.add(Arbitraries.integers().map(Float::intBitsToFloat));
    choices.add(Arbitraries.longs().map(Double::longBitsToDouble));
    choices.add(
        Combinators.combine(Arbitraries.integers(), Arbitraries.integers().between(0, 255))
            .as((unscaled, scale) -> new BigDecimal(BigInteger.valueOf(unscaled), scale)));
    choices.add(Arbitraries.strings().withCharRange('\u0000', '\ud7ff').ofMaxLength(30));
    choices.add(Arbitraries.bytes().array(byte[].class).ofMaxSize(20));
    choices.add(
        Arbitraries.longs()
            .between(-62_135_596_800L, 253_402_300_799L)
            .map(Instant::ofEpochSecond));
    if (depth > 0) {
      choices.add(table(depth - 1));
      choices.add(Arbitraries.lazy(() -> value(depth - 1)).list().ofMaxSize(4));
    }
    @SuppressWarnings({"unchecked", "rawtypes"})
    Arbitrary<Object> any = Arbitraries.oneOf((List) choices);
    return any.injectNull(0.05);
  }

  @Test
  void decodesTheUnsignedAndSpecificationOnlyTagsToTheirJavaTypes() throws Exception {
    // U and L are the specification's, which RabbitMQ does not accept: read, then sent as s and l.
    Encoder entries = new Encoder(64);
    entries.shortString("B").octet('B').octet(0xFF);
    entries.shortString("u").octet('u').shortUint(0xFFFF);
    entries.shortString("i").octet('i').longInt(0xFFFF_FFFF);
    entries.shortString("U").octet('U').shortUint(0xFFFE);
    entries.shortString("L").octet('L').longLong(-2);

    Map<String, Object> read = tableBytes(entries).table();

    assertThat(read.keySet()).containsExactly("B", "u", "i", "U", "L");
    assertThat(read.get("B")).isEqualTo(new UnsignedByte(255));
    assertThat(read.get("u")).isEqualTo(new UnsignedShort(65535));
    assertThat(read.get("i")).isEqualTo(new UnsignedInt(4_294_967_295L));
    assertThat(read.get("U")).isInstanceOf(Short.class).isEqualTo((short) -2);
    assertThat(read.get("L")).isInstanceOf(Long.class).isEqualTo(-2L);
  }

  @Test
  void unsignedValuesKeepTheirTagsThroughARoundTrip() throws Exception {
    Encoder entries = new Encoder(64);
    entries.shortString("B").octet('B').octet(0x80);
    entries.shortString("u").octet('u').shortUint(0x8000);
    entries.shortString("i").octet('i').longInt(0x8000_0000);
    byte[] original = Arrays.copyOf(entries.array(), entries.position());

    Map<String, Object> read = tableBytes(entries).table();
    Encoder again = new Encoder(64);
    again.table(read);

    // The table's 4-byte length, then exactly the original entries.
    assertThat(Arrays.copyOfRange(again.array(), 4, again.position())).isEqualTo(original);
  }

  @Test
  void unsignedValuesOutsideTheirRangeAreRefused() {
    assertThatThrownBy(() -> new UnsignedByte(256)).hasMessageContaining("0..255: 256");
    assertThatThrownBy(() -> new UnsignedShort(-1)).hasMessageContaining("0..65535: -1");
    assertThatThrownBy(() -> new UnsignedInt(1L << 32)).hasMessageContaining("4294967295");
  }

  private static void assertSyntaxError(ThrowingDecode decode, String messagePart) {
    assertThatThrownBy(decode::run)
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining(messagePart)
        .extracting(t -> ((MalformedFrameException) t).replyCode())
        .isEqualTo(MalformedFrameException.SYNTAX_ERROR);
  }

  @FunctionalInterface
  private interface ThrowingDecode {
    void run() throws Exception;
  }

  @Test
  void anUnknownTypeTagIsASyntaxError() {
    Encoder entries = new Encoder(16);
    entries.shortString("k").octet('Z').octet(0);

    assertSyntaxError(() -> tableBytes(entries).table(), "0x5A");
  }

  @Test
  void aTableLengthLargerThanWhatIsLeftIsASyntaxError() {
    Encoder e = new Encoder(16);
    e.longInt(100).octet(1).octet('k').octet('V');

    assertSyntaxError(() -> new Decoder(e.array(), 0, e.position()).table(), "needs 100 bytes");
  }

  @Test
  void aTableLengthOfFourGibibytesIsASyntaxErrorWithoutAllocating() {
    Encoder e = new Encoder(16);
    e.longInt(0xFFFF_FFFF);

    assertSyntaxError(
        () -> new Decoder(e.array(), 0, e.position()).table(), "needs 4294967295 bytes");
  }

  @Test
  void aLongStringLongerThanItsTableIsASyntaxErrorEvenIfTheFrameHasTheBytes() {
    Encoder entries = new Encoder(16);
    entries.shortString("k").octet('S').longInt(3);
    Encoder e = new Encoder(16);
    e.longInt(entries.position()).bytes(entries.array(), 0, entries.position());
    e.bytes(new byte[] {'a', 'b', 'c'}, 0, 3); // after the table's end, inside the frame

    assertSyntaxError(() -> new Decoder(e.array(), 0, e.position()).table(), "needs 3 bytes");
  }

  @Test
  void aTruncatedValueIsASyntaxError() {
    Encoder entries = new Encoder(16);
    entries.shortString("k").octet('l').longInt(1); // a long-long needs 8 bytes, 4 are there

    assertSyntaxError(() -> tableBytes(entries).table(), "needs");
  }

  private static Map<String, Object> tablesNested(int tables) {
    Map<String, Object> table = Map.of("leaf", 1);
    for (int i = 1; i < tables; i++) table = Map.of("n", table);
    return table;
  }

  private static Map<String, Object> listsNestedInATable(int lists) {
    Object value = 1;
    for (int i = 0; i < lists; i++) value = List.of(value);
    return Map.of("a", value);
  }

  @Test
  void tablesNestedExactlyToTheLimitDecode() throws Exception {
    Map<String, Object> table = tablesNested(Decoder.MAX_TABLE_DEPTH);

    assertThat(roundTrip(table)).isEqualTo(table);
  }

  @Test
  void tablesNestedOneDeeperThanTheLimitAreASyntaxError() {
    Encoder e = new Encoder(16);
    e.table(tablesNested(Decoder.MAX_TABLE_DEPTH + 1));

    assertSyntaxError(
        () -> new Decoder(e.array(), 0, e.position()).table(),
        "nested deeper than " + Decoder.MAX_TABLE_DEPTH);
  }

  @Test
  void arraysCountTowardsTheNestingLimit() throws Exception {
    Map<String, Object> atLimit = listsNestedInATable(Decoder.MAX_TABLE_DEPTH - 1);
    assertThat(roundTrip(atLimit)).isEqualTo(atLimit);

    Encoder e = new Encoder(16);
    e.table(listsNestedInATable(Decoder.MAX_TABLE_DEPTH));
    assertSyntaxError(
        () -> new Decoder(e.array(), 0, e.position()).table(),
        "nested deeper than " + Decoder.MAX_TABLE_DEPTH);
  }

  @Test
  void invalidUtf8InAShortStringIsASyntaxError() {
    byte[] bytes = {2, (byte) 0xC3, (byte) 0x28};

    assertSyntaxError(() -> new Decoder(bytes, 0, bytes.length).shortString(), "UTF-8");
  }

  @Test
  void invalidUtf8InATableKeyIsASyntaxError() {
    Encoder entries = new Encoder(16);
    entries.octet(2).octet(0xC3).octet(0x28).octet('V');

    assertSyntaxError(() -> tableBytes(entries).table(), "UTF-8");
  }

  @Test
  void aShortStringOfExactly255BytesIsAcceptedAnd256IsRejected() throws Exception {
    String twoByteChars = "é".repeat(127) + "a"; // 255 bytes of UTF-8
    Encoder e = new Encoder(16);
    e.shortString(twoByteChars);
    assertThat(new Decoder(e.array(), 0, e.position()).shortString()).isEqualTo(twoByteChars);

    assertThatThrownBy(() -> new Encoder(16).shortString("é".repeat(128)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("256 bytes");
    assertThatThrownBy(() -> new Encoder(16).shortString("x".repeat(256)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("256 bytes");
  }

  @Test
  void aTableKeyOver255BytesIsRejectedNamingTheKey() {
    String key = "x-the-overlong-key-" + "k".repeat(300);

    assertThatThrownBy(() -> new Encoder(16).table(Map.of(key, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("over 255")
        .hasMessageContaining("x-the-overlong-key-");
  }

  @Test
  void anUnsupportedValueTypeIsRejectedNamingTheKeyAndTheType() {
    assertThatThrownBy(() -> new Encoder(16).table(Map.of("x-weird", new StringBuilder("sb"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x-weird")
        .hasMessageContaining("java.lang.StringBuilder");
  }

  @Test
  void anUnsupportedValueInsideAListIsRejectedNamingTheKey() {
    Map<String, Object> table = Map.of("x-list", List.of(1, new Object()));

    assertThatThrownBy(() -> new Encoder(16).table(table))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x-list")
        .hasMessageContaining("java.lang.Object");
  }

  @Test
  void aDecimalThatDoesNotFitIsRejectedNamingTheKey() {
    assertThatThrownBy(
            () -> new Encoder(16).table(Map.of("x-big", new BigDecimal("12345678901234567890"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x-big");
    assertThatThrownBy(() -> new Encoder(16).table(Map.of("x-neg", new BigDecimal("1E+3"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x-neg");
  }

  @Test
  void aLongStringThatIsNotUtf8KeepsItsBytes() throws Exception {
    byte[] notUtf8 = {(byte) 0xC3, 0x28, (byte) 0xFF, 0x00};
    Encoder entries = new Encoder(16);
    entries.shortString("raw").octet('S').longString(notUtf8);
    entries.shortString("text").octet('S').longString("héllo");

    Map<String, Object> read = tableBytes(entries).table();

    assertThat(read.get("raw")).isInstanceOf(byte[].class);
    assertThat((byte[]) read.get("raw")).containsExactly(notUtf8);
    assertThat(read).containsEntry("text", "héllo");
    // And it survives a second trip: re-encoded (as x) and decoded, the bytes are the same.
    assertThat((byte[]) roundTrip(read).get("raw")).containsExactly(notUtf8);
  }
}
