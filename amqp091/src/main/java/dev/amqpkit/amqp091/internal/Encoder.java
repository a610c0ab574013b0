package dev.amqpkit.amqp091.internal;

import dev.amqpkit.amqp091.UnsignedByte;
import dev.amqpkit.amqp091.UnsignedInt;
import dev.amqpkit.amqp091.UnsignedShort;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * Appends AMQP 0-9-1 primitive values to a growable byte array. Reused across frames: {@link
 * #reset} keeps the array, so a steady stream of frames allocates nothing.
 *
 * <p>Values a caller supplies are checked: a short string over 255 bytes or a field-table value of
 * an unknown Java type is an {@link IllegalArgumentException} naming it.
 *
 * <p>Not thread-safe.
 */
public final class Encoder {
  private byte[] buffer;
  private int position;

  public Encoder(int initialCapacity) {
    buffer = new byte[Math.max(16, initialCapacity)];
  }

  public Encoder reset() {
    position = 0;
    return this;
  }

  public int position() {
    return position;
  }

  /** The backing array; valid bytes are {@code [0, position())}. */
  public byte[] array() {
    return buffer;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buffer, position);
  }

  public void ensure(int more) {
    if (position + more > buffer.length) {
      int wanted = position + more;
      buffer = Arrays.copyOf(buffer, Math.max(wanted, buffer.length * 2));
    }
  }

  /** Moves the write position, e.g. back to patch a length written earlier. */
  public void position(int newPosition) {
    position = newPosition;
  }

  public Encoder octet(int v) {
    ensure(1);
    buffer[position++] = (byte) v;
    return this;
  }

  public Encoder shortUint(int v) {
    ensure(2);
    buffer[position++] = (byte) (v >>> 8);
    buffer[position++] = (byte) v;
    return this;
  }

  public Encoder longInt(int v) {
    ensure(4);
    buffer[position++] = (byte) (v >>> 24);
    buffer[position++] = (byte) (v >>> 16);
    buffer[position++] = (byte) (v >>> 8);
    buffer[position++] = (byte) v;
    return this;
  }

  public Encoder longUint(long v) {
    return longInt((int) v);
  }

  public Encoder longLong(long v) {
    longInt((int) (v >>> 32));
    return longInt((int) v);
  }

  /** Writes {@code length} raw bytes. */
  public Encoder bytes(byte[] src, int offset, int length) {
    ensure(length);
    System.arraycopy(src, offset, buffer, position, length);
    position += length;
    return this;
  }

  /** A short string; {@code null} is written as empty. */
  public Encoder shortString(String s) {
    if (s == null || s.isEmpty()) return octet(0);
    int length = s.length();
    if (length <= 255 && isAscii(s)) {
      ensure(1 + length);
      buffer[position++] = (byte) length;
      for (int i = 0; i < length; i++) buffer[position++] = (byte) s.charAt(i);
      return this;
    }
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    if (utf8.length > 255) {
      throw new IllegalArgumentException(
          "short string of " + utf8.length + " bytes is over 255: " + abbreviate(s));
    }
    octet(utf8.length);
    return bytes(utf8, 0, utf8.length);
  }

  /** A long string of raw bytes; {@code null} is written as empty. */
  public Encoder longString(byte[] value) {
    if (value == null) return longInt(0);
    longInt(value.length);
    return bytes(value, 0, value.length);
  }

  public Encoder longString(String value) {
    return longString(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  public Encoder timestamp(Instant t) {
    return longLong(t.getEpochSecond());
  }

  /** A field table; {@code null} encodes as an empty table. */
  public Encoder table(Map<String, ?> table) {
    if (table == null || table.isEmpty()) return longInt(0);
    int lengthAt = position;
    longInt(0);
    for (Map.Entry<String, ?> e : table.entrySet()) {
      String key = e.getKey();
      if (key == null) throw new IllegalArgumentException("a field table key is null");
      shortString(key);
      fieldValue(key, e.getValue());
    }
    patchLength(lengthAt);
    return this;
  }

  private void patchLength(int lengthAt) {
    int end = position;
    position = lengthAt;
    longInt(end - lengthAt - 4);
    position = end;
  }

  private void fieldValue(String key, Object value) {
    if (value == null) {
      octet('V');
    } else if (value instanceof String v) {
      octet('S').longString(v);
    } else if (value instanceof Integer v) {
      octet('I').longInt(v);
    } else if (value instanceof Long v) {
      octet('l').longLong(v);
    } else if (value instanceof Boolean v) {
      octet('t').octet(v ? 1 : 0);
    } else if (value instanceof Map<?, ?> v) {
      @SuppressWarnings("unchecked")
      Map<String, ?> nested = (Map<String, ?>) v;
      octet('F').table(nested);
    } else if (value instanceof List<?> v) {
      octet('A');
      int lengthAt = position;
      longInt(0);
      for (Object item : v) fieldValue(key, item);
      patchLength(lengthAt);
    } else if (value instanceof Byte v) {
      octet('b').octet(v);
    } else if (value instanceof Short v) {
      octet('s').shortUint(v);
    } else if (value instanceof UnsignedByte v) {
      octet('B').octet(v.value());
    } else if (value instanceof UnsignedShort v) {
      octet('u').shortUint(v.value());
    } else if (value instanceof UnsignedInt v) {
      octet('i').longUint(v.value());
    } else if (value instanceof Float v) {
      octet('f').longInt(Float.floatToIntBits(v));
    } else if (value instanceof Double v) {
      octet('d').longLong(Double.doubleToLongBits(v));
    } else if (value instanceof BigDecimal v) {
      if (v.scale() < 0 || v.scale() > 255 || v.unscaledValue().bitLength() > 31) {
        throw new IllegalArgumentException(
            "field '"
                + key
                + "': a decimal needs a scale of 0..255 and a 32-bit unscaled value: "
                + v);
      }
      octet('D').octet(v.scale()).longInt(v.unscaledValue().intValue());
    } else if (value instanceof byte[] v) {
      octet('x').longString(v);
    } else if (value instanceof Instant v) {
      octet('T').timestamp(v);
    } else if (value instanceof Date v) {
      octet('T').longLong(v.getTime() / 1000);
    } else if (value instanceof Character v) {
      octet('S').longString(String.valueOf(v));
    } else {
      throw new IllegalArgumentException(
          "field '" + key + "': no field-table type for " + value.getClass().getName());
    }
  }

  private static boolean isAscii(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      if (s.charAt(i) >= 0x80) return false;
    }
    return true;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
