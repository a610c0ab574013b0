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
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes AMQP 1.0 values in their smallest encoding: {@code uint0} and {@code smalluint}, {@code
 * ulong0} and {@code smallulong}, {@code smallint} and {@code smalllong}, {@code true} and {@code
 * false}, {@code list0}, and the 8-bit forms of binaries, strings, symbols, lists, maps and arrays
 * whenever their size and count fit in a byte. An array has one element constructor for all its
 * elements: the narrowest that holds every one of them, such as {@code smalluint} when all are
 * below 256 and {@code uint} when one is not.
 *
 * <p>An array's element constructor is never one of the zero-width encodings {@code true}, {@code
 * false}, {@code uint0}, {@code ulong0} or {@code list0}, though the specification allows it when
 * every element has that value and the {@link Decoder} reads it: RabbitMQ's AMQP 1.0 parser reads
 * one byte per element for those constructors, so such an array would be misread there. An array of
 * {@code null} has no other choice and uses {@code null} (0x40).
 *
 * <p>Encoding sizes the value first, then writes it once: nothing is written if the value cannot be
 * encoded or the target has no room. Sizes of nested values found while sizing are kept in an array
 * the encoder reuses, so encoding does not allocate once the encoder has warmed up (except to call
 * a described type's codec).
 *
 * <p>Java types are mapped as listed in {@code dev.amqpkit.amqp10.types}; objects of exactly a
 * class in the {@link DescribedTypeRegistry} go through its codec. A value must not change while it
 * is being encoded.
 *
 * <p>Not thread-safe: use one per connection.
 */
public final class Encoder {
  private final DescribedTypeRegistry registry;
  private final int maxDepth;

  // Filled while sizing, in the order values are visited, and read back in the same order while
  // writing: byte sizes of lists, maps and arrays, array element codes, UTF-8 lengths of strings.
  private int[] records = new int[64];
  private int recordCount;
  private int recordCursor;
  // Values described-type codecs returned while sizing, to write without calling them again.
  private Object[] converted = new Object[16];
  private int convertedCount;
  private int convertedCursor;

  private ByteBuffer out;
  private boolean swap;

  /** An encoder with no registered described types and the decoder's default depth limit. */
  public Encoder() {
    this(DescribedTypeRegistry.EMPTY, Decoder.DEFAULT_MAX_DEPTH);
  }

  /**
   * An encoder that writes the registered described types through their codecs.
   *
   * @throws NullPointerException if {@code registry} is null
   */
  public Encoder(DescribedTypeRegistry registry) {
    this(registry, Decoder.DEFAULT_MAX_DEPTH);
  }

  /**
   * An encoder that writes the registered described types through their codecs and refuses values
   * nested deeper than {@code maxDepth}, counted as the {@link Decoder} counts them (which also
   * catches a list that contains itself).
   *
   * @throws NullPointerException if {@code registry} is null
   * @throws IllegalArgumentException if {@code maxDepth} is not between 1 and {@link
   *     Decoder#DEPTH_CEILING}
   */
  public Encoder(DescribedTypeRegistry registry, int maxDepth) {
    if (registry == null) throw new NullPointerException("registry == null");
    if (maxDepth < 1 || maxDepth > Decoder.DEPTH_CEILING) {
      throw new IllegalArgumentException(
          "maxDepth is 1.." + Decoder.DEPTH_CEILING + ", not " + maxDepth);
    }
    this.registry = registry;
    this.maxDepth = maxDepth;
  }

  /**
   * Returns how many bytes {@code value} encodes to.
   *
   * @throws IllegalArgumentException if {@code value} cannot be encoded: a Java type with no AMQP
   *     mapping, a string with an unpaired surrogate, an {@code Instant} beyond the range of a
   *     timestamp, an array element a codec does not match, nesting deeper than the limit, or more
   *     than 2 GiB in all
   */
  public int sizeOf(Object value) {
    try {
      return measure(value);
    } finally {
      clear();
    }
  }

  /**
   * Writes {@code value} into {@code target} at its position, advancing it, and returns the number
   * of bytes written. The target's byte order does not matter: AMQP is big-endian.
   *
   * @throws IllegalArgumentException if {@code value} cannot be encoded (see {@link #sizeOf});
   *     nothing is written
   * @throws NullPointerException if {@code target} is null
   * @throws BufferOverflowException if {@code target} has less room than the value needs; nothing
   *     is written
   * @throws ConcurrentModificationException if the value changed while it was being written
   */
  public int encode(Object value, ByteBuffer target) {
    if (target == null) throw new NullPointerException("target == null");
    try {
      int size = measure(value);
      if (target.remaining() < size) throw new BufferOverflowException();
      write(value, target, size);
      return size;
    } finally {
      clear();
    }
  }

  /**
   * Returns {@code value} encoded, in an array of exactly its size.
   *
   * @throws IllegalArgumentException if {@code value} cannot be encoded (see {@link #sizeOf})
   * @throws ConcurrentModificationException if the value changed while it was being written
   */
  public byte[] encode(Object value) {
    try {
      byte[] bytes = new byte[measure(value)];
      write(value, ByteBuffer.wrap(bytes), bytes.length);
      return bytes;
    } finally {
      clear();
    }
  }

  private int measure(Object value) {
    recordCount = 0;
    convertedCount = 0;
    return size(value, 0);
  }

  private void write(Object value, ByteBuffer target, int size) {
    out = target;
    swap = target.order() != ByteOrder.BIG_ENDIAN;
    recordCursor = 0;
    convertedCursor = 0;
    int start = target.position();
    write(value, 0);
    if (target.position() - start != size
        || recordCursor != recordCount
        || convertedCursor != convertedCount) {
      throw new ConcurrentModificationException("the value changed while it was being encoded");
    }
  }

  private void clear() {
    out = null;
    Arrays.fill(converted, 0, convertedCount, null);
    convertedCount = 0;
  }

  // ---------------------------------------------------------------------------------- sizing

  /**
   * The encoded size of {@code value}, constructor included, at nesting {@code depth}. The final
   * classes are tested first and the interfaces last: a failed {@code instanceof List} costs many
   * times a class test (measured: 70 ns against 6 ns per {@code Integer} in a list).
   */
  private int size(Object value, int depth) {
    if (value == null || value instanceof Boolean) return 1;
    if (value instanceof String s) {
      int length = utf8Length(s);
      record(length);
      return variableSize(length);
    }
    if (value instanceof Symbol s) return variableSize(s.length());
    if (value instanceof UnsignedInteger u) {
      int bits = u.bits();
      return bits == 0 ? 1 : (bits & ~0xFF) == 0 ? 2 : 5;
    }
    if (value instanceof UnsignedLong u) {
      long bits = u.bits();
      return bits == 0 ? 1 : (bits & ~0xFFL) == 0 ? 2 : 9;
    }
    if (value instanceof Integer i) return i >= -128 && i <= 127 ? 2 : 5;
    if (value instanceof Long l) return l >= -128 && l <= 127 ? 2 : 9;
    if (value instanceof Binary b) return variableSize(b.length());
    if (value instanceof DescribedValue d) {
      checkDepth(depth + 1);
      return add(1 + size(d.descriptor(), depth + 1), size(d.value(), depth + 1));
    }
    if (value instanceof AmqpArray a) {
      int payload = arrayPayload(a, depth + 1);
      return 1 + compoundOverhead(payload, a.size()) + payload;
    }
    if (value instanceof Byte || value instanceof UnsignedByte) return 2;
    if (value instanceof Short || value instanceof UnsignedShort) return 3;
    if (value instanceof Float || value instanceof Decimal32 || value instanceof AmqpChar) {
      return 5;
    }
    if (value instanceof Double || value instanceof Decimal64) return 9;
    if (value instanceof Instant t) {
      epochMillis(t);
      return 9;
    }
    if (value instanceof UUID || value instanceof Decimal128) return 17;
    if (value instanceof List<?> list) {
      int body = listBody(list, depth + 1);
      return list.isEmpty() ? 1 : 1 + compoundOverhead(body, list.size()) + body;
    }
    if (value instanceof Map<?, ?> map) {
      int body = mapBody(map, depth + 1);
      return 1 + compoundOverhead(body, 2 * map.size()) + body;
    }
    DescribedTypeCodec<?> codec = registry.forType(value.getClass());
    if (codec != null) {
      checkDepth(depth + 1);
      Object described = convert(codec, value);
      return add(1 + size(descriptorOf(codec), depth + 1), size(described, depth + 1));
    }
    throw new IllegalArgumentException(
        "no AMQP type for a " + value.getClass().getName() + ": " + abbreviate(value));
  }

  /** The size and count fields of a list, map or array: 8-bit when both fit in a byte. */
  private static int compoundOverhead(int body, int count) {
    return body + 1 <= 255 && count <= 255 ? 2 : 8;
  }

  private static int variableSize(int length) {
    return (length <= 255 ? 2 : 5) + length;
  }

  /** The bytes of a list's elements; records them for the write. */
  private int listBody(List<?> list, int depth) {
    checkDepth(depth);
    int slot = reserve();
    int body = 0;
    for (Object item : list) body = add(body, size(item, depth));
    records[slot] = body;
    return body;
  }

  private int mapBody(Map<?, ?> map, int depth) {
    checkDepth(depth);
    int slot = reserve();
    int body = 0;
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      body = add(body, size(entry.getKey(), depth));
      body = add(body, size(entry.getValue(), depth));
    }
    records[slot] = body;
    return body;
  }

  /**
   * The bytes of an array after its count field: the element constructor and the elements. Records
   * that payload and the element format code, then whatever the elements record.
   */
  private int arrayPayload(AmqpArray array, int depth) {
    checkDepth(depth);
    int slot = reserve();
    reserve();
    List<Object> descriptors = array.descriptors();
    int elementDepth = depth + descriptors.size();
    checkDepth(elementDepth);
    int payload = 1;
    for (Object descriptor : descriptors) payload = add(payload, 1 + size(descriptor, depth));
    List<Object> elements = array.elements();
    int n = elements.size();
    int code;
    int bytes;
    AmqpType type = array.elementType();
    switch (type) {
      case NULL -> {
        code = NULL;
        bytes = 0;
        for (int i = 0; i < n; i++) unwrapForSize(array, i);
      }
      case BOOLEAN -> {
        code = BOOLEAN;
        bytes = fixed(array, 1);
      }
      case UBYTE -> {
        code = UBYTE;
        bytes = fixed(array, 1);
      }
      case USHORT -> {
        code = USHORT;
        bytes = fixed(array, 2);
      }
      case BYTE -> {
        code = BYTE;
        bytes = fixed(array, 1);
      }
      case SHORT -> {
        code = SHORT;
        bytes = fixed(array, 2);
      }
      case FLOAT -> {
        code = FLOAT;
        bytes = fixed(array, 4);
      }
      case DOUBLE -> {
        code = DOUBLE;
        bytes = fixed(array, 8);
      }
      case DECIMAL32 -> {
        code = DECIMAL32;
        bytes = fixed(array, 4);
      }
      case DECIMAL64 -> {
        code = DECIMAL64;
        bytes = fixed(array, 8);
      }
      case DECIMAL128 -> {
        code = DECIMAL128;
        bytes = fixed(array, 16);
      }
      case CHAR -> {
        code = CHAR;
        bytes = fixed(array, 4);
      }
      case UUID -> {
        code = UUID;
        bytes = fixed(array, 16);
      }
      case TIMESTAMP -> {
        code = TIMESTAMP;
        for (int i = 0; i < n; i++) epochMillis((Instant) unwrapForSize(array, i));
        bytes = multiply(n, 8);
      }
      case UINT -> {
        boolean small = true;
        for (int i = 0; i < n; i++) {
          small &= (((UnsignedInteger) unwrapForSize(array, i)).bits() & ~0xFF) == 0;
        }
        code = small ? SMALLUINT : UINT;
        bytes = multiply(n, small ? 1 : 4);
      }
      case ULONG -> {
        boolean small = true;
        for (int i = 0; i < n; i++) {
          small &= (((UnsignedLong) unwrapForSize(array, i)).bits() & ~0xFFL) == 0;
        }
        code = small ? SMALLULONG : ULONG;
        bytes = multiply(n, small ? 1 : 8);
      }
      case INT -> {
        boolean small = true;
        for (int i = 0; i < n; i++) {
          int v = (Integer) unwrapForSize(array, i);
          small &= v >= -128 && v <= 127;
        }
        code = small ? SMALLINT : INT;
        bytes = multiply(n, small ? 1 : 4);
      }
      case LONG -> {
        boolean small = true;
        for (int i = 0; i < n; i++) {
          long v = (Long) unwrapForSize(array, i);
          small &= v >= -128 && v <= 127;
        }
        code = small ? SMALLLONG : LONG;
        bytes = multiply(n, small ? 1 : 8);
      }
      case BINARY, STRING, SYMBOL -> {
        int sum = 0;
        boolean small = true;
        for (int i = 0; i < n; i++) {
          Object v = unwrapForSize(array, i);
          int length;
          if (v instanceof String s) {
            length = utf8Length(s);
            record(length);
          } else if (v instanceof Symbol s) {
            length = s.length();
          } else {
            length = ((Binary) v).length();
          }
          small &= length <= 255;
          sum = add(sum, length);
        }
        code =
            switch (type) {
              case BINARY -> small ? VBIN8 : VBIN32;
              case STRING -> small ? STR8 : STR32;
              default -> small ? SYM8 : SYM32;
            };
        bytes = add(sum, multiply(n, small ? 1 : 4));
      }
      case LIST, MAP, ARRAY -> {
        int sum = 0;
        boolean small = true;
        for (int i = 0; i < n; i++) {
          Object v = unwrapForSize(array, i);
          int body;
          int count;
          if (v instanceof List<?> list) {
            body = listBody(list, elementDepth + 1);
            count = list.size();
          } else if (v instanceof Map<?, ?> map) {
            body = mapBody(map, elementDepth + 1);
            count = 2 * map.size();
          } else {
            AmqpArray inner = (AmqpArray) v;
            body = arrayPayload(inner, elementDepth + 1);
            count = inner.size();
          }
          small &= compoundOverhead(body, count) == 2;
          sum = add(sum, body);
        }
        code =
            switch (type) {
              case LIST -> small ? LIST8 : LIST32;
              case MAP -> small ? MAP8 : MAP32;
              default -> small ? ARRAY8 : ARRAY32;
            };
        bytes = add(sum, multiply(n, small ? 2 : 8));
      }
      default -> throw new AssertionError(type);
    }
    payload = add(payload, bytes);
    records[slot] = payload;
    records[slot + 1] = code;
    return payload;
  }

  /** The bytes of {@code array}'s elements of a fixed {@code width}, checking each one. */
  private int fixed(AmqpArray array, int width) {
    int n = array.size();
    for (int i = 0; i < n; i++) unwrapForSize(array, i);
    return multiply(n, width);
  }

  /**
   * Element {@code index} of {@code array} with its descriptors peeled off: a {@code
   * DescribedValue} gives its value, an object with a codec for the descriptor gives what the codec
   * makes of it (recorded for the write).
   */
  private Object unwrapForSize(AmqpArray array, int index) {
    Object value = array.get(index);
    for (Object descriptor : array.descriptors()) {
      if (value instanceof DescribedValue d) {
        value = d.value(); // the array checked the descriptor
        continue;
      }
      DescribedTypeCodec<?> codec = value == null ? null : registry.forType(value.getClass());
      if (codec == null || !matches(codec, descriptor)) {
        throw new IllegalArgumentException(
            "element "
                + index
                + " of an array described by "
                + descriptor
                + " is a "
                + (value == null ? "null" : value.getClass().getName())
                + " with no codec for that descriptor");
      }
      value = convert(codec, value);
    }
    if (!array.elementType().isInstance(value)) {
      throw new IllegalArgumentException(
          "element "
              + index
              + " of an array of "
              + array.elementType().name().toLowerCase()
              + " is a "
              + (value == null ? "null" : value.getClass().getName()));
    }
    return value;
  }

  private static boolean matches(DescribedTypeCodec<?> codec, Object descriptor) {
    return descriptor.equals(codec.code()) || descriptor.equals(codec.name());
  }

  private static Object descriptorOf(DescribedTypeCodec<?> codec) {
    return codec.code() != null ? codec.code() : codec.name();
  }

  @SuppressWarnings("unchecked")
  private Object convert(DescribedTypeCodec<?> codec, Object value) {
    Object described = ((DescribedTypeCodec<Object>) codec).describedValue(value);
    if (convertedCount == converted.length) {
      converted = Arrays.copyOf(converted, converted.length * 2);
    }
    converted[convertedCount++] = described;
    return described;
  }

  private static long epochMillis(Instant t) {
    try {
      return t.toEpochMilli();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(t + " is outside the range of an AMQP timestamp", e);
    }
  }

  /** The UTF-8 length of {@code s}. */
  private static int utf8Length(String s) {
    long length = 0;
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        length++;
      } else if (c < 0x800) {
        length += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        length += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            "a string has an unpaired surrogate at index " + i + ": " + abbreviate(s));
      } else {
        length += 3;
      }
    }
    if (length > Integer.MAX_VALUE - 16) throw tooLarge();
    return (int) length;
  }

  private void checkDepth(int depth) {
    if (depth > maxDepth) {
      throw new IllegalArgumentException(
          "the value nests deeper than "
              + maxDepth
              + " levels (does a list or map contain itself?)");
    }
  }

  private int reserve() {
    if (recordCount == records.length) records = Arrays.copyOf(records, records.length * 2);
    return recordCount++;
  }

  private void record(int value) {
    int slot = reserve(); // before indexing: reserve() may replace the array
    records[slot] = value;
  }

  private static int add(int a, int b) {
    int sum = a + b;
    if (sum < 0 || sum > Integer.MAX_VALUE - 16) throw tooLarge();
    return sum;
  }

  private static int multiply(int a, int b) {
    long product = (long) a * b;
    if (product > Integer.MAX_VALUE - 16) throw tooLarge();
    return (int) product;
  }

  private static IllegalArgumentException tooLarge() {
    return new IllegalArgumentException("the value encodes to more than 2 GiB");
  }

  // --------------------------------------------------------------------------------- writing

  private int next() {
    if (recordCursor >= recordCount) {
      throw new ConcurrentModificationException("the value changed while it was being encoded");
    }
    return records[recordCursor++];
  }

  private Object nextConverted() {
    if (convertedCursor >= convertedCount) {
      throw new ConcurrentModificationException("the value changed while it was being encoded");
    }
    return converted[convertedCursor++];
  }

  private void write(Object value, int depth) {
    if (value == null) {
      u8(NULL);
    } else if (value instanceof Boolean b) {
      u8(b ? TRUE : FALSE);
    } else if (value instanceof String s) {
      int length = next();
      variableHeader(length, STR8, STR32);
      utf8(s, length);
    } else if (value instanceof Symbol s) {
      variableHeader(s.length(), SYM8, SYM32);
      ascii(s);
    } else if (value instanceof UnsignedInteger u) {
      int bits = u.bits();
      if (bits == 0) {
        u8(UINT0);
      } else if ((bits & ~0xFF) == 0) {
        u8(SMALLUINT);
        u8(bits);
      } else {
        u8(UINT);
        i32(bits);
      }
    } else if (value instanceof UnsignedLong u) {
      long bits = u.bits();
      if (bits == 0) {
        u8(ULONG0);
      } else if ((bits & ~0xFFL) == 0) {
        u8(SMALLULONG);
        u8((int) bits);
      } else {
        u8(ULONG);
        i64(bits);
      }
    } else if (value instanceof Integer i) {
      if (i >= -128 && i <= 127) {
        u8(SMALLINT);
        u8(i);
      } else {
        u8(INT);
        i32(i);
      }
    } else if (value instanceof Long l) {
      if (l >= -128 && l <= 127) {
        u8(SMALLLONG);
        u8((int) (long) l);
      } else {
        u8(LONG);
        i64(l);
      }
    } else if (value instanceof Binary b) {
      variableHeader(b.length(), VBIN8, VBIN32);
      b.copyTo(out);
    } else if (value instanceof DescribedValue d) {
      u8(DESCRIBED);
      write(d.descriptor(), depth + 1);
      write(d.value(), depth + 1);
    } else if (value instanceof AmqpArray a) {
      if (recordCursor >= recordCount) {
        throw new ConcurrentModificationException("the value changed while it was being encoded");
      }
      int payload = records[recordCursor];
      boolean small = compoundOverhead(payload, a.size()) == 2;
      u8(small ? ARRAY8 : ARRAY32);
      arrayContents(a, small, depth + 1);
    } else if (value instanceof Byte b) {
      u8(BYTE);
      u8(b);
    } else if (value instanceof UnsignedByte b) {
      u8(UBYTE);
      u8(b.bits());
    } else if (value instanceof Short s) {
      u8(SHORT);
      i16(s);
    } else if (value instanceof UnsignedShort s) {
      u8(USHORT);
      i16(s.bits());
    } else if (value instanceof Float f) {
      u8(FLOAT);
      i32(Float.floatToRawIntBits(f));
    } else if (value instanceof Double d) {
      u8(DOUBLE);
      i64(Double.doubleToRawLongBits(d));
    } else if (value instanceof Decimal32 d) {
      u8(DECIMAL32);
      i32(d.bits());
    } else if (value instanceof Decimal64 d) {
      u8(DECIMAL64);
      i64(d.bits());
    } else if (value instanceof Decimal128 d) {
      u8(DECIMAL128);
      i64(d.highBits());
      i64(d.lowBits());
    } else if (value instanceof AmqpChar c) {
      u8(CHAR);
      i32(c.codePoint());
    } else if (value instanceof Instant t) {
      u8(TIMESTAMP);
      i64(t.toEpochMilli());
    } else if (value instanceof UUID u) {
      u8(UUID);
      i64(u.getMostSignificantBits());
      i64(u.getLeastSignificantBits());
    } else if (value instanceof List<?> list) {
      int body = next();
      if (list.isEmpty()) {
        u8(LIST0);
      } else {
        boolean small = compoundOverhead(body, list.size()) == 2;
        u8(small ? LIST8 : LIST32);
        listContents(list, body, small, depth + 1);
      }
    } else if (value instanceof Map<?, ?> map) {
      int body = next();
      boolean small = compoundOverhead(body, 2 * map.size()) == 2;
      u8(small ? MAP8 : MAP32);
      mapContents(map, body, small, depth + 1);
    } else {
      DescribedTypeCodec<?> codec = registry.forType(value.getClass());
      u8(DESCRIBED);
      write(descriptorOf(codec), depth + 1);
      write(nextConverted(), depth + 1);
    }
  }

  private void variableHeader(int length, int code8, int code32) {
    if (length <= 255) {
      u8(code8);
      u8(length);
    } else {
      u8(code32);
      i32(length);
    }
  }

  private void listContents(List<?> list, int body, boolean small, int depth) {
    compoundHeader(body, list.size(), small);
    for (Object item : list) write(item, depth);
  }

  private void mapContents(Map<?, ?> map, int body, boolean small, int depth) {
    compoundHeader(body, 2 * map.size(), small);
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      write(entry.getKey(), depth);
      write(entry.getValue(), depth);
    }
  }

  /** Writes the size field (which counts the count field) and the count field. */
  private void compoundHeader(int body, int count, boolean small) {
    if (small) {
      u8(body + 1);
      u8(count);
    } else {
      i32(body + 4);
      i32(count);
    }
  }

  /** Writes an array from its size field on; its records are next. */
  private void arrayContents(AmqpArray array, boolean small, int depth) {
    int payload = next();
    int code = next();
    int n = array.size();
    compoundHeader(payload, n, small);
    for (Object descriptor : array.descriptors()) {
      u8(DESCRIBED);
      write(descriptor, depth);
    }
    u8(code);
    int elementDepth = depth + array.descriptors().size();
    for (int i = 0; i < n; i++) element(code, unwrapForWrite(array, i), elementDepth);
  }

  private Object unwrapForWrite(AmqpArray array, int index) {
    Object value = array.get(index);
    for (int d = array.descriptors().size(); d > 0; d--) {
      value = value instanceof DescribedValue described ? described.value() : nextConverted();
    }
    return value;
  }

  /** Writes one array element, without constructor, in encoding {@code code}. */
  private void element(int code, Object value, int depth) {
    switch (code) {
      case NULL -> {}
      case BOOLEAN -> u8((Boolean) value ? 1 : 0);
      case UBYTE -> u8(((UnsignedByte) value).bits());
      case USHORT -> i16(((UnsignedShort) value).bits());
      case SMALLUINT -> u8(((UnsignedInteger) value).bits());
      case UINT -> i32(((UnsignedInteger) value).bits());
      case SMALLULONG -> u8((int) ((UnsignedLong) value).bits());
      case ULONG -> i64(((UnsignedLong) value).bits());
      case BYTE -> u8((Byte) value);
      case SHORT -> i16((Short) value);
      case SMALLINT, INT -> {
        int v = (Integer) value;
        if (code == SMALLINT) u8(v);
        else i32(v);
      }
      case SMALLLONG, LONG -> {
        long v = (Long) value;
        if (code == SMALLLONG) u8((int) v);
        else i64(v);
      }
      case FLOAT -> i32(Float.floatToRawIntBits((Float) value));
      case DOUBLE -> i64(Double.doubleToRawLongBits((Double) value));
      case DECIMAL32 -> i32(((Decimal32) value).bits());
      case DECIMAL64 -> i64(((Decimal64) value).bits());
      case DECIMAL128 -> {
        i64(((Decimal128) value).highBits());
        i64(((Decimal128) value).lowBits());
      }
      case CHAR -> i32(((AmqpChar) value).codePoint());
      case TIMESTAMP -> i64(((Instant) value).toEpochMilli());
      case UUID -> {
        i64(((UUID) value).getMostSignificantBits());
        i64(((UUID) value).getLeastSignificantBits());
      }
      case VBIN8, VBIN32 -> {
        Binary b = (Binary) value;
        length(b.length(), code == VBIN8);
        b.copyTo(out);
      }
      case STR8, STR32 -> {
        int length = next();
        length(length, code == STR8);
        utf8((String) value, length);
      }
      case SYM8, SYM32 -> {
        Symbol s = (Symbol) value;
        length(s.length(), code == SYM8);
        ascii(s);
      }
      case LIST8, LIST32 -> listContents((List<?>) value, next(), code == LIST8, depth + 1);
      case MAP8, MAP32 -> mapContents((Map<?, ?>) value, next(), code == MAP8, depth + 1);
      case ARRAY8, ARRAY32 -> arrayContents((AmqpArray) value, code == ARRAY8, depth + 1);
      default -> throw new AssertionError(code);
    }
  }

  private void length(int length, boolean small) {
    if (small) u8(length);
    else i32(length);
  }

  private void u8(int v) {
    out.put((byte) v);
  }

  private void i16(short v) {
    out.putShort(swap ? Short.reverseBytes(v) : v);
  }

  private void i32(int v) {
    out.putInt(swap ? Integer.reverseBytes(v) : v);
  }

  private void i64(long v) {
    out.putLong(swap ? Long.reverseBytes(v) : v);
  }

  private void ascii(Symbol s) {
    ascii(s.toString());
  }

  /** Writes {@code chars}, all below U+0080, one byte each; into the array when there is one. */
  private void ascii(String chars) {
    int n = chars.length();
    if (out.hasArray()) {
      byte[] array = out.array();
      int start = out.arrayOffset() + out.position();
      for (int i = 0; i < n; i++) array[start + i] = (byte) chars.charAt(i);
      out.position(out.position() + n);
    } else {
      for (int i = 0; i < n; i++) out.put((byte) chars.charAt(i));
    }
  }

  /**
   * Writes {@code s} as the {@code length} bytes of its UTF-8 form; sizing has measured it and
   * checked that it has no unpaired surrogate.
   */
  private void utf8(String s, int length) {
    if (length == s.length()) {
      ascii(s);
      return;
    }
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        out.put((byte) c);
      } else if (c < 0x800) {
        out.put((byte) (0xC0 | (c >> 6)));
        out.put((byte) (0x80 | (c & 0x3F)));
      } else if (Character.isHighSurrogate(c)) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        out.put((byte) (0xF0 | (cp >> 18)));
        out.put((byte) (0x80 | ((cp >> 12) & 0x3F)));
        out.put((byte) (0x80 | ((cp >> 6) & 0x3F)));
        out.put((byte) (0x80 | (cp & 0x3F)));
      } else {
        out.put((byte) (0xE0 | (c >> 12)));
        out.put((byte) (0x80 | ((c >> 6) & 0x3F)));
        out.put((byte) (0x80 | (c & 0x3F)));
      }
    }
  }

  private static String abbreviate(Object value) {
    String s = String.valueOf(value);
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
