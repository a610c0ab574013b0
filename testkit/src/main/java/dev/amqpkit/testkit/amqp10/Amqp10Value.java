package dev.amqpkit.testkit.amqp10;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.UUID;

/**
 * Reads and writes AMQP 1.0 encoded values (part 1 of the specification) as plain Java objects: an
 * encoder and decoder independent of the client under test, for scripted peers and codec tests.
 *
 * <p>The mapping, the same both ways:
 *
 * <table>
 *   <caption>AMQP 1.0 types and their Java values</caption>
 *   <tr><th>AMQP type</th><th>Java value</th><th>encodings read</th></tr>
 *   <tr><td>null</td><td>{@code null}</td><td>0x40</td></tr>
 *   <tr><td>boolean</td><td>{@link Boolean}</td><td>0x56, 0x41, 0x42</td></tr>
 *   <tr><td>ubyte, ushort, uint, ulong</td><td>{@link UByte}, {@link UShort}, {@link UInt},
 *       {@link ULong}</td><td>0x50; 0x60; 0x70, 0x52, 0x43; 0x80, 0x53, 0x44</td></tr>
 *   <tr><td>byte, short, int, long</td><td>{@link Byte}, {@link Short}, {@link Integer},
 *       {@link Long}</td><td>0x51; 0x61; 0x71, 0x54; 0x81, 0x55</td></tr>
 *   <tr><td>float, double</td><td>{@link Float}, {@link Double}</td><td>0x72; 0x82</td></tr>
 *   <tr><td>decimal32, decimal64, decimal128</td><td>{@link Decimal} (the bits as sent)</td>
 *       <td>0x74, 0x84, 0x94</td></tr>
 *   <tr><td>char</td><td>{@link Char}</td><td>0x73</td></tr>
 *   <tr><td>timestamp</td><td>{@link Instant} (written in whole milliseconds, finer precision
 *       truncated)</td><td>0x83</td></tr>
 *   <tr><td>uuid</td><td>{@link UUID}</td><td>0x98</td></tr>
 *   <tr><td>binary</td><td>{@code byte[]}</td><td>0xa0, 0xb0</td></tr>
 *   <tr><td>string</td><td>{@link String}</td><td>0xa1, 0xb1</td></tr>
 *   <tr><td>symbol</td><td>{@link Sym}</td><td>0xa3, 0xb3</td></tr>
 *   <tr><td>list</td><td>{@link List} (read as unmodifiable lists)</td>
 *       <td>0x45, 0xc0, 0xd0</td></tr>
 *   <tr><td>map</td><td>{@link Map} (read as unmodifiable {@link LinkedHashMap}s, in wire
 *       order)</td><td>0xc1, 0xd1</td></tr>
 *   <tr><td>array</td><td>{@link Array}, which is a {@link List}</td><td>0xe0, 0xf0</td></tr>
 *   <tr><td>described</td><td>{@link Described}</td><td>0x00</td></tr>
 * </table>
 *
 * <p>Unsigned numbers have their own records so that a test can tell a {@code uint} from an {@code
 * int}, and so that writing one produces the type the specification asks for. Binary values are
 * plain arrays, so {@link List#equals} compares them by identity; {@link #deepEquals} compares them
 * by content.
 *
 * <p>The writer picks the smallest encoding of each value unless told otherwise: wrap a value in
 * {@link Encoded} to choose its format code (a {@code str32} for a one-byte string, a {@code
 * list32} for an empty list) and use {@link Raw} for bytes no valid encoding would produce.
 *
 * <p>The reader accepts every valid encoding and nothing else: a length or count is checked against
 * the bytes that are left before anything is allocated, compound values must fill exactly the size
 * they declare, strings must be UTF-8 and symbols ASCII, maps must not repeat a key, and values
 * nest at most {@value #MAX_DEPTH} deep. A violation is a {@link FrameFormatException} that says at
 * which offset it was found.
 *
 * <p>Thread-safe: the methods are static and the value types immutable.
 */
public final class Amqp10Value {
  /** How deep described, compound and array values may nest when read. */
  public static final int MAX_DEPTH = 64;

  /** The most elements an array of zero-width elements (such as nulls) may declare when read. */
  public static final int MAX_ZERO_WIDTH_ELEMENTS = 1 << 16;

  /** Asks the writer to choose the format code. */
  static final int AUTO = -1;

  private static final byte[] NONE = new byte[0];

  private Amqp10Value() {}

  // ---- writing ----

  /**
   * Encodes a value, choosing the smallest encoding except where {@link Encoded} says otherwise.
   *
   * @throws IllegalArgumentException if the value, or one inside it, has no AMQP 1.0 type, or an
   *     {@link Encoded} asks for a format code that cannot carry its value
   */
  public static byte[] encode(Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(value, out);
    return out.toByteArray();
  }

  /** Encodes a value onto {@code out}; see {@link #encode(Object)}. */
  public static void write(Object value, ByteArrayOutputStream out) {
    Objects.requireNonNull(out, "out == null");
    writeValue(value, AUTO, out);
  }

  private static void writeValue(Object value, int code, ByteArrayOutputStream out) {
    if (value instanceof Encoded encoded) {
      if (code != AUTO) throw new IllegalArgumentException("an Encoded inside an Encoded");
      writeValue(encoded.value(), encoded.code(), out);
    } else if (value instanceof Raw raw) {
      if (code != AUTO) throw new IllegalArgumentException("an Encoded around Raw bytes");
      out.writeBytes(raw.bytes());
    } else if (value instanceof Described described) {
      if (code != AUTO && code != 0x00) throw wrongCode(code, value);
      out.write(0x00);
      writeValue(described.descriptor(), AUTO, out);
      writeValue(described.value(), AUTO, out);
    } else {
      Encoding encoding = encoding(value, code);
      out.write(encoding.code());
      out.writeBytes(encoding.body());
    }
  }

  /** A primitive value's format code and the bytes that follow it. */
  private record Encoding(int code, byte[] body) {}

  private static Encoding encoding(Object v, int code) {
    if (v == null) return fixed(code, 0x40, v, NONE);
    if (v instanceof Boolean b) {
      int c = code == AUTO ? (b ? 0x41 : 0x42) : code;
      if (c == 0x56) return new Encoding(c, new byte[] {(byte) (b ? 1 : 0)});
      if ((c == 0x41 && b) || (c == 0x42 && !b)) return new Encoding(c, NONE);
      throw wrongCode(c, v);
    }
    if (v instanceof UByte u) return fixed(code, 0x50, v, new byte[] {(byte) u.value()});
    if (v instanceof UShort u) return fixed(code, 0x60, v, bytes(u.value(), 2));
    if (v instanceof UInt u) {
      long n = u.value();
      int c = code != AUTO ? code : n == 0 ? 0x43 : n <= 0xFF ? 0x52 : 0x70;
      if (c == 0x70) return new Encoding(c, bytes(n, 4));
      if (c == 0x52 && n <= 0xFF) return new Encoding(c, new byte[] {(byte) n});
      if (c == 0x43 && n == 0) return new Encoding(c, NONE);
      throw wrongCode(c, v);
    }
    if (v instanceof ULong u) {
      long n = u.value();
      boolean small = Long.compareUnsigned(n, 0xFF) <= 0;
      int c = code != AUTO ? code : n == 0 ? 0x44 : small ? 0x53 : 0x80;
      if (c == 0x80) return new Encoding(c, bytes(n, 8));
      if (c == 0x53 && small) return new Encoding(c, new byte[] {(byte) n});
      if (c == 0x44 && n == 0) return new Encoding(c, NONE);
      throw wrongCode(c, v);
    }
    if (v instanceof Byte b) return fixed(code, 0x51, v, new byte[] {b});
    if (v instanceof Short s) return fixed(code, 0x61, v, bytes(s, 2));
    if (v instanceof Integer i) {
      boolean small = i == i.byteValue();
      int c = code != AUTO ? code : small ? 0x54 : 0x71;
      if (c == 0x71) return new Encoding(c, bytes(i, 4));
      if (c == 0x54 && small) return new Encoding(c, new byte[] {i.byteValue()});
      throw wrongCode(c, v);
    }
    if (v instanceof Long l) {
      boolean small = l == l.byteValue();
      int c = code != AUTO ? code : small ? 0x55 : 0x81;
      if (c == 0x81) return new Encoding(c, bytes(l, 8));
      if (c == 0x55 && small) return new Encoding(c, new byte[] {l.byteValue()});
      throw wrongCode(c, v);
    }
    if (v instanceof Float f) return fixed(code, 0x72, v, bytes(Float.floatToRawIntBits(f), 4));
    if (v instanceof Double d) {
      return fixed(code, 0x82, v, bytes(Double.doubleToRawLongBits(d), 8));
    }
    if (v instanceof Decimal d) {
      byte[] bits = d.bits();
      int natural = bits.length == 4 ? 0x74 : bits.length == 8 ? 0x84 : 0x94;
      return fixed(code, natural, v, bits);
    }
    if (v instanceof Char c) return fixed(code, 0x73, v, bytes(c.codePoint(), 4));
    if (v instanceof Instant t) return fixed(code, 0x83, v, bytes(t.toEpochMilli(), 8));
    if (v instanceof UUID u) {
      byte[] body =
          ByteBuffer.allocate(16)
              .putLong(u.getMostSignificantBits())
              .putLong(u.getLeastSignificantBits())
              .array();
      return fixed(code, 0x98, v, body);
    }
    if (v instanceof byte[] b) return variable(code, 0xa0, 0xb0, v, b);
    if (v instanceof String s) return variable(code, 0xa1, 0xb1, v, utf8(s));
    if (v instanceof Sym s) return variable(code, 0xa3, 0xb3, v, ascii(s.name()));
    if (v instanceof Map<?, ?> map) return map(code, map);
    if (v instanceof List<?> list) {
      boolean asArray = code == AUTO ? v instanceof Array : code == 0xe0 || code == 0xf0;
      return asArray ? array(code, list) : list(code, list);
    }
    throw new IllegalArgumentException(
        "a " + v.getClass().getName() + " has no AMQP 1.0 type; see Amqp10Value's table");
  }

  private static Encoding fixed(int code, int only, Object v, byte[] body) {
    if (code != AUTO && code != only) throw wrongCode(code, v);
    return new Encoding(only, body);
  }

  private static Encoding variable(int code, int small, int large, Object v, byte[] bytes) {
    int c = code != AUTO ? code : bytes.length <= 0xFF ? small : large;
    if (c == small && bytes.length <= 0xFF) {
      return new Encoding(c, concat(bytes(bytes.length, 1), bytes));
    }
    if (c == large) return new Encoding(c, concat(bytes(bytes.length, 4), bytes));
    throw wrongCode(c, v);
  }

  private static Encoding list(int code, List<?> list) {
    ByteArrayOutputStream items = new ByteArrayOutputStream();
    for (Object item : list) writeValue(item, AUTO, items);
    if (code == 0x45) {
      if (!list.isEmpty()) throw wrongCode(code, list);
      return new Encoding(code, NONE);
    }
    int c =
        code != AUTO ? code : list.isEmpty() ? 0x45 : compoundCode(0xc0, 0xd0, items, list.size());
    if (c == 0x45) return new Encoding(c, NONE);
    return compound(c, 0xc0, 0xd0, list.size(), items.toByteArray(), list);
  }

  private static Encoding map(int code, Map<?, ?> map) {
    ByteArrayOutputStream items = new ByteArrayOutputStream();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      writeValue(entry.getKey(), AUTO, items);
      writeValue(entry.getValue(), AUTO, items);
    }
    int count = map.size() * 2;
    int c = code != AUTO ? code : compoundCode(0xc1, 0xd1, items, count);
    return compound(c, 0xc1, 0xd1, count, items.toByteArray(), map);
  }

  private static Encoding array(int code, List<?> list) {
    int elementCode = list instanceof Array a ? a.elementCode() : AUTO;
    // Descriptors the elements share go to the element constructor, outermost first.
    List<Object> descriptors = new ArrayList<>();
    List<Object> inner = new ArrayList<>(list);
    while (!inner.isEmpty() && inner.get(0) instanceof Described first) {
      Object descriptor = first.descriptor();
      for (int i = 0; i < inner.size(); i++) {
        if (!(inner.get(i) instanceof Described d) || !deepEquals(d.descriptor(), descriptor)) {
          throw new IllegalArgumentException(
              "array elements must share their descriptors: element "
                  + i
                  + " is "
                  + format(list.get(i)));
        }
        inner.set(i, d.value());
      }
      descriptors.add(descriptor);
    }
    if (elementCode == AUTO) elementCode = arrayElementCode(inner);
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (Object descriptor : descriptors) {
      content.write(0x00);
      writeValue(descriptor, AUTO, content);
    }
    content.write(elementCode);
    for (Object element : inner) {
      if (element instanceof Encoded || element instanceof Raw) {
        throw new IllegalArgumentException(
            "an array element cannot be "
                + element.getClass().getSimpleName()
                + "; choose the element encoding with Array.of(code, elements)");
      }
      Encoding e = encoding(element, elementCode);
      content.writeBytes(e.body());
    }
    int c = code != AUTO ? code : compoundCode(0xe0, 0xf0, content, list.size());
    return compound(c, 0xe0, 0xf0, list.size(), content.toByteArray(), list);
  }

  private static int compoundCode(int small, int large, ByteArrayOutputStream content, int count) {
    return content.size() + 1 <= 0xFF && count <= 0xFF ? small : large;
  }

  private static Encoding compound(
      int code, int small, int large, int count, byte[] content, Object v) {
    if (code == small) {
      if (content.length + 1 > 0xFF || count > 0xFF) throw wrongCode(code, v);
      return new Encoding(
          code, concat(new byte[] {(byte) (content.length + 1), (byte) count}, content));
    }
    if (code == large) {
      return new Encoding(code, concat(bytes(content.length + 4L, 4), bytes(count, 4), content));
    }
    throw wrongCode(code, v);
  }

  /** The element constructor the writer uses for an array of these values. */
  private static int arrayElementCode(List<Object> elements) {
    if (elements.isEmpty()) return 0x40;
    String kind = kind(elements.get(0));
    for (Object e : elements) {
      if (!kind(e).equals(kind)) {
        throw new IllegalArgumentException(
            "array elements must share one type: " + kind + " and " + kind(e));
      }
    }
    Object first = elements.get(0);
    if (first instanceof Decimal d) {
      for (Object e : elements) {
        if (((Decimal) e).bits().length != d.bits().length) {
          throw new IllegalArgumentException("array elements mix decimal widths");
        }
      }
    }
    if (first instanceof byte[] || first instanceof String || first instanceof Sym) {
      boolean small = true;
      for (Object e : elements) {
        small &=
            (e instanceof byte[] b
                    ? b.length
                    : e instanceof String s ? utf8(s).length : ascii(((Sym) e).name()).length)
                <= 0xFF;
      }
      int[] codes =
          first instanceof byte[]
              ? new int[] {0xa0, 0xb0}
              : first instanceof String ? new int[] {0xa1, 0xb1} : new int[] {0xa3, 0xb3};
      return small ? codes[0] : codes[1];
    }
    return switch (kind) {
      case "null" -> 0x40;
      case "boolean" -> 0x56;
      case "ubyte" -> 0x50;
      case "ushort" -> 0x60;
      case "uint" -> 0x70;
      case "ulong" -> 0x80;
      case "byte" -> 0x51;
      case "short" -> 0x61;
      case "int" -> 0x71;
      case "long" -> 0x81;
      case "float" -> 0x72;
      case "double" -> 0x82;
      case "decimal" -> encoding(first, AUTO).code();
      case "char" -> 0x73;
      case "timestamp" -> 0x83;
      case "uuid" -> 0x98;
      case "list" -> 0xd0;
      case "map" -> 0xd1;
      case "array" -> 0xf0;
      default -> throw new IllegalArgumentException("no array of " + kind);
    };
  }

  /** The AMQP type name of a value the writer knows, for messages and array checks. */
  static String kind(Object v) {
    if (v == null) return "null";
    if (v instanceof Boolean) return "boolean";
    if (v instanceof UByte) return "ubyte";
    if (v instanceof UShort) return "ushort";
    if (v instanceof UInt) return "uint";
    if (v instanceof ULong) return "ulong";
    if (v instanceof Byte) return "byte";
    if (v instanceof Short) return "short";
    if (v instanceof Integer) return "int";
    if (v instanceof Long) return "long";
    if (v instanceof Float) return "float";
    if (v instanceof Double) return "double";
    if (v instanceof Decimal) return "decimal";
    if (v instanceof Char) return "char";
    if (v instanceof Instant) return "timestamp";
    if (v instanceof UUID) return "uuid";
    if (v instanceof byte[]) return "binary";
    if (v instanceof String) return "string";
    if (v instanceof Sym) return "symbol";
    if (v instanceof Array) return "array";
    if (v instanceof List) return "list";
    if (v instanceof Map) return "map";
    if (v instanceof Described) return "described";
    return v.getClass().getName();
  }

  private static IllegalArgumentException wrongCode(int code, Object v) {
    return new IllegalArgumentException(
        String.format("format code 0x%02x cannot carry the %s %s", code, kind(v), format(v)));
  }

  private static byte[] bytes(long value, int width) {
    byte[] b = new byte[width];
    for (int i = width - 1; i >= 0; i--) {
      b[i] = (byte) value;
      value >>>= 8;
    }
    return b;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) out.writeBytes(part);
    return out.toByteArray();
  }

  private static byte[] utf8(String s) {
    try {
      ByteBuffer b =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(s));
      return Arrays.copyOf(b.array(), b.limit());
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          "the string has an unpaired surrogate, which UTF-8 cannot carry; use Raw for bad UTF-8");
    }
  }

  private static byte[] ascii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0x7F) {
        throw new IllegalArgumentException(
            "symbol \"" + s + "\" is not ASCII; use Raw for an invalid symbol");
      }
    }
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  // ---- reading ----

  /**
   * Decodes exactly one value that fills {@code bytes}.
   *
   * @throws FrameFormatException if the bytes are not one valid encoded value, or bytes are left
   *     over after it
   */
  public static Object decode(byte[] bytes) throws FrameFormatException {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    Object value = new Reader(in).value(0);
    if (in.hasRemaining()) {
      throw new FrameFormatException(
          "malformed AMQP 1.0 value: "
              + in.remaining()
              + " bytes left over after it at offset "
              + in.position());
    }
    return value;
  }

  /**
   * Decodes the values that fill {@code bytes}, one after another, such as the sections of a
   * message.
   *
   * @throws FrameFormatException if the bytes are not a sequence of valid encoded values
   */
  public static List<Object> decodeAll(byte[] bytes) throws FrameFormatException {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    Reader reader = new Reader(in);
    List<Object> values = new ArrayList<>();
    while (in.hasRemaining()) values.add(reader.value(0));
    return Collections.unmodifiableList(values);
  }

  /**
   * Decodes one value from {@code in}, advancing its position past it (also when it fails, to
   * somewhere inside the value). The buffer's byte order does not matter: AMQP is big-endian.
   *
   * @throws FrameFormatException if the bytes at the position are not a valid encoded value
   */
  public static Object read(ByteBuffer in) throws FrameFormatException {
    ByteBuffer view = in.duplicate().order(ByteOrder.BIG_ENDIAN);
    try {
      return new Reader(view).value(0);
    } finally {
      in.position(view.position());
    }
  }

  /** Reads encoded values from a buffer whose positions are offsets into the whole input. */
  private static final class Reader {
    private final ByteBuffer in;

    Reader(ByteBuffer in) {
      this.in = in;
    }

    Object value(int depth) throws FrameFormatException {
      int at = in.position();
      int code = u8(at, "a format code");
      if (code == 0x00) {
        if (depth >= MAX_DEPTH) throw error(at, "values nest deeper than " + MAX_DEPTH);
        Object descriptor = value(depth + 1);
        return new Described(descriptor, value(depth + 1));
      }
      return body(code, at, depth);
    }

    /** The value after its format code. */
    Object body(int code, int at, int depth) throws FrameFormatException {
      String what = String.format("the value of format code 0x%02x", code);
      switch (code) {
        case 0x40:
          return null;
        case 0x41:
          return Boolean.TRUE;
        case 0x42:
          return Boolean.FALSE;
        case 0x56:
          int b = u8(at, what);
          if (b > 1) throw error(at, "boolean 0x56 with the octet " + b + ", not 0 or 1");
          return b == 1;
        case 0x50:
          return new UByte(u8(at, what));
        case 0x60:
          return new UShort((int) unsigned(at, 2, what));
        case 0x70:
          return new UInt(unsigned(at, 4, what));
        case 0x52:
          return new UInt(u8(at, what));
        case 0x43:
          return new UInt(0);
        case 0x80:
          return new ULong(unsigned(at, 8, what));
        case 0x53:
          return new ULong(u8(at, what));
        case 0x44:
          return new ULong(0);
        case 0x51:
          return (byte) unsigned(at, 1, what);
        case 0x61:
          return (short) unsigned(at, 2, what);
        case 0x71:
          return (int) unsigned(at, 4, what);
        case 0x54:
          return (int) (byte) unsigned(at, 1, what);
        case 0x81:
          return unsigned(at, 8, what);
        case 0x55:
          return (long) (byte) unsigned(at, 1, what);
        case 0x72:
          return Float.intBitsToFloat((int) unsigned(at, 4, what));
        case 0x82:
          return Double.longBitsToDouble(unsigned(at, 8, what));
        case 0x74:
          return new Decimal(take(at, 4, what));
        case 0x84:
          return new Decimal(take(at, 8, what));
        case 0x94:
          return new Decimal(take(at, 16, what));
        case 0x73:
          int cp = (int) unsigned(at, 4, what);
          if (!Character.isValidCodePoint(cp) || (cp >= 0xD800 && cp <= 0xDFFF)) {
            throw error(at, String.format("char 0x%08x is not a Unicode scalar value", cp));
          }
          return new Char(cp);
        case 0x83:
          return Instant.ofEpochMilli(unsigned(at, 8, what));
        case 0x98:
          return new UUID(unsigned(at, 8, what), unsigned(at, 8, what));
        case 0xa0:
        case 0xb0:
          return take(at, length(at, code == 0xa0 ? 1 : 4, "binary"), "binary");
        case 0xa1:
        case 0xb1:
          return utf8(at, take(at, length(at, code == 0xa1 ? 1 : 4, "string"), "string"));
        case 0xa3:
        case 0xb3:
          byte[] sym = take(at, length(at, code == 0xa3 ? 1 : 4, "symbol"), "symbol");
          for (byte c : sym) {
            if (c < 0) throw error(at, "symbol with a byte that is not ASCII");
          }
          return new Sym(new String(sym, StandardCharsets.US_ASCII));
        case 0x45:
          return Collections.emptyList();
        case 0xc0:
        case 0xd0:
          return list(code == 0xc0 ? 1 : 4, at, depth);
        case 0xc1:
        case 0xd1:
          return map(code == 0xc1 ? 1 : 4, at, depth);
        case 0xe0:
        case 0xf0:
          return array(code == 0xe0 ? 1 : 4, at, depth);
        default:
          throw error(at, String.format("unknown format code 0x%02x", code));
      }
    }

    private List<Object> list(int width, int at, int depth) throws FrameFormatException {
      int limit = enter(width, at, depth, "list");
      try {
        long count = count(width, at, "list");
        if (count > in.remaining()) {
          throw error(at, "list declares " + count + " elements in " + in.remaining() + " bytes");
        }
        List<Object> items = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) items.add(value(depth + 1));
        requireFilled(at, "list", count);
        return Collections.unmodifiableList(items);
      } finally {
        in.limit(limit);
      }
    }

    private Map<Object, Object> map(int width, int at, int depth) throws FrameFormatException {
      int limit = enter(width, at, depth, "map");
      try {
        long count = count(width, at, "map");
        if (count % 2 != 0) throw error(at, "map declares an odd count, " + count);
        if (count > in.remaining()) {
          throw error(at, "map declares " + count + " elements in " + in.remaining() + " bytes");
        }
        Map<Object, Object> map = new LinkedHashMap<>();
        List<byte[]> binaryKeys = new ArrayList<>();
        for (long i = 0; i < count; i += 2) {
          int keyAt = in.position();
          Object key = value(depth + 1);
          boolean repeated =
              key instanceof byte[] b
                  ? binaryKeys.stream().anyMatch(k -> Arrays.equals(k, b))
                  : map.containsKey(key);
          if (repeated) throw error(keyAt, "map repeats the key " + format(key));
          if (key instanceof byte[] b) binaryKeys.add(b);
          map.put(key, value(depth + 1));
        }
        requireFilled(at, "map", count);
        return Collections.unmodifiableMap(map);
      } finally {
        in.limit(limit);
      }
    }

    private Array array(int width, int at, int depth) throws FrameFormatException {
      int limit = enter(width, at, depth, "array");
      try {
        long count = count(width, at, "array");
        List<Object> descriptors = new ArrayList<>();
        int ctorAt = in.position();
        int elementCode = u8(ctorAt, "the array's element constructor");
        while (elementCode == 0x00) {
          if (depth + descriptors.size() >= MAX_DEPTH) {
            throw error(ctorAt, "values nest deeper than " + MAX_DEPTH);
          }
          descriptors.add(value(depth + 1));
          ctorAt = in.position();
          elementCode = u8(ctorAt, "the array's element constructor");
        }
        if (!isFormatCode(elementCode)) {
          throw error(ctorAt, String.format("unknown element format code 0x%02x", elementCode));
        }
        boolean zeroWidth = elementCode >= 0x40 && elementCode <= 0x45;
        if (zeroWidth ? count > MAX_ZERO_WIDTH_ELEMENTS : count > in.remaining()) {
          throw error(at, "array declares " + count + " elements in " + in.remaining() + " bytes");
        }
        List<Object> elements = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
          Object element = body(elementCode, in.position(), depth + 1);
          for (int d = descriptors.size() - 1; d >= 0; d--) {
            element = new Described(descriptors.get(d), element);
          }
          elements.add(element);
        }
        requireFilled(at, "array", count);
        return new Array(elementCode, elements);
      } finally {
        in.limit(limit);
      }
    }

    /** Reads a compound's size and narrows the buffer to it; returns the limit to restore. */
    private int enter(int width, int at, int depth, String what) throws FrameFormatException {
      if (depth >= MAX_DEPTH) throw error(at, "values nest deeper than " + MAX_DEPTH);
      long size = unsigned(at, width, "the " + what + "'s size");
      if (size > in.remaining()) {
        throw error(
            at, what + " declares a size of " + size + " bytes but " + in.remaining() + " remain");
      }
      int limit = in.limit();
      in.limit(in.position() + (int) size);
      return limit;
    }

    private long count(int width, int at, String what) throws FrameFormatException {
      if (in.remaining() < width) {
        throw error(at, what + " has a size of " + in.remaining() + ", too small for its count");
      }
      return unsigned(at, width, "the " + what + "'s count");
    }

    private void requireFilled(int at, String what, long count) throws FrameFormatException {
      if (in.hasRemaining()) {
        throw error(
            at,
            what
                + " declares a size "
                + in.remaining()
                + " bytes larger than its "
                + count
                + " elements take");
      }
    }

    private long length(int at, int width, String what) throws FrameFormatException {
      long length = unsigned(at, width, "the " + what + "'s length");
      if (length > in.remaining()) {
        throw error(at, what + " declares " + length + " bytes but " + in.remaining() + " remain");
      }
      return length;
    }

    private int u8(int at, String what) throws FrameFormatException {
      return (int) unsigned(at, 1, what);
    }

    private long unsigned(int at, int width, String what) throws FrameFormatException {
      if (in.remaining() < width) {
        throw error(
            at,
            "the input ends inside "
                + what
                + " ("
                + width
                + " bytes needed, "
                + in.remaining()
                + " remain)");
      }
      try {
        return switch (width) {
          case 1 -> in.get() & 0xFFL;
          case 2 -> in.getShort() & 0xFFFFL;
          case 4 -> in.getInt() & 0xFFFF_FFFFL;
          default -> in.getLong();
        };
      } catch (BufferUnderflowException e) {
        throw error(at, "the input ends inside " + what);
      }
    }

    private byte[] take(int at, long n, String what) throws FrameFormatException {
      if (n > in.remaining()) {
        throw error(at, "the input ends inside " + what + " (" + n + " bytes needed)");
      }
      byte[] b = new byte[(int) n];
      in.get(b);
      return b;
    }

    private String utf8(int at, byte[] bytes) throws FrameFormatException {
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes))
            .toString();
      } catch (CharacterCodingException e) {
        throw error(at, "string that is not valid UTF-8");
      }
    }

    private static FrameFormatException error(int at, String message) {
      return new FrameFormatException("malformed AMQP 1.0 value at offset " + at + ": " + message);
    }
  }

  /** Whether the specification defines this primitive format code. */
  static boolean isFormatCode(int code) {
    return switch (code) {
      case 0x40,
          0x41,
          0x42,
          0x43,
          0x44,
          0x45,
          0x50,
          0x51,
          0x52,
          0x53,
          0x54,
          0x55,
          0x56,
          0x60,
          0x61,
          0x70,
          0x71,
          0x72,
          0x73,
          0x74,
          0x80,
          0x81,
          0x82,
          0x83,
          0x84,
          0x94,
          0x98,
          0xa0,
          0xa1,
          0xa3,
          0xb0,
          0xb1,
          0xb3,
          0xc0,
          0xc1,
          0xd0,
          0xd1,
          0xe0,
          0xf0 ->
          true;
      default -> false;
    };
  }

  // ---- looking at values ----

  /**
   * The value of any integral AMQP number ({@code ubyte} to {@code ulong}, {@code byte} to {@code
   * long}) as a {@code long}; a {@code ulong} above {@link Long#MAX_VALUE} comes out negative.
   *
   * @throws IllegalArgumentException if the value is not an integral number
   */
  public static long longValue(Object value) {
    if (value instanceof UByte u) return u.value();
    if (value instanceof UShort u) return u.value();
    if (value instanceof UInt u) return u.value();
    if (value instanceof ULong u) return u.value();
    if (value instanceof Byte
        || value instanceof Short
        || value instanceof Integer
        || value instanceof Long) {
      return ((Number) value).longValue();
    }
    throw new IllegalArgumentException("not an integral AMQP number: " + format(value));
  }

  /**
   * Whether two values are equal as AMQP values: binaries by content, lists and arrays element by
   * element (a list never equals an array), maps entry by entry in any order, described values by
   * descriptor and value, and everything else by {@link Object#equals}.
   */
  public static boolean deepEquals(Object a, Object b) {
    if (a == b) return true;
    if (a == null || b == null) return false;
    if (a instanceof byte[] x) return b instanceof byte[] y && Arrays.equals(x, y);
    if (a instanceof Described x) {
      return b instanceof Described y
          && deepEquals(x.descriptor(), y.descriptor())
          && deepEquals(x.value(), y.value());
    }
    if (a instanceof List<?> x) {
      if (!(b instanceof List<?> y) || (a instanceof Array) != (b instanceof Array)) return false;
      if (x.size() != y.size()) return false;
      for (int i = 0; i < x.size(); i++) {
        if (!deepEquals(x.get(i), y.get(i))) return false;
      }
      return true;
    }
    if (a instanceof Map<?, ?> x) {
      if (!(b instanceof Map<?, ?> y) || x.size() != y.size()) return false;
      outer:
      for (Map.Entry<?, ?> ex : x.entrySet()) {
        for (Map.Entry<?, ?> ey : y.entrySet()) {
          if (deepEquals(ex.getKey(), ey.getKey())) {
            if (!deepEquals(ex.getValue(), ey.getValue())) return false;
            continue outer;
          }
        }
        return false;
      }
      return true;
    }
    return a.equals(b);
  }

  /** A hash code consistent with {@link #deepEquals}. */
  public static int deepHashCode(Object v) {
    if (v == null) return 0;
    if (v instanceof byte[] b) return Arrays.hashCode(b);
    if (v instanceof Described d) {
      return 31 * deepHashCode(d.descriptor()) + deepHashCode(d.value());
    }
    if (v instanceof List<?> list) {
      int h = v instanceof Array ? 7 : 1;
      for (Object e : list) h = 31 * h + deepHashCode(e);
      return h;
    }
    if (v instanceof Map<?, ?> map) {
      int h = 0;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        h += deepHashCode(e.getKey()) ^ deepHashCode(e.getValue());
      }
      return h;
    }
    return v.hashCode();
  }

  /**
   * A value as a person reads it: strings quoted, symbols after a colon ({@code :PLAIN}), binaries
   * in hex, described values of the specification by name with their fields ({@code
   * error(condition=:amqp:not-found, description="gone")}). Long strings and binaries are cut.
   */
  public static String format(Object value) {
    StringBuilder out = new StringBuilder();
    format(value, out, 0);
    return out.toString();
  }

  private static final int FORMAT_DEPTH = 8;
  private static final int FORMAT_STRING = 200;
  private static final int FORMAT_BINARY = 32;

  private static void format(Object v, StringBuilder out, int depth) {
    if (depth > FORMAT_DEPTH) {
      out.append("…");
    } else if (v instanceof String s) {
      out.append('"');
      String cut = s.length() > FORMAT_STRING ? s.substring(0, FORMAT_STRING) : s;
      out.append(cut.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"));
      out.append(s.length() > FORMAT_STRING ? "…(" + s.length() + " chars)\"" : "\"");
    } else if (v instanceof Sym s) {
      out.append(':').append(s.name());
    } else if (v instanceof byte[] b) {
      out.append("0x");
      out.append(HexFormat.of().formatHex(b, 0, Math.min(b.length, FORMAT_BINARY)));
      if (b.length > FORMAT_BINARY) out.append("…(").append(b.length).append(" bytes)");
      if (b.length == 0) out.append("(empty)");
    } else if (v instanceof Described d) {
      Schema.Composite composite = Schema.composite(d.descriptor());
      if (composite != null && (!composite.isList() || d.value() instanceof List)) {
        out.append(composite.name()).append('(');
        if (composite.isList()) {
          List<?> fields = (List<?>) d.value();
          boolean first = true;
          for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i) == null) continue;
            if (!first) out.append(", ");
            first = false;
            out.append(composite.fieldName(i)).append('=');
            format(fields.get(i), out, depth + 1);
          }
        } else {
          format(d.value(), out, depth + 1);
        }
        out.append(')');
      } else {
        out.append("described(");
        format(d.descriptor(), out, depth + 1);
        out.append(", ");
        format(d.value(), out, depth + 1);
        out.append(')');
      }
    } else if (v instanceof List<?> list) {
      out.append(v instanceof Array ? "array[" : "[");
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) out.append(", ");
        format(list.get(i), out, depth + 1);
      }
      out.append(']');
    } else if (v instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) out.append(", ");
        first = false;
        format(e.getKey(), out, depth + 1);
        out.append('=');
        format(e.getValue(), out, depth + 1);
      }
      out.append('}');
    } else if (v instanceof ULong u) {
      out.append(Long.toUnsignedString(u.value()));
    } else if (v instanceof UInt || v instanceof UShort || v instanceof UByte) {
      out.append(longValue(v));
    } else if (v instanceof Char c) {
      out.append('\'')
          .appendCodePoint(Character.isValidCodePoint(c.codePoint()) ? c.codePoint() : '?');
      out.append('\'');
    } else {
      out.append(v);
    }
  }

  // ---- value types ----

  /** An AMQP {@code symbol}: an ASCII name from a constrained domain, such as {@code PLAIN}. */
  public record Sym(String name) {
    public Sym {
      Objects.requireNonNull(name, "name == null");
    }

    /** The symbol with this name. */
    public static Sym of(String name) {
      return new Sym(name);
    }
  }

  /** An AMQP {@code ubyte}, 0 to 255. */
  public record UByte(int value) {
    public UByte {
      if (value < 0 || value > 0xFF) {
        throw new IllegalArgumentException("ubyte out of range: " + value);
      }
    }
  }

  /** An AMQP {@code ushort}, 0 to 65535. */
  public record UShort(int value) {
    public UShort {
      if (value < 0 || value > 0xFFFF) {
        throw new IllegalArgumentException("ushort out of range: " + value);
      }
    }
  }

  /** An AMQP {@code uint}, 0 to 4294967295. */
  public record UInt(long value) {
    public UInt {
      if (value < 0 || value > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("uint out of range: " + value);
      }
    }
  }

  /** An AMQP {@code ulong}: the 64 bits, read as unsigned (so above 2^63 the long is negative). */
  public record ULong(long value) {
    @Override
    public String toString() {
      return "ULong[value=" + Long.toUnsignedString(value) + "]";
    }
  }

  /** An AMQP {@code char}: one code point, written as UTF-32 whether valid or not. */
  public record Char(int codePoint) {}

  /** An AMQP {@code decimal32}, {@code decimal64} or {@code decimal128}: its 4, 8 or 16 bytes. */
  public record Decimal(byte[] bits) {
    public Decimal {
      Objects.requireNonNull(bits, "bits == null");
      if (bits.length != 4 && bits.length != 8 && bits.length != 16) {
        throw new IllegalArgumentException("a decimal has 4, 8 or 16 bytes, not " + bits.length);
      }
      bits = bits.clone();
    }

    /** A copy of the bits. */
    @Override
    public byte[] bits() {
      return bits.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Decimal d && Arrays.equals(d.bits, bits);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
      return "decimal" + bits.length * 8 + ":0x" + HexFormat.of().formatHex(bits);
    }
  }

  /**
   * A described value: a descriptor (usually a {@link ULong} code or a {@link Sym} name) and the
   * value it describes. Performatives, errors, delivery states, termini and message sections are
   * described lists or values.
   *
   * <p>Equality is {@link Amqp10Value#deepEquals}.
   */
  public record Described(Object descriptor, Object value) {
    /**
     * The numeric descriptor: the {@code ulong}, or the code of a symbolic descriptor the
     * specification defines; -1 for any other descriptor.
     */
    public long code() {
      if (descriptor instanceof ULong u) return u.value();
      Schema.Composite composite = Schema.composite(descriptor);
      return composite == null ? -1 : composite.code();
    }

    /** Whether the descriptor is this code, numerically or by the specification's symbol. */
    public boolean is(long code) {
      return code() == code;
    }

    /** The specification's name for the descriptor ({@code open}, {@code error}), or null. */
    public String name() {
      Schema.Composite composite = Schema.composite(descriptor);
      return composite == null ? null : composite.name();
    }

    /**
     * The fields of a described list.
     *
     * @throws IllegalStateException if the described value is not a list
     */
    public List<Object> fields() {
      if (!(value instanceof List<?> list)) {
        throw new IllegalStateException("not a described list: " + format(this));
      }
      return Collections.unmodifiableList(list);
    }

    /** A field of a described list by position; null when absent, the list being shorter. */
    public Object field(int index) {
      List<Object> fields = fields();
      return index < fields.size() ? fields.get(index) : null;
    }

    /**
     * A field of a described list by the name the specification gives it ({@code "container-id"});
     * null when absent.
     *
     * @throws IllegalArgumentException if the specification gives the descriptor no such field
     */
    public Object field(String name) {
      return field(Schema.require(descriptor).index(name));
    }

    /**
     * A copy with a field set by name; Java values are converted to the field's type as {@link
     * Performatives} describes ({@code 5} for a {@code uint} field becomes a {@link UInt}, {@code
     * "x"} for a symbol field a {@link Sym}). Missing fields before it are filled with null, and
     * trailing nulls dropped, so setting the last field to null removes it.
     *
     * @throws IllegalArgumentException if the specification gives the descriptor no such field, or
     *     the value cannot be converted
     */
    public Described with(String name, Object value) {
      Schema.Composite composite = Schema.require(descriptor);
      int index = composite.index(name);
      return with(index, composite.convert(index, value));
    }

    /**
     * A copy with the field at {@code index} set to exactly this value, nulls filling any gap and
     * trailing nulls dropped (build with {@link Performatives#described} to keep them).
     */
    public Described with(int index, Object value) {
      if (index < 0) throw new IllegalArgumentException("negative field index " + index);
      List<Object> fields = new ArrayList<>(fields());
      while (fields.size() <= index) fields.add(null);
      fields.set(index, value);
      while (!fields.isEmpty() && fields.get(fields.size() - 1) == null) {
        fields.remove(fields.size() - 1);
      }
      return new Described(descriptor, Collections.unmodifiableList(fields));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Described d && deepEquals(this, d);
    }

    @Override
    public int hashCode() {
      return deepHashCode(this);
    }

    @Override
    public String toString() {
      return format(this);
    }
  }

  /**
   * An AMQP {@code array}: values of one type sharing one element constructor. It is a {@link
   * List}, and equal to any list with equal elements; {@link Amqp10Value#deepEquals} tells it from
   * a list.
   *
   * <p>Immutable. Arrays of described values are written with the descriptor in the element
   * constructor; when read, each element is a {@link Described}. An empty array read from the wire
   * keeps its element format code but not a descriptor.
   */
  public static final class Array extends AbstractList<Object> implements RandomAccess {
    private final int elementCode;
    private final List<Object> elements;

    Array(int elementCode, List<?> elements) {
      if (elementCode != AUTO && !isFormatCode(elementCode)) {
        throw new IllegalArgumentException(
            String.format("0x%02x is not a primitive format code", elementCode));
      }
      this.elementCode = elementCode;
      this.elements = Collections.unmodifiableList(new ArrayList<>(elements));
    }

    /** An array of these values; the writer chooses the element encoding. */
    public static Array of(Object... elements) {
      return new Array(AUTO, Arrays.asList(elements));
    }

    /**
     * An array whose elements the writer encodes with this format code, such as {@code 0xb3} for
     * symbols that would each fit a {@code sym8}.
     *
     * @throws IllegalArgumentException if the code is not a primitive format code
     */
    public static Array of(int elementCode, List<?> elements) {
      return new Array(elementCode, elements);
    }

    /** The element format code read, or given; -1 when the writer chooses. */
    public int elementCode() {
      return elementCode;
    }

    @Override
    public Object get(int index) {
      return elements.get(index);
    }

    @Override
    public int size() {
      return elements.size();
    }
  }

  /**
   * A value the writer encodes with this format code instead of the smallest one, such as {@code
   * new Encoded(0xb1, "c")} for a {@code str32}. The code must be one of the encodings of the
   * value's type that can hold it.
   */
  public record Encoded(int code, Object value) {
    public Encoded {
      if (code < 0 || code > 0xFF) throw new IllegalArgumentException("format code out of range");
    }
  }

  /** Bytes the writer copies as they are, in place of a value: anything, valid or not. */
  public record Raw(byte[] bytes) {
    public Raw {
      Objects.requireNonNull(bytes, "bytes == null");
      bytes = bytes.clone();
    }

    /** Raw bytes given as hexadecimal, spaces allowed: {@code Raw.hex("a1 ff 41")}. */
    public static Raw hex(String hex) {
      return new Raw(HexFormat.of().parseHex(hex.replace(" ", "")));
    }

    /** A copy of the bytes. */
    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Raw r && Arrays.equals(r.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Raw[" + HexFormat.ofDelimiter(" ").formatHex(bytes) + "]";
    }
  }
}
