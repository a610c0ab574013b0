package dev.amqpkit.amqp10.internal.codec;

import static dev.amqpkit.amqp10.internal.codec.GoldenBytesTest.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.amqp10.types.AmqpArray;
import dev.amqpkit.amqp10.types.AmqpType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each decoder limit and each kind of malformed input yields a {@link DecodeException}. */
@Timeout(30)
class BadInputTest {

  /** Decodes {@code bytes}, expecting a DecodeException; checks that nothing was consumed. */
  private static AbstractThrowableAssert<?, ? extends Throwable> rejects(byte[] bytes) {
    return rejects(new Decoder(), bytes);
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> rejects(
      Decoder decoder, byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    AbstractThrowableAssert<?, ? extends Throwable> thrown =
        assertThatThrownBy(() -> decoder.decode(buffer)).isInstanceOf(DecodeException.class);
    assertThat(buffer.position()).as("position after a failed decode").isZero();
    return thrown;
  }

  private static DecodeException decodeException(byte[] bytes) {
    try {
      new Decoder().decode(ByteBuffer.wrap(bytes));
    } catch (DecodeException e) {
      return e;
    }
    throw new AssertionError("decoded without error");
  }

  @Test
  void emptyInput() {
    rejects(new byte[0])
        .hasMessageContaining("truncated: a constructor needs 1 byte but only 0 remain");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "56",
        "50",
        "60 01",
        "70 00 00 01",
        "52",
        "80 00",
        "53",
        "51",
        "61 00",
        "71 00 00",
        "54",
        "81 00 00 00 00 00 00",
        "55",
        "72 00",
        "82 00",
        "74",
        "84 00",
        "94 00 00 00 00 00 00 00 00",
        "73 00 00 00",
        "83 00",
        "98 00 00",
        "a0",
        "a0 02 00",
        "b0 00 00 00",
        "b0 00 00 00 01",
        "a1 05 61",
        "b1 00 00",
        "a3 01",
        "b3 00 00 00 02 61",
        "c0",
        "c0 01",
        "c0 02 01",
        "d0 00 00 00 04 00 00 00",
        "c1 03 02 41",
        "d1 00 00",
        "e0 02 01",
        "f0 00 00 00 05",
        "00",
        "00 53",
        "00 53 10",
        "00 a3 02 61",
        "c0 03 01 a1 05"
      })
  void truncatedInputOfEveryEncoding(String bytes) {
    rejects(hex(bytes)).hasMessageContaining("(at offset ");
  }

  @Test
  void truncationSaysWhatAndWhere() {
    DecodeException e = decodeException(hex("c0 06 01 70 00 00"));

    assertThat(e).hasMessageContaining("list8 size 6 runs past the end: only 4 bytes remain");
    assertThat(e.offset()).isZero();

    DecodeException inner = decodeException(hex("c0 04 01 70 00 00"));
    assertThat(inner).hasMessageContaining("truncated: uint value needs 4 bytes but only 2 remain");
    assertThat(inner.offset()).isEqualTo(4);
  }

  @Test
  void sizeBeyondTheBytesRemaining() {
    rejects(hex("b0 ff ff ff ff 00"))
        .hasMessageContaining("vbin32 length 4294967295 runs past the end");
    rejects(hex("b1 7f ff ff ff 61"))
        .hasMessageContaining("str32 length 2147483647 runs past the end");
    rejects(hex("b3 80 00 00 00"))
        .hasMessageContaining("sym32 length 2147483648 runs past the end");
    rejects(hex("d0 ff ff ff ff 00 00 00 00"))
        .hasMessageContaining("list32 size 4294967295 runs past the end");
    rejects(hex("d1 7f ff ff ff 00 00 00 00")).hasMessageContaining("map32 size 2147483647");
    rejects(hex("f0 00 10 00 00 00 00 00 01 40")).hasMessageContaining("array32 size 1048576");
    // A size that fits the input but not the enclosing list.
    rejects(hex("c0 03 01 a1 05 61 62 63 64 65")).hasMessageContaining("str8 data needs 5 bytes");
  }

  @Test
  void countsThatLie() {
    rejects(hex("c0 02 05 40"))
        .hasMessageContaining("list8 count 5 needs at least 5 bytes but its size leaves 1");
    rejects(hex("d0 00 00 00 05 ff ff ff ff 40"))
        .hasMessageContaining("list32 count 4294967295 needs at least 4294967295 bytes");
    rejects(hex("c1 03 04 40 40")).hasMessageContaining("map8 count 4");
    rejects(hex("e0 05 05 70 00 00 00"))
        .hasMessageContaining(
            "array8 count 5 of uint elements needs at least 20 bytes but its size leaves 3");
    rejects(hex("f0 00 00 00 06 7f ff ff f0 a1 00"))
        .hasMessageContaining(
            "array32 count 2147483632 of str8 elements needs at least 2147483632 bytes");
    // Fewer elements than the size says: the bytes left over are an error, not ignored.
    rejects(hex("c0 03 01 40 40"))
        .hasMessageContaining("list8 size leaves 1 bytes unused after its 1 elements");
    rejects(hex("e0 04 01 52 01 00")).hasMessageContaining("array8 size leaves 1 bytes unused");
    // A size too small to hold the count field.
    rejects(hex("c0 00")).hasMessageContaining("list8 size 0 leaves no room for its 1-byte count");
    rejects(hex("d0 00 00 00 03 00 00 00")).hasMessageContaining("list32 size 3 leaves no room");
  }

  @Test
  void zeroWidthArrayElementsAreBudgeted() {
    // 2^32 - 1 nulls in ten bytes.
    rejects(hex("f0 00 00 00 05 ff ff ff ff 40"))
        .hasMessageContaining("count 4294967295 is too large");
    rejects(hex("f0 00 00 00 05 00 01 00 01 40"))
        .hasMessageContaining("array32 of 65537 null elements goes over the limit of 65536");

    // Many arrays each under the limit add up over it within one value.
    ByteArrayOutputStream list = new ByteArrayOutputStream();
    int arrays = 40;
    byte[] array = hex("f0 00 00 00 05 00 00 10 00 43"); // 4096 uint0 elements
    list.writeBytes(hex("d0"));
    list.writeBytes(
        ByteBuffer.allocate(8).putInt(4 + arrays * array.length).putInt(arrays).array());
    for (int i = 0; i < arrays; i++) list.writeBytes(array);
    rejects(list.toByteArray()).hasMessageContaining("goes over the limit of 65536");

    // Under the limit it decodes, cheaply.
    Object sixteen = new Decoder().decode(ByteBuffer.wrap(hex("e0 02 10 45")));
    assertThat(sixteen).isEqualTo(AmqpArray.of(AmqpType.LIST, Collections.nCopies(16, List.of())));
  }

  @Test
  void nestedDescriptorsOnArrayElementsAreBudgetedToo() {
    // One ubyte element per input byte, but every element wrapped in 40 described values.
    int descriptors = 40;
    int count = 2000;
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    for (int i = 0; i < descriptors; i++) payload.writeBytes(hex("00 53 01"));
    payload.write(0x50);
    payload.writeBytes(new byte[count]);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(0xf0);
    bytes.writeBytes(ByteBuffer.allocate(8).putInt(4 + payload.size()).putInt(count).array());
    bytes.writeBytes(payload.toByteArray());

    rejects(new Decoder(DescribedTypeRegistry.EMPTY, 100), bytes.toByteArray())
        .hasMessageContaining("under 40 descriptors goes over the limit");
  }

  @Test
  void depthBombs() {
    // 100 000 nested list8 headers: refused at depth 65, long before the stack runs out.
    byte[] lists = new byte[300_000];
    for (int i = 0; i < lists.length; i += 3) {
      lists[i] = (byte) 0xc0;
      lists[i + 1] = (byte) 0xff;
      lists[i + 2] = 1;
    }
    rejects(Arrays.copyOf(lists, 260))
        .hasMessageContaining("list8 size 255 runs past the end"); // sizes are checked first
    byte[] lists32 = nested("d0", 100_000);
    rejects(lists32)
        .hasMessageContaining("a list32 nests 65 levels deep, more than the limit of 64");

    byte[] described = new byte[200_000];
    for (int i = 0; i < described.length; i += 2) {
      described[i] = 0x00;
      described[i + 1] = 0x44;
    }
    rejects(described).hasMessageContaining("a described value nests 65 levels deep");

    rejects(nestedArrays(10_000)).hasMessageContaining("an array32 nests 65 levels deep");
    rejects(new Decoder(DescribedTypeRegistry.EMPTY, 3), nested("d0", 4))
        .hasMessageContaining("nests 4 levels deep, more than the limit of 3");
  }

  /** {@code levels} 32-bit lists or maps each holding the next, with sizes that add up. */
  private static byte[] nested(String code, int levels) {
    ByteBuffer b = ByteBuffer.allocate(levels * 9 + 1);
    for (int i = 0; i < levels; i++) {
      int remaining = (levels - i - 1) * 9 + 1;
      b.put((byte) Integer.parseInt(code, 16)).putInt(4 + remaining).putInt(1);
    }
    return b.put((byte) 0x40).array();
  }

  /**
   * {@code levels} array32s each holding the next as its one element; the innermost holds a null.
   * An element carries no constructor, so each level below the first is size, count and the element
   * constructor.
   */
  private static byte[] nestedArrays(int levels) {
    ByteBuffer b = ByteBuffer.allocate(1 + levels * 9);
    b.put((byte) 0xf0);
    for (int i = 0; i < levels; i++) {
      int below = (levels - i - 1) * 9;
      b.putInt(4 + 1 + below).putInt(1).put((byte) (i == levels - 1 ? 0x40 : 0xf0));
    }
    return b.array();
  }

  @Test
  void withinTheDepthLimitNestingDecodes() {
    Object value = null;
    for (int i = 0; i < 64; i++) value = List.of(value == null ? 1 : value);
    byte[] bytes = new Encoder().encode(value);

    assertThat(new Decoder().decode(ByteBuffer.wrap(bytes))).isEqualTo(value);

    Object tooDeep = List.of(value);
    assertThatThrownBy(() -> new Encoder().encode(tooDeep))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("deeper than 64");
  }

  @Test
  void theDeepestAllowedNestingFitsADefaultThreadStack() throws Exception {
    int depth = Decoder.DEPTH_CEILING;
    Object value = List.of();
    for (int i = 1; i < depth; i++) value = i % 2 == 0 ? List.of(value) : Map.of("k", value);
    Object deepest = value;
    Object[] decoded = new Object[1];
    Throwable[] failure = new Throwable[1];
    Thread thread =
        new Thread(
            () -> {
              try {
                DescribedTypeRegistry none = DescribedTypeRegistry.EMPTY;
                byte[] bytes = new Encoder(none, depth).encode(deepest);
                decoded[0] = new Decoder(none, depth).decode(ByteBuffer.wrap(bytes));
              } catch (Throwable t) {
                failure[0] = t;
              }
            });
    thread.start();
    thread.join();

    assertThat(failure[0]).isNull();
    assertThat(decoded[0]).isEqualTo(deepest);
    assertThatThrownBy(() -> new Decoder(DescribedTypeRegistry.EMPTY, depth + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1001");
  }

  @Test
  void oddMapCount() {
    rejects(hex("c1 04 03 40 40 40")).hasMessageContaining("map8 count 3 is odd");
    rejects(hex("d1 00 00 00 05 00 00 00 01 40")).hasMessageContaining("map32 count 1 is odd");
  }

  @Test
  void duplicateMapKeys() {
    rejects(hex("c1 09 04 a1 01 6b 41 a1 01 6b 42"))
        .hasMessageContaining("map8 has the key k twice");
  }

  @Test
  void invalidUtf8() {
    rejects(hex("a1 01 ff")).hasMessageContaining("str8 at offset 0 is not valid UTF-8: byte 0xff");
    rejects(hex("a1 02 c3 28")).hasMessageContaining("not valid UTF-8");
    rejects(hex("a1 01 c3")).hasMessageContaining("not valid UTF-8"); // truncated sequence
    rejects(hex("a1 02 c0 80")).hasMessageContaining("not valid UTF-8"); // overlong NUL
    rejects(hex("a1 03 ed a0 80")).hasMessageContaining("not valid UTF-8"); // a surrogate
    rejects(hex("a1 04 f4 90 80 80")).hasMessageContaining("not valid UTF-8"); // above U+10FFFF
    rejects(hex("b1 00 00 00 03 61 62 fe")).hasMessageContaining("str32 at offset 0");
    DecodeException e = decodeException(hex("c0 06 01 a1 03 61 62 fe"));
    assertThat(e.offset()).isEqualTo(7);
  }

  @Test
  void nonAsciiSymbol() {
    rejects(hex("a3 03 61 c3 a9"))
        .hasMessageContaining("a symbol is ASCII, but byte 1 of the sym8 at offset 0 is 0xc3");
    rejects(hex("b3 00 00 00 01 80")).hasMessageContaining("sym32");
    rejects(hex("00 a3 01 ff 40")).hasMessageContaining("a symbol is ASCII");
  }

  @Test
  void unknownConstructors() {
    for (int code :
        new int[] {0x01, 0x3f, 0x46, 0x57, 0x62, 0x75, 0x85, 0x90, 0xa2, 0xb2, 0xc2, 0xe1, 0xff}) {
      rejects(new byte[] {(byte) code, 0, 0, 0, 0, 0, 0, 0, 0})
          .hasMessageContaining(String.format("unknown constructor 0x%02x", code));
    }
    rejects(hex("e0 03 01 ff 00")).hasMessageContaining("unknown array element constructor 0xff");
  }

  @Test
  void badDescriptors() {
    rejects(hex("00 a1 01 61 40"))
        .hasMessageContaining(
            "a descriptor is a ulong or a symbol, but this one has constructor str8");
    rejects(hex("00 00 53 01 40 40")).hasMessageContaining("a descriptor is a ulong or a symbol");
    rejects(hex("00 40 40")).hasMessageContaining("constructor null");
  }

  @Test
  void otherInvalidValues() {
    rejects(hex("56 02")).hasMessageContaining("a boolean (0x56) byte is 0x00 or 0x01, not 0x02");
    rejects(hex("73 00 11 00 00"))
        .hasMessageContaining("char 0x110000 is not a Unicode scalar value");
    rejects(hex("73 00 00 d8 00")).hasMessageContaining("char 0xd800");
    rejects(hex("73 ff ff ff ff")).hasMessageContaining("char 0xffffffff");
    rejects(hex("e0 03 01 56 05")).hasMessageContaining("not 0x05");
  }

  @Test
  void aRejectingCodecIsADecodeException() {
    DescribedTypeRegistry registry =
        DescribedTypeRegistry.builder()
            .register(
                DescribedTypeCodec.of(
                    dev.amqpkit.amqp10.types.Symbol.valueOf("test:strict:list"),
                    dev.amqpkit.amqp10.types.UnsignedLong.valueOf(0x99),
                    String.class,
                    value -> {
                      List<?> fields = (List<?>) value; // a ClassCastException if not a list
                      if (fields.isEmpty()) throw new IllegalArgumentException("needs a field");
                      return (String) fields.get(0);
                    },
                    s -> List.of(s)))
            .build();
    Decoder decoder = new Decoder(registry);

    rejects(decoder, hex("00 53 99 45"))
        .hasMessageContaining("described value test:strict:list is malformed: needs a field");
    rejects(decoder, hex("00 53 99 a1 01 61"))
        .hasMessageContaining("test:strict:list is malformed");
    rejects(decoder, hex("00 53 99 c0 02 01 40")).hasMessageContaining("decoded it to null");
  }

  @Test
  void theEncoderRefusesWhatItCannotWrite() {
    Encoder encoder = new Encoder();

    assertThatThrownBy(() -> encoder.encode(new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no AMQP type for a java.lang.Object");
    assertThatThrownBy(() -> encoder.encode(new byte[1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[B");
    assertThatThrownBy(() -> encoder.encode('c'))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.Character");
    assertThatThrownBy(() -> encoder.encode("bad \uD800 surrogate"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unpaired surrogate at index 4");
    assertThatThrownBy(() -> encoder.encode(java.time.Instant.MAX))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside the range of an AMQP timestamp");
    List<Object> loop = new ArrayList<>();
    loop.add(loop);
    assertThatThrownBy(() -> encoder.encode(loop))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("contain itself");
    assertThatThrownBy(() -> encoder.encode(Map.of("k", new Object())))
        .isInstanceOf(IllegalArgumentException.class);

    ByteBuffer small = ByteBuffer.allocate(3);
    assertThatThrownBy(() -> encoder.encode("four", small))
        .isInstanceOf(java.nio.BufferOverflowException.class);
    assertThat(small.position()).as("nothing written").isZero();
  }
}
