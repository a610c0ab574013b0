package dev.amqpkit.testkit.amqp091;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Encodes the arguments of an AMQP 0-9-1 method in the order they are appended. Consecutive {@link
 * #bit bits} share octets, as the specification packs them.
 *
 * <p>Field tables take Java values: {@code Boolean} (t), {@code Byte} (b), {@code Short} (s),
 * {@code Integer} (I), {@code Long} (l), {@code Float} (f), {@code Double} (d), {@code BigDecimal}
 * (D), {@code String} (S, UTF-8), {@code byte[]} (x), {@code List} (A), {@code Map} (F), {@code
 * Instant} (T, whole seconds) and {@code null} (V). Use {@link #raw(byte[])} for bytes no encoder
 * would produce.
 *
 * <p>Not thread-safe; build, then hand to {@link Frame#method}.
 */
public final class Arguments {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private int pendingBits;
  private int pendingBitCount;

  private Arguments() {}

  /** An empty argument list. */
  public static Arguments create() {
    return new Arguments();
  }

  public Arguments octet(int value) {
    flushBits();
    out.write(value);
    return this;
  }

  public Arguments shortUint(int value) {
    flushBits();
    writeShort(value);
    return this;
  }

  public Arguments longUint(long value) {
    flushBits();
    writeInt((int) value);
    return this;
  }

  public Arguments longLong(long value) {
    flushBits();
    writeLong(value);
    return this;
  }

  /** A short string: a length octet and at most 255 bytes of UTF-8. */
  public Arguments shortString(String value) {
    flushBits();
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > 255) {
      throw new IllegalArgumentException("short string of " + bytes.length + " bytes, over 255");
    }
    out.write(bytes.length);
    out.writeBytes(bytes);
    return this;
  }

  /** A long string of UTF-8. */
  public Arguments longString(String value) {
    return longString(value.getBytes(StandardCharsets.UTF_8));
  }

  /** A long string of arbitrary bytes. */
  public Arguments longString(byte[] value) {
    flushBits();
    writeInt(value.length);
    out.writeBytes(value);
    return this;
  }

  /** One bit; up to eight consecutive bits share an octet, the first in the lowest bit. */
  public Arguments bit(boolean value) {
    if (pendingBitCount == 8) flushBits();
    if (value) pendingBits |= 1 << pendingBitCount;
    pendingBitCount++;
    return this;
  }

  public Arguments timestamp(Instant value) {
    return longLong(value.getEpochSecond());
  }

  /** A field table; {@code null} encodes as an empty table. */
  public Arguments table(Map<String, ?> table) {
    flushBits();
    byte[] encoded = encodeTable(table == null ? Map.of() : table);
    writeInt(encoded.length);
    out.writeBytes(encoded);
    return this;
  }

  /** Bytes appended as they are, for tests that need what no encoder writes. */
  public Arguments raw(byte[] bytes) {
    flushBits();
    out.writeBytes(bytes);
    return this;
  }

  /** The encoded arguments. */
  public byte[] toByteArray() {
    flushBits();
    return out.toByteArray();
  }

  private void flushBits() {
    if (pendingBitCount > 0) {
      out.write(pendingBits);
      pendingBits = 0;
      pendingBitCount = 0;
    }
  }

  private void writeShort(int v) {
    out.write(v >>> 8);
    out.write(v);
  }

  private void writeInt(int v) {
    writeShort(v >>> 16);
    writeShort(v);
  }

  private void writeLong(long v) {
    writeInt((int) (v >>> 32));
    writeInt((int) v);
  }

  private static byte[] encodeTable(Map<String, ?> table) {
    Arguments body = new Arguments();
    for (Map.Entry<String, ?> e : table.entrySet()) {
      body.shortString(Objects.requireNonNull(e.getKey(), "table key == null"));
      body.fieldValue(e.getValue());
    }
    return body.toByteArray();
  }

  private void fieldValue(Object value) {
    if (value == null) {
      out.write('V');
    } else if (value instanceof Boolean v) {
      out.write('t');
      out.write(v ? 1 : 0);
    } else if (value instanceof Byte v) {
      out.write('b');
      out.write(v);
    } else if (value instanceof Short v) {
      out.write('s');
      writeShort(v);
    } else if (value instanceof Integer v) {
      out.write('I');
      writeInt(v);
    } else if (value instanceof Long v) {
      out.write('l');
      writeLong(v);
    } else if (value instanceof Float v) {
      out.write('f');
      writeInt(Float.floatToIntBits(v));
    } else if (value instanceof Double v) {
      out.write('d');
      writeLong(Double.doubleToLongBits(v));
    } else if (value instanceof BigDecimal v) {
      if (v.scale() < 0 || v.scale() > 255) {
        throw new IllegalArgumentException("decimal scale out of 0..255: " + v);
      }
      out.write('D');
      out.write(v.scale());
      writeInt(v.unscaledValue().intValueExact());
    } else if (value instanceof String v) {
      out.write('S');
      byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
      writeInt(bytes.length);
      out.writeBytes(bytes);
    } else if (value instanceof byte[] v) {
      out.write('x');
      writeInt(v.length);
      out.writeBytes(v);
    } else if (value instanceof Instant v) {
      out.write('T');
      writeLong(v.getEpochSecond());
    } else if (value instanceof List<?> v) {
      Arguments items = new Arguments();
      for (Object item : v) items.fieldValue(item);
      byte[] encoded = items.toByteArray();
      out.write('A');
      writeInt(encoded.length);
      out.writeBytes(encoded);
    } else if (value instanceof Map<?, ?> v) {
      @SuppressWarnings("unchecked")
      byte[] encoded = encodeTable((Map<String, ?>) v);
      out.write('F');
      writeInt(encoded.length);
      out.writeBytes(encoded);
    } else {
      throw new IllegalArgumentException("no field-table type for " + value.getClass().getName());
    }
  }
}
