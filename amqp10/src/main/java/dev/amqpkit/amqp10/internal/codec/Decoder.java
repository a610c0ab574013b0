package dev.amqpkit.amqp10.internal.codec;

import static dev.amqpkit.amqp10.internal.codec.EncodingCodes.*;

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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Reads AMQP 1.0 values from a {@link ByteBuffer}: every encoding of every type in the
 * specification, described values included, each mapped to the Java type listed in {@code
 * dev.amqpkit.amqp10.types}. Described values whose descriptor is in the {@link
 * DescribedTypeRegistry} become that codec's type; all others become {@link DescribedValue}s.
 *
 * <p>Input is untrusted. Every size and count is checked against the bytes that remain before
 * anything is allocated for it, so memory stays proportional to the input; compound values and
 * described values nest at most {@code maxDepth} levels; and whatever is wrong surfaces as a {@link
 * DecodeException} saying what and where, never as another exception. The checks are strict: the
 * elements of a list, map or array must fill its declared size exactly, map keys must be distinct,
 * a {@code boolean} byte is 0 or 1, a {@code char} is a Unicode scalar value, and a descriptor is a
 * {@code ulong} or a {@code symbol}.
 *
 * <p>Array elements that take no bytes on the wire (arrays of {@code null}, {@code true}, {@code
 * false}, {@code uint0}, {@code ulong0} or {@code list0}), and the extra wrappers of array elements
 * whose constructor has more than one descriptor, are not bounded by the input size; they count
 * against a budget of {@link #MAX_ELEMENTS_WITHOUT_BYTES} per decoded value.
 *
 * <p>Not thread-safe: use one per connection. Reusable, and keeps a small cache of recently decoded
 * symbols.
 */
public final class Decoder {
  /** How deep lists, maps, arrays and described values nest unless a decoder is told otherwise. */
  public static final int DEFAULT_MAX_DEPTH = 64;

  /** The largest {@code maxDepth} a decoder accepts: deeper recursion would risk the stack. */
  public static final int DEPTH_CEILING = 1000;

  /** Array elements per decoded value that may take no bytes of input (see the class comment). */
  public static final int MAX_ELEMENTS_WITHOUT_BYTES = 1 << 16;

  private static final int SYMBOL_CACHE_SIZE = 64;
  private static final int MAX_CACHED_SYMBOL_LENGTH = 64;

  private final DescribedTypeRegistry registry;
  private final int maxDepth;
  private final Symbol[] symbolCache = new Symbol[SYMBOL_CACHE_SIZE];
  private CharsetDecoder utf8;

  private ByteBuffer buffer;
  private boolean swap;
  private int position;
  private int limit;
  private int budget;

  /** A decoder with no registered described types and the default depth limit. */
  public Decoder() {
    this(DescribedTypeRegistry.EMPTY, DEFAULT_MAX_DEPTH);
  }

  /**
   * A decoder that turns the described types in {@code registry} into their Java types.
   *
   * @throws NullPointerException if {@code registry} is null
   */
  public Decoder(DescribedTypeRegistry registry) {
    this(registry, DEFAULT_MAX_DEPTH);
  }

  /**
   * A decoder that turns the described types in {@code registry} into their Java types and refuses
   * values nested deeper than {@code maxDepth}. A top-level list is at depth 1, a list inside it at
   * depth 2; a described value counts as a level, and so does each descriptor of an array's element
   * constructor.
   *
   * @throws NullPointerException if {@code registry} is null
   * @throws IllegalArgumentException if {@code maxDepth} is not between 1 and {@link
   *     #DEPTH_CEILING}
   */
  public Decoder(DescribedTypeRegistry registry, int maxDepth) {
    if (registry == null) throw new NullPointerException("registry == null");
    if (maxDepth < 1 || maxDepth > DEPTH_CEILING) {
      throw new IllegalArgumentException("maxDepth is 1.." + DEPTH_CEILING + ", not " + maxDepth);
    }
    this.registry = registry;
    this.maxDepth = maxDepth;
  }

  /**
   * Decodes the value that starts at {@code buffer}'s position, reading no further than its limit.
   * On success the position moves past the value; on failure it does not move, so input that stops
   * in the middle of a value consumes nothing. Truncated input and malformed input are not told
   * apart: both are a {@link DecodeException}, since the framing layer hands over only whole
   * frames.
   *
   * <p>Offsets in exceptions are indexes into {@code buffer}. Any byte order the buffer is set to
   * is ignored: AMQP is big-endian. The buffer may be direct or heap, read-only or not, and is
   * never modified; decoded values do not share its bytes.
   *
   * @return the value: {@code null}, a {@code Boolean}, a {@code String}, a {@code List}... as
   *     listed in {@code dev.amqpkit.amqp10.types}
   * @throws NullPointerException if {@code buffer} is null
   * @throws DecodeException if the bytes are not one valid value within this decoder's limits
   */
  public Object decode(ByteBuffer buffer) {
    if (buffer == null) throw new NullPointerException("buffer == null");
    this.buffer = buffer;
    this.swap = buffer.order() != ByteOrder.BIG_ENDIAN;
    this.position = buffer.position();
    this.limit = buffer.limit();
    this.budget = MAX_ELEMENTS_WITHOUT_BYTES;
    try {
      Object value = value(0);
      buffer.position(position);
      return value;
    } finally {
      this.buffer = null;
    }
  }

  private Object value(int depth) {
    int at = position;
    int code = u8(CONSTRUCTOR, "", at);
    if (code == DESCRIBED) return described(at, depth);
    return primitive(code, at, depth);
  }

  private Object described(int at, int depth) {
    checkDepth(depth + 1, DESCRIBED, at);
    Object descriptor = descriptor();
    Object value = value(depth + 1);
    return describe(descriptor, value, at);
  }

  private Object descriptor() {
    int at = position;
    int code = u8(CONSTRUCTOR, "descriptor", at);
    return switch (code) {
      case SMALLULONG -> UnsignedLong.fromBits(u8(SMALLULONG, VALUE, at));
      case ULONG -> UnsignedLong.fromBits(i64(ULONG, at));
      case ULONG0 -> UnsignedLong.ZERO;
      case SYM8 -> symbol(u8(SYM8, LENGTH, at), SYM8, at);
      case SYM32 -> symbol(length32(SYM32, at), SYM32, at);
      default ->
          throw new DecodeException(
              "a descriptor is a ulong or a symbol, but this one has constructor "
                  + name(code)
                  + (isPrimitive(code) ? String.format(" (0x%02x)", code) : ""),
              at);
    };
  }

  private Object describe(Object descriptor, Object value, int at) {
    DescribedTypeCodec<?> codec = registry.forDescriptor(descriptor);
    if (codec == null) return DescribedValue.of(descriptor, value);
    Object decoded;
    try {
      decoded = codec.decode(value);
    } catch (RuntimeException e) {
      throw new DecodeException(
          "described value " + codec.name() + " is malformed: " + e.getMessage(), at, e);
    }
    if (decoded == null) {
      throw new DecodeException("the codec for " + codec.name() + " decoded it to null", at);
    }
    return decoded;
  }

  /** The value of a primitive encoding {@code code}, whose constructor was at {@code at}. */
  private Object primitive(int code, int at, int depth) {
    return switch (code) {
      case NULL -> null;
      case TRUE -> Boolean.TRUE;
      case FALSE -> Boolean.FALSE;
      case BOOLEAN -> bool(at);
      case UBYTE -> UnsignedByte.fromBits((byte) u8(UBYTE, VALUE, at));
      case USHORT -> UnsignedShort.fromBits((short) i16(USHORT, at));
      case UINT -> UnsignedInteger.fromBits(i32(UINT, at));
      case SMALLUINT -> UnsignedInteger.fromBits(u8(SMALLUINT, VALUE, at));
      case UINT0 -> UnsignedInteger.ZERO;
      case ULONG -> UnsignedLong.fromBits(i64(ULONG, at));
      case SMALLULONG -> UnsignedLong.fromBits(u8(SMALLULONG, VALUE, at));
      case ULONG0 -> UnsignedLong.ZERO;
      case BYTE -> (byte) u8(BYTE, VALUE, at);
      case SHORT -> (short) i16(SHORT, at);
      case INT -> i32(INT, at);
      case SMALLINT -> (int) (byte) u8(SMALLINT, VALUE, at);
      case LONG -> i64(LONG, at);
      case SMALLLONG -> (long) (byte) u8(SMALLLONG, VALUE, at);
      case FLOAT -> Float.intBitsToFloat(i32(FLOAT, at));
      case DOUBLE -> Double.longBitsToDouble(i64(DOUBLE, at));
      case DECIMAL32 -> Decimal32.fromBits(i32(DECIMAL32, at));
      case DECIMAL64 -> Decimal64.fromBits(i64(DECIMAL64, at));
      case DECIMAL128 -> decimal128(at);
      case CHAR -> character(at);
      case TIMESTAMP -> Instant.ofEpochMilli(i64(TIMESTAMP, at));
      case UUID -> uuid(at);
      case VBIN8 -> binary(u8(VBIN8, LENGTH, at), VBIN8, at);
      case VBIN32 -> binary(length32(VBIN32, at), VBIN32, at);
      case STR8 -> string(u8(STR8, LENGTH, at), STR8, at);
      case STR32 -> string(length32(STR32, at), STR32, at);
      case SYM8 -> symbol(u8(SYM8, LENGTH, at), SYM8, at);
      case SYM32 -> symbol(length32(SYM32, at), SYM32, at);
      case LIST0 -> List.of();
      case LIST8 -> list(LIST8, at, depth);
      case LIST32 -> list(LIST32, at, depth);
      case MAP8 -> map(MAP8, at, depth);
      case MAP32 -> map(MAP32, at, depth);
      case ARRAY8 -> array(ARRAY8, at, depth);
      case ARRAY32 -> array(ARRAY32, at, depth);
      default -> throw new DecodeException(String.format("unknown constructor 0x%02x", code), at);
    };
  }

  private Boolean bool(int at) {
    int b = u8(BOOLEAN, VALUE, at);
    if (b > 1) {
      throw new DecodeException(
          String.format("a boolean (0x56) byte is 0x00 or 0x01, not 0x%02x", b), at);
    }
    return b == 1;
  }

  private AmqpChar character(int at) {
    int codePoint = i32(CHAR, at);
    if (!AmqpChar.isValid(codePoint)) {
      throw new DecodeException(
          String.format("char 0x%x is not a Unicode scalar value", codePoint & 0xFFFFFFFFL), at);
    }
    return AmqpChar.valueOf(codePoint);
  }

  private Decimal128 decimal128(int at) {
    need(16, DECIMAL128, VALUE, at);
    long high = i64(DECIMAL128, at);
    return Decimal128.fromBits(high, i64(DECIMAL128, at));
  }

  private UUID uuid(int at) {
    need(16, UUID, VALUE, at);
    long high = i64(UUID, at);
    return new UUID(high, i64(UUID, at));
  }

  private Binary binary(int length, int code, int at) {
    need(length, code, DATA, at);
    byte[] bytes = new byte[length];
    buffer.get(position, bytes, 0, length);
    position += length;
    return Binary.wrap(bytes);
  }

  private String string(int length, int code, int at) {
    need(length, code, DATA, at);
    int start = position;
    int end = start + length;
    boolean ascii = true;
    for (int i = start; i < end; i++) {
      if (buffer.get(i) < 0) {
        ascii = false;
        break;
      }
    }
    String s = ascii ? ascii(start, length) : utf8(start, length, code, at);
    position = end;
    return s;
  }

  private String ascii(int start, int length) {
    if (buffer.hasArray()) {
      return new String(
          buffer.array(), buffer.arrayOffset() + start, length, StandardCharsets.ISO_8859_1);
    }
    byte[] bytes = new byte[length];
    buffer.get(start, bytes, 0, length);
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private String utf8(int start, int length, int code, int at) {
    if (utf8 == null) {
      utf8 =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT);
    }
    ByteBuffer in = buffer.duplicate().limit(start + length).position(start);
    CharBuffer out = CharBuffer.allocate(length);
    utf8.reset();
    CoderResult result = utf8.decode(in, out, true);
    if (!result.isError()) result = utf8.flush(out);
    if (result.isError()) {
      int bad = in.position();
      throw new DecodeException(
          String.format(
              "%s at offset %d is not valid UTF-8: byte 0x%02x, %d bytes into it, starts no"
                  + " valid sequence",
              name(code), at, buffer.get(bad) & 0xFF, bad - start),
          bad);
    }
    return out.flip().toString();
  }

  private Symbol symbol(int length, int code, int at) {
    need(length, code, DATA, at);
    int start = position;
    int end = start + length;
    int h = length;
    for (int i = start; i < end; i++) {
      byte b = buffer.get(i);
      if (b < 0) {
        throw new DecodeException(
            String.format(
                "a symbol is ASCII, but byte %d of the %s at offset %d is 0x%02x",
                i - start, name(code), at, b & 0xFF),
            i);
      }
      h = 31 * h + b;
    }
    position = end;
    if (length > MAX_CACHED_SYMBOL_LENGTH) return Symbol.valueOf(ascii(start, length));
    int slot = (h ^ (h >>> 16)) & (SYMBOL_CACHE_SIZE - 1);
    Symbol cached = symbolCache[slot];
    if (cached != null && sameChars(cached, start, length)) return cached;
    Symbol symbol = Symbol.valueOf(ascii(start, length));
    symbolCache[slot] = symbol;
    return symbol;
  }

  private boolean sameChars(Symbol symbol, int start, int length) {
    if (symbol.length() != length) return false;
    String s = symbol.toString();
    for (int i = 0; i < length; i++) {
      if (s.charAt(i) != buffer.get(start + i)) return false;
    }
    return true;
  }

  private List<Object> list(int code, int at, int depth) {
    checkDepth(depth + 1, code, at);
    int end = compoundEnd(code, at);
    int count = count(code, 1, end, at);
    List<Object> items = new ArrayList<>(count);
    int outer = limit;
    limit = end;
    for (int i = 0; i < count; i++) items.add(value(depth + 1));
    limit = outer;
    checkFilled(end, code, count, at);
    return Collections.unmodifiableList(items);
  }

  private Map<Object, Object> map(int code, int at, int depth) {
    checkDepth(depth + 1, code, at);
    int end = compoundEnd(code, at);
    int count = count(code, 1, end, at);
    if ((count & 1) != 0) {
      throw new DecodeException(
          name(code) + " count " + count + " is odd: a map holds keys and values in pairs", at);
    }
    int pairs = count / 2;
    Map<Object, Object> map = new LinkedHashMap<>(pairs + pairs / 3 + 1);
    int outer = limit;
    limit = end;
    for (int i = 0; i < pairs; i++) {
      int keyAt = position;
      Object key = value(depth + 1);
      map.put(key, value(depth + 1));
      if (map.size() == i) {
        throw new DecodeException(name(code) + " has the key " + abbreviate(key) + " twice", keyAt);
      }
    }
    limit = outer;
    checkFilled(end, code, count, at);
    return Collections.unmodifiableMap(map);
  }

  private AmqpArray array(int code, int at, int depth) {
    checkDepth(depth + 1, code, at);
    int end = compoundEnd(code, at);
    int count = count(code, 0, end, at);
    int outer = limit;
    limit = end;

    List<Object> descriptors = List.of();
    int elementAt = position;
    int elementCode = u8(CONSTRUCTOR, "array element", at);
    while (elementCode == DESCRIBED) {
      if (descriptors.isEmpty()) descriptors = new ArrayList<>(1);
      checkDepth(depth + 2 + descriptors.size(), DESCRIBED, elementAt);
      descriptors.add(descriptor());
      elementAt = position;
      elementCode = u8(CONSTRUCTOR, "array element", at);
    }
    AmqpType type = typeOf(elementCode);
    if (type == null) {
      throw new DecodeException(
          String.format("unknown array element constructor 0x%02x", elementCode), elementAt);
    }
    int width = minimumWidth(elementCode);
    long left = end - position;
    if ((long) count * width > left) {
      throw new DecodeException(
          String.format(
              "%s count %d of %s elements needs at least %d bytes but its size leaves %d",
              name(code), count, name(elementCode), (long) count * width, left),
          at);
    }
    long withoutBytes =
        (width == 0 ? count : 0) + (long) count * Math.max(0, descriptors.size() - 1);
    if (withoutBytes > budget) {
      throw new DecodeException(
          String.format(
              "%s of %d %s elements%s goes over the limit of %d array elements per value that"
                  + " take no bytes",
              name(code),
              count,
              name(elementCode),
              descriptors.isEmpty() ? "" : " under " + descriptors.size() + " descriptors",
              MAX_ELEMENTS_WITHOUT_BYTES),
          at);
    }
    budget -= (int) withoutBytes;

    int elementDepth = depth + 1 + descriptors.size();
    List<Object> elements = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int valueAt = position;
      Object element = primitive(elementCode, valueAt, elementDepth);
      for (int d = descriptors.size() - 1; d >= 0; d--) {
        element = describe(descriptors.get(d), element, valueAt);
      }
      elements.add(element);
    }
    limit = outer;
    checkFilled(end, code, count, at);
    try {
      return descriptors.isEmpty()
          ? AmqpArray.of(type, elements)
          : AmqpArray.ofNestedDescribed(descriptors, type, elements);
    } catch (RuntimeException e) {
      throw new DecodeException(name(code) + " is not a valid array: " + e.getMessage(), at, e);
    }
  }

  private static AmqpType typeOf(int code) {
    return switch (code) {
      case NULL -> AmqpType.NULL;
      case TRUE, FALSE, BOOLEAN -> AmqpType.BOOLEAN;
      case UBYTE -> AmqpType.UBYTE;
      case USHORT -> AmqpType.USHORT;
      case UINT, SMALLUINT, UINT0 -> AmqpType.UINT;
      case ULONG, SMALLULONG, ULONG0 -> AmqpType.ULONG;
      case BYTE -> AmqpType.BYTE;
      case SHORT -> AmqpType.SHORT;
      case INT, SMALLINT -> AmqpType.INT;
      case LONG, SMALLLONG -> AmqpType.LONG;
      case FLOAT -> AmqpType.FLOAT;
      case DOUBLE -> AmqpType.DOUBLE;
      case DECIMAL32 -> AmqpType.DECIMAL32;
      case DECIMAL64 -> AmqpType.DECIMAL64;
      case DECIMAL128 -> AmqpType.DECIMAL128;
      case CHAR -> AmqpType.CHAR;
      case TIMESTAMP -> AmqpType.TIMESTAMP;
      case UUID -> AmqpType.UUID;
      case VBIN8, VBIN32 -> AmqpType.BINARY;
      case STR8, STR32 -> AmqpType.STRING;
      case SYM8, SYM32 -> AmqpType.SYMBOL;
      case LIST0, LIST8, LIST32 -> AmqpType.LIST;
      case MAP8, MAP32 -> AmqpType.MAP;
      case ARRAY8, ARRAY32 -> AmqpType.ARRAY;
      default -> null;
    };
  }

  private static boolean isWide(int code) {
    return code == LIST32 || code == MAP32 || code == ARRAY32;
  }

  /** Reads a list's, map's or array's size field and returns where its contents end. */
  private int compoundEnd(int code, int at) {
    boolean wide = isWide(code);
    long size = wide ? Integer.toUnsignedLong(i32(code, SIZE, at)) : u8(code, SIZE, at);
    int countWidth = wide ? 4 : 1;
    if (size < countWidth) {
      throw new DecodeException(
          name(code) + " size " + size + " leaves no room for its " + countWidth + "-byte count",
          at);
    }
    if (size > limit - position) {
      throw new DecodeException(
          name(code)
              + " size "
              + size
              + " runs past the end: only "
              + (limit - position)
              + " bytes remain",
          at);
    }
    return position + (int) size;
  }

  /**
   * Reads a compound's count field and checks that that many elements of at least {@code
   * minimumWidth} bytes each fit before {@code end}.
   */
  private int count(int code, int minimumWidth, int end, int at) {
    long count = isWide(code) ? Integer.toUnsignedLong(i32(code, COUNT, at)) : u8(code, COUNT, at);
    long left = end - position;
    if (count * minimumWidth > left) {
      throw new DecodeException(
          String.format(
              "%s count %d needs at least %d bytes but its size leaves %d",
              name(code), count, count * minimumWidth, left),
          at);
    }
    if (count > Integer.MAX_VALUE - 8) {
      throw new DecodeException(name(code) + " count " + count + " is too large", at);
    }
    return (int) count;
  }

  private void checkFilled(int end, int code, int count, int at) {
    if (position != end) {
      throw new DecodeException(
          String.format(
              "%s size leaves %d bytes unused after its %d elements",
              name(code), end - position, count),
          at);
    }
  }

  private void checkDepth(int depth, int code, int at) {
    if (depth > maxDepth) {
      String what =
          code == DESCRIBED
              ? "a described value"
              : (name(code).startsWith("a") ? "an " : "a ") + name(code);
      throw new DecodeException(
          what + " nests " + depth + " levels deep, more than the limit of " + maxDepth, at);
    }
  }

  private int length32(int code, int at) {
    long length = Integer.toUnsignedLong(i32(code, LENGTH, at));
    if (length > limit - position) {
      throw new DecodeException(
          name(code)
              + " length "
              + length
              + " runs past the end: only "
              + (limit - position)
              + " bytes remain",
          at);
    }
    return (int) length;
  }

  // What a read is for, to say in an error; the code names the encoding (CONSTRUCTOR: none yet).
  private static final int CONSTRUCTOR = -1;
  private static final String VALUE = "value";
  private static final String LENGTH = "length";
  private static final String SIZE = "size";
  private static final String COUNT = "count";
  private static final String DATA = "data";

  private void need(int n, int code, String what, int at) {
    if (n > limit - position) {
      String subject =
          code == CONSTRUCTOR
              ? (what.isEmpty() ? "a constructor" : "the " + what + " constructor")
              : name(code) + " " + what;
      String where = position == at ? "" : " (its value starts at offset " + at + ")";
      throw new DecodeException(
          String.format(
              "truncated: %s needs %d byte%s but only %d remain%s",
              subject, n, n == 1 ? "" : "s", limit - position, where),
          position);
    }
  }

  private int u8(int code, String what, int at) {
    need(1, code, what, at);
    return buffer.get(position++) & 0xFF;
  }

  private int i16(int code, int at) {
    need(2, code, VALUE, at);
    short v = buffer.getShort(position);
    position += 2;
    return swap ? Short.reverseBytes(v) : v;
  }

  private int i32(int code, int at) {
    return i32(code, VALUE, at);
  }

  private int i32(int code, String what, int at) {
    need(4, code, what, at);
    int v = buffer.getInt(position);
    position += 4;
    return swap ? Integer.reverseBytes(v) : v;
  }

  private long i64(int code, int at) {
    need(8, code, VALUE, at);
    long v = buffer.getLong(position);
    position += 8;
    return swap ? Long.reverseBytes(v) : v;
  }

  private static String abbreviate(Object value) {
    String s = String.valueOf(value);
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
