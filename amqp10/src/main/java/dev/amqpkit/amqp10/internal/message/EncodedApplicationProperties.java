package dev.amqpkit.amqp10.internal.message;

import dev.amqpkit.amqp10.internal.codec.Decoder;
import dev.amqpkit.amqp10.internal.protocol.ProtocolTypes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A message's application properties, read straight from its bytes: {@link #get} finds a key by
 * comparing the encoded keys and decodes only its value, so a receiver that looks at two of twenty
 * properties decodes two. Iterating, or anything else that needs every entry, decodes them all once
 * into a map.
 *
 * <p>Made only by {@link #read}, which checks every key and value first (string keys, simple
 * values, valid UTF-8, sizes within the section), so a lookup never meets bad bytes. The bytes must
 * not change while the map lives. Unmodifiable and thread-safe.
 */
public final class EncodedApplicationProperties extends AbstractMap<String, Object> {
  private static final ThreadLocal<Decoder> DECODER =
      ThreadLocal.withInitial(() -> new Decoder(ProtocolTypes.REGISTRY));

  private final byte[] bytes;
  private final int start; // the first key
  private final int entries; // as encoded
  private final int size; // entries, or -1 when a key may repeat: then the decoded map's size
  private volatile Map<String, Object> all;

  private EncodedApplicationProperties(byte[] bytes, int start, int entries, int size) {
    this.bytes = bytes;
    this.start = start;
    this.entries = entries;
    this.size = size;
  }

  /** Up to this many entries, keys are checked for repeats when read; beyond, on first size(). */
  static final int CHECKED_ENTRIES = 32;

  /**
   * Checks the {@code count} keys and values (count is twice the entries) from {@code start} to
   * exactly {@code end} and returns a map over them; null, for the caller's general decoder to
   * judge, if they are not all string keys with simple values that this class reads.
   *
   * @param scratch room for {@link #CHECKED_ENTRIES} positions, reused by the caller
   */
  static EncodedApplicationProperties read(
      byte[] bytes, int start, int end, long count, int[] scratch) {
    if ((count & 1) != 0 || count > end - start) return null;
    int entries = (int) (count / 2);
    boolean check = entries <= CHECKED_ENTRIES;
    int[] keys = scratch; // where each key starts, to find repeats
    int at = start;
    boolean repeats = false;
    for (int i = 0; i < entries; i++) {
      int key = stringEnd(bytes, at, end);
      if (key < 0) return null;
      if (check) {
        keys[i] = at;
        for (int j = 0; j < i && !repeats; j++) repeats = sameEncodedKey(bytes, keys[j], at);
      }
      at = key;
      int value = valueEnd(bytes, at, end);
      if (value < 0) return null;
      at = value;
    }
    if (at != end) return null;
    return new EncodedApplicationProperties(
        bytes, start, entries, check && !repeats ? entries : -1);
  }

  /** Whether the strings encoded at {@code a} and {@code b} are the same bytes (so, the same). */
  private static boolean sameEncodedKey(byte[] bytes, int a, int b) {
    int aLength = (bytes[a] & 0xFF) == 0xa1 ? bytes[a + 1] & 0xFF : int32(bytes, a + 1);
    int bLength = (bytes[b] & 0xFF) == 0xa1 ? bytes[b + 1] & 0xFF : int32(bytes, b + 1);
    if (aLength != bLength) return false;
    int aData = a + ((bytes[a] & 0xFF) == 0xa1 ? 2 : 5);
    int bData = b + ((bytes[b] & 0xFF) == 0xa1 ? 2 : 5);
    return java.util.Arrays.equals(bytes, aData, aData + aLength, bytes, bData, bData + bLength);
  }

  /** The end of a str8 or str32 of valid UTF-8 at {@code at}, or -1. */
  private static int stringEnd(byte[] b, int at, int end) {
    if (at >= end) return -1;
    int code = b[at] & 0xFF;
    int length;
    int data;
    if (code == 0xa1) {
      if (at + 2 > end) return -1;
      length = b[at + 1] & 0xFF;
      data = at + 2;
    } else if (code == 0xb1) {
      if (at + 5 > end) return -1;
      length = int32(b, at + 1);
      data = at + 5;
    } else {
      return -1;
    }
    if (length < 0 || length > end - data || !validUtf8(b, data, data + length)) return -1;
    return data + length;
  }

  /** The end of a simple value at {@code at} that {@link #value} reads, or -1. */
  private static int valueEnd(byte[] b, int at, int end) {
    if (at >= end) return -1;
    int code = b[at] & 0xFF;
    int width =
        switch (code) {
          case 0x40, 0x41, 0x42, 0x43, 0x44 -> 0;
          case 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56 -> 1;
          case 0x60, 0x61 -> 2;
          case 0x70, 0x71, 0x72, 0x74 -> 4;
          case 0x80, 0x81, 0x82, 0x83, 0x84 -> 8;
          case 0x94, 0x98 -> 16;
          case 0xa1, 0xb1 -> -2; // strings: checked as keys are
          case 0xa0, 0xa3 -> -3; // vbin8, sym8
          case 0xb0, 0xb3 -> -4; // vbin32, sym32
          default -> -1; // char, compound, array, described: the general decoder's
        };
    if (width >= 0) return at + 1 + width <= end ? at + 1 + width : -1;
    if (width == -2) return stringEnd(b, at, end);
    if (width == -1) return -1;
    int data = at + (width == -3 ? 2 : 5);
    if (data > end) return -1;
    int length = width == -3 ? b[at + 1] & 0xFF : int32(b, at + 1);
    if (length < 0 || length > end - data) return -1;
    if (code == 0xa3 || code == 0xb3) {
      for (int i = data; i < data + length; i++) if (b[i] < 0) return -1; // symbols are ASCII
    }
    return data + length;
  }

  private static int int32(byte[] b, int at) {
    return (b[at] & 0xFF) << 24
        | (b[at + 1] & 0xFF) << 16
        | (b[at + 2] & 0xFF) << 8
        | b[at + 3] & 0xFF;
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
          long[].class, java.nio.ByteOrder.BIG_ENDIAN);

  /** Whether the bytes are all ASCII; eight at a time. */
  static boolean ascii(byte[] b, int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      if (((long) LONGS.get(b, i) & 0x8080_8080_8080_8080L) != 0) return false;
    }
    for (; i < to; i++) if (b[i] < 0) return false;
    return true;
  }

  /** Whether the bytes are well-formed UTF-8 (shortest forms, no surrogates, up to U+10FFFF). */
  static boolean validUtf8(byte[] b, int from, int to) {
    if (ascii(b, from, to)) return true;
    int i = from;
    while (i < to) {
      int c = b[i] & 0xFF;
      if (c < 0x80) {
        i++;
        continue;
      }
      int n;
      int min;
      if (c >= 0xC2 && c <= 0xDF) {
        n = 1;
        min = 0x80;
      } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2;
        min = 0x800;
      } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3;
        min = 0x10000;
      } else {
        return false;
      }
      if (i + n >= to) return false; // the continuation bytes run past the string
      int cp = c & (0x3F >> n);
      for (int k = 1; k <= n; k++) {
        int cc = b[i + k] & 0xFF;
        if ((cc & 0xC0) != 0x80) return false;
        cp = cp << 6 | cc & 0x3F;
      }
      if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
      i += n + 1;
    }
    return true;
  }

  @Override
  public Object get(Object key) {
    Map<String, Object> decoded = all;
    if (decoded != null) return decoded.get(key);
    int value = find(key);
    return value < 0 ? null : value(value);
  }

  @Override
  public boolean containsKey(Object key) {
    Map<String, Object> decoded = all;
    if (decoded != null) return decoded.containsKey(key);
    return find(key) >= 0;
  }

  /** The position of the value of the last entry with this key (as a map keeps), or -1. */
  private int find(Object key) {
    if (!(key instanceof String k)) return -1;
    int found = -1;
    int at = start;
    for (int i = 0; i < entries; i++) {
      int data = keyData(at);
      int length = keyLength(at);
      int valueAt = data + length;
      if (sameKey(data, length, k)) {
        if (size >= 0) return valueAt; // keys are distinct: the first is the one
        found = valueAt;
      }
      at = valueEnd(bytes, valueAt, bytes.length);
    }
    return found;
  }

  /** Where the bytes of the key (a str8 or str32, checked by read) at {@code at} begin. */
  private int keyData(int at) {
    return at + ((bytes[at] & 0xFF) == 0xa1 ? 2 : 5);
  }

  private int keyLength(int at) {
    return (bytes[at] & 0xFF) == 0xa1 ? bytes[at + 1] & 0xFF : int32(bytes, at + 1);
  }

  private boolean sameKey(int data, int length, String key) {
    if (length == key.length()) {
      int i = 0;
      while (i < length && bytes[data + i] >= 0 && bytes[data + i] == key.charAt(i)) i++;
      if (i == length) return true;
      if (bytes[data + i] >= 0) return false; // an ASCII byte differs
    } else if (length < key.length()) {
      return false; // UTF-8 never takes fewer bytes than UTF-16 takes chars
    }
    return new String(bytes, data, length, StandardCharsets.UTF_8).equals(key);
  }

  /** Decodes the value at {@code at}; the common types by hand, the rest by the decoder. */
  private Object value(int at) {
    int code = bytes[at] & 0xFF;
    return switch (code) {
      case 0x40 -> null;
      case 0x41 -> Boolean.TRUE;
      case 0x42 -> Boolean.FALSE;
      case 0x56 -> bytes[at + 1] != 0;
      case 0x54 -> (int) bytes[at + 1];
      case 0x71 -> int32(bytes, at + 1);
      case 0x55 -> (long) bytes[at + 1];
      case 0x81 -> (long) int32(bytes, at + 1) << 32 | (int32(bytes, at + 5) & 0xFFFF_FFFFL);
      case 0xa1 -> string(at + 2, bytes[at + 1] & 0xFF);
      case 0xb1 -> string(at + 5, int32(bytes, at + 1));
      default -> DECODER.get().decode(ByteBuffer.wrap(bytes, at, bytes.length - at));
    };
  }

  private String string(int data, int length) {
    for (int i = data; i < data + length; i++) {
      if (bytes[i] < 0) return new String(bytes, data, length, StandardCharsets.UTF_8);
    }
    return new String(bytes, data, length, StandardCharsets.ISO_8859_1);
  }

  @Override
  public int size() {
    return size >= 0 ? size : all().size();
  }

  @Override
  public boolean isEmpty() {
    return size() == 0;
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return all().entrySet();
  }

  private Map<String, Object> all() {
    Map<String, Object> decoded = all;
    if (decoded == null) {
      Map<String, Object> map = new LinkedHashMap<>(entries * 4 / 3 + 1);
      int at = start;
      for (int i = 0; i < entries; i++) {
        int data = keyData(at);
        int length = keyLength(at);
        int valueAt = data + length;
        map.put(string(data, length), value(valueAt));
        at = valueEnd(bytes, valueAt, bytes.length);
      }
      decoded = Collections.unmodifiableMap(map);
      all = decoded;
    }
    return decoded;
  }
}
