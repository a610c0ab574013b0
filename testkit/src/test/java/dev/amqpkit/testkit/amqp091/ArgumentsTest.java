package dev.amqpkit.testkit.amqp091;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class ArgumentsTest {

  private static ArgumentReader reader(Arguments arguments) {
    return new ArgumentReader(arguments.toByteArray());
  }

  @Test
  void packsConsecutiveBitsIntoOctetsLowestBitFirst() throws Exception {
    Arguments args = Arguments.create().bit(true).bit(false).bit(true).shortUint(7).bit(true);

    assertThat(args.toByteArray()).containsExactly(0b101, 0, 7, 1);
    ArgumentReader reader = reader(args);
    assertThat(List.of(reader.bit(), reader.bit(), reader.bit()))
        .containsExactly(true, false, true);
    assertThat(reader.shortUint()).isEqualTo(7);
    assertThat(reader.bit()).isTrue();
    assertThat(reader.remaining()).isZero();
  }

  @Test
  void aNinthBitStartsANewOctet() {
    Arguments args = Arguments.create();
    for (int i = 0; i < 9; i++) args.bit(true);

    assertThat(args.toByteArray()).containsExactly(0xFF - 256, 1);
  }

  @Test
  void readsEveryScalarTypeBack() throws Exception {
    Instant now = Instant.ofEpochSecond(1_700_000_000L);
    ArgumentReader reader =
        reader(
            Arguments.create()
                .octet(250)
                .shortUint(65535)
                .longUint(4_000_000_000L)
                .longLong(-5)
                .shortString("héllo")
                .longString("wörld")
                .timestamp(now));

    assertThat(reader.octet()).isEqualTo(250);
    assertThat(reader.shortUint()).isEqualTo(65535);
    assertThat(reader.longUint()).isEqualTo(4_000_000_000L);
    assertThat(reader.longLong()).isEqualTo(-5);
    assertThat(reader.shortString()).isEqualTo("héllo");
    assertThat(reader.longStringUtf8()).isEqualTo("wörld");
    assertThat(reader.timestamp()).isEqualTo(now);
  }

  @Test
  void decodesEveryFieldTableTypeTag() throws Exception {
    Map<String, Object> table = new LinkedHashMap<>();
    table.put("bool", true);
    table.put("byte", (byte) -3);
    table.put("short", (short) -300);
    table.put("int", -70_000);
    table.put("long", Long.MIN_VALUE);
    table.put("float", 1.5f);
    table.put("double", -2.25d);
    table.put("decimal", new BigDecimal("-12.345"));
    table.put("string", "text");
    table.put("bytes", new byte[] {0, 1, 2});
    table.put("time", Instant.ofEpochSecond(42));
    table.put("array", List.of(1, "two", List.of()));
    table.put("table", Map.of("inner", 1));
    table.put("void", null);

    Map<String, Object> read = reader(Arguments.create().table(table)).table();

    assertThat(read).usingRecursiveComparison().isEqualTo(table);
    assertThat(read.keySet()).containsExactlyElementsOf(table.keySet());
  }

  @Test
  void decodesTheUnsignedAndSpecificationOnlyTags() throws Exception {
    byte[] entries = {
      1,
      'a',
      'B',
      (byte) 200,
      1,
      'b',
      'u',
      (byte) 0xFF,
      (byte) 0xFF,
      1,
      'c',
      'i',
      (byte) 0xFF,
      (byte) 0xFF,
      (byte) 0xFF,
      (byte) 0xFF,
      1,
      'd',
      'U',
      (byte) 0xFF,
      (byte) 0xFE,
      1,
      'e',
      'L',
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      9
    };
    Arguments args = Arguments.create().longUint(entries.length).raw(entries);

    Map<String, Object> read = reader(args).table();

    assertThat(read)
        .containsEntry("a", (short) 200)
        .containsEntry("b", 65535)
        .containsEntry("c", 4_294_967_295L)
        .containsEntry("d", (short) -2)
        .containsEntry("e", 9L);
  }

  @Test
  void rejectsAnUnknownTypeTag() {
    byte[] entry = {1, 'k', 'Z', 0};
    Arguments args = Arguments.create().longUint(entry.length).raw(entry);

    assertThatThrownBy(() -> reader(args).table())
        .isInstanceOf(FrameFormatException.class)
        .hasMessageContaining("unknown field-table type tag 0x5A");
  }

  @Test
  void rejectsALengthLargerThanWhatIsLeft() {
    Arguments args = Arguments.create().longUint(1_000_000).raw(new byte[] {1, 2});

    assertThatThrownBy(() -> reader(args).longString())
        .isInstanceOf(FrameFormatException.class)
        .hasMessageContaining("needs 1000000 bytes but 2 are left");
  }

  @Test
  void rejectsTablesNestedTooDeep() {
    Map<String, Object> table = Map.of();
    for (int i = 0; i < ArgumentReader.MAX_TABLE_DEPTH; i++) table = Map.of("n", table);
    Arguments args = Arguments.create().table(table);

    assertThatThrownBy(() -> reader(args).table())
        .isInstanceOf(FrameFormatException.class)
        .hasMessageContaining("nested deeper than " + ArgumentReader.MAX_TABLE_DEPTH);
  }

  @Test
  void acceptsTablesNestedToTheLimit() throws Exception {
    Map<String, Object> table = Map.of();
    for (int i = 1; i < ArgumentReader.MAX_TABLE_DEPTH; i++) table = Map.of("n", table);

    assertThat(reader(Arguments.create().table(table)).table()).isEqualTo(table);
  }

  @Test
  void rejectsInvalidUtf8InAShortString() {
    Arguments args = Arguments.create().raw(new byte[] {2, (byte) 0xC3, (byte) 0x28});

    assertThatThrownBy(() -> reader(args).shortString())
        .isInstanceOf(FrameFormatException.class)
        .hasMessageContaining("not valid UTF-8");
  }

  @Test
  void refusesToEncodeAShortStringOver255Bytes() {
    assertThatThrownBy(() -> Arguments.create().shortString("x".repeat(256)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("256 bytes");
  }

  @Property(tries = 300)
  void fieldTablesRoundTrip(@ForAll("tables") Map<String, Object> table) throws Exception {
    Map<String, Object> read = reader(Arguments.create().table(table)).table();

    assertThat(read).usingRecursiveComparison().isEqualTo(table);
  }

  @Provide
  Arbitrary<Map<String, Object>> tables() {
    return Arbitraries.lazyOf(() -> tableOf(3));
  }

  private static Arbitrary<Map<String, Object>> tableOf(int depth) {
    Arbitrary<String> keys = Arbitraries.strings().ofMinLength(0).ofMaxLength(20);
    return Arbitraries.maps(keys, value(depth)).ofMaxSize(5).map(LinkedHashMap::new);
  }

  private static Arbitrary<Object> value(int depth) {
    List<Arbitrary<?>> scalars =
        new ArrayList<>(
            Arrays.asList(
                Arbitraries.of(true, false),
                Arbitraries.bytes(),
                Arbitraries.shorts(),
                Arbitraries.integers(),
                Arbitraries.longs(),
                Arbitraries.floats(),
                Arbitraries.doubles(),
                Arbitraries.integers()
                    .flatMap(
                        unscaled ->
                            Arbitraries.integers()
                                .between(0, 255)
                                .map(scale -> BigDecimal.valueOf(unscaled, scale))),
                Arbitraries.strings().ofMaxLength(40),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(16),
                Arbitraries.longs()
                    .between(-10_000_000_000L, 10_000_000_000L)
                    .map(Instant::ofEpochSecond),
                Arbitraries.just(null)));
    if (depth > 0) {
      scalars.add(tableOf(depth - 1));
      scalars.add(value(depth - 1).list().ofMaxSize(4));
    }
    @SuppressWarnings("unchecked")
    Arbitrary<Object>[] choices = scalars.toArray(new Arbitrary[0]);
    return Arbitraries.oneOf(Arrays.asList(choices));
  }
}
