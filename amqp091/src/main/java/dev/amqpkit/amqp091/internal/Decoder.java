package dev.amqpkit.amqp091.internal;

import dev.amqpkit.amqp091.UnsignedByte;
import dev.amqpkit.amqp091.UnsignedInt;
import dev.amqpkit.amqp091.UnsignedShort;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads AMQP 0-9-1 primitive values from a slice of a byte array. Every read checks what is left
 * first; a violation is a {@link MalformedFrameException} with 502 SYNTAX_ERROR, and nothing is
 * allocated for a length that does not fit. Field tables nest at most {@link #MAX_TABLE_DEPTH}.
 *
 * <p>Not thread-safe. Reusable: {@link #reset} points it at new bytes.
 */
public final class Decoder {
  /** How deep field tables and arrays may nest. */
  public static final int MAX_TABLE_DEPTH = 64;

  // Short strings repeat (consumer tags, exchanges, routing keys, content types): the last one
  // decoded for each of a few slots is kept, so a steady stream of deliveries reuses them.
  private static final int STRING_CACHE_SIZE = 64;
  private static final int MAX_CACHED_LENGTH = 64;
  private final byte[][] cachedBytes = new byte[STRING_CACHE_SIZE][];
  private final String[] cachedStrings = new String[STRING_CACHE_SIZE];

  private byte[] bytes;
  private int position;
  private int limit;
  private int bitOctet;
  private int bitIndex = 8;

  public Decoder(byte[] bytes, int offset, int length) {
    reset(bytes, offset, length);
  }

  public Decoder reset(byte[] bytes, int offset, int length) {
    this.bytes = bytes;
    this.position = offset;
    this.limit = offset + length;
    this.bitIndex = 8;
    return this;
  }

  public int remaining() {
    return limit - position;
  }

  private void need(long n, String what) throws MalformedFrameException {
    if (n > limit - position) {
      throw new MalformedFrameException(
          MalformedFrameException.SYNTAX_ERROR,
          what
              + " needs "
              + n
              + " bytes but only "
              + (limit - position)
              + " are left in the frame");
    }
  }

  /** Copies the next {@code length} bytes out. */
  public void copyTo(byte[] target, int offset, int length) throws MalformedFrameException {
    need(length, "bytes");
    System.arraycopy(bytes, position, target, offset, length);
    position += length;
  }

  public int octet() throws MalformedFrameException {
    bitIndex = 8;
    need(1, "octet");
    return bytes[position++] & 0xFF;
  }

  public int shortUint() throws MalformedFrameException {
    bitIndex = 8;
    need(2, "short");
    int v = ((bytes[position] & 0xFF) << 8) | (bytes[position + 1] & 0xFF);
    position += 2;
    return v;
  }

  public int longInt() throws MalformedFrameException {
    bitIndex = 8;
    need(4, "long");
    int v =
        ((bytes[position] & 0xFF) << 24)
            | ((bytes[position + 1] & 0xFF) << 16)
            | ((bytes[position + 2] & 0xFF) << 8)
            | (bytes[position + 3] & 0xFF);
    position += 4;
    return v;
  }

  public long longUint() throws MalformedFrameException {
    return Integer.toUnsignedLong(longInt());
  }

  public long longLong() throws MalformedFrameException {
    long high = Integer.toUnsignedLong(longInt());
    long low = Integer.toUnsignedLong(longInt());
    return (high << 32) | low;
  }

  public boolean bit() throws MalformedFrameException {
    if (bitIndex == 8) {
      need(1, "bit octet");
      bitOctet = bytes[position++] & 0xFF;
      bitIndex = 0;
    }
    return (bitOctet & (1 << bitIndex++)) != 0;
  }

  /** A short string, which must be valid UTF-8. */
  public String shortString() throws MalformedFrameException {
    int length = octet();
    need(length, "short string");
    int slot = slot(bytes, position, length);
    byte[] cached = cachedBytes[slot];
    if (cached != null
        && java.util.Arrays.equals(cached, 0, cached.length, bytes, position, position + length)) {
      position += length;
      return cachedStrings[slot];
    }
    String s = Utf8.decode(bytes, position, length);
    if (s == null) {
      throw new MalformedFrameException(
          MalformedFrameException.SYNTAX_ERROR, "a short string is not valid UTF-8");
    }
    if (length <= MAX_CACHED_LENGTH) {
      cachedBytes[slot] = java.util.Arrays.copyOfRange(bytes, position, position + length);
      cachedStrings[slot] = s;
    }
    position += length;
    return s;
  }

  /** A direct-mapped slot for a short string's bytes. */
  private static int slot(byte[] b, int offset, int length) {
    int h = length;
    for (int i = offset, end = offset + length; i < end; i++) h = 31 * h + b[i];
    return (h ^ (h >>> 16)) & (STRING_CACHE_SIZE - 1);
  }

  public byte[] longString() throws MalformedFrameException {
    long length = longUint();
    need(length, "long string");
    byte[] value = new byte[(int) length];
    System.arraycopy(bytes, position, value, 0, value.length);
    position += value.length;
    return value;
  }

  /**
   * A long string as a {@code String} when it is valid UTF-8, else as its {@code byte[]}: a
   * field-table value must survive decoding byte for byte.
   */
  private Object longStringOrBytes() throws MalformedFrameException {
    long length = longUint();
    need(length, "long string");
    String s = Utf8.decode(bytes, position, (int) length);
    Object value =
        s != null ? s : java.util.Arrays.copyOfRange(bytes, position, position + (int) length);
    position += (int) length;
    return value;
  }

  public Instant timestamp() throws MalformedFrameException {
    return Instant.ofEpochSecond(longLong());
  }

  /**
   * A field table, in wire order, unmodifiable. Values decode to {@code Boolean} (t), {@code Byte}
   * (b), {@code Short} (s, U), {@code Integer} (I), {@code Long} (l, L), {@code UnsignedByte} (B),
   * {@code UnsignedShort} (u), {@code UnsignedInt} (i), {@code Float}, {@code Double}, {@code
   * BigDecimal} (D), {@code String} (S, when valid UTF-8), {@code byte[]} (x, and S when not valid
   * UTF-8), {@code Instant} (T), {@code List} (A), {@code Map} (F) and {@code null} (V). Every
   * value survives exactly, and every tag but the specification-only U and L is encoded back as it
   * came.
   */
  public Map<String, Object> table() throws MalformedFrameException {
    return table(1);
  }

  private Map<String, Object> table(int depth) throws MalformedFrameException {
    checkDepth(depth);
    long length = longUint();
    need(length, "field table");
    int end = position + (int) length;
    if (length == 0) return Map.of();
    Map<String, Object> table = new LinkedHashMap<>();
    int saved = limit;
    limit = end;
    try {
      while (position < end) {
        String key = shortString();
        table.put(key, fieldValue(depth));
      }
    } finally {
      limit = saved;
    }
    return Collections.unmodifiableMap(table);
  }

  private List<Object> array(int depth) throws MalformedFrameException {
    checkDepth(depth);
    long length = longUint();
    need(length, "field array");
    int end = position + (int) length;
    List<Object> items = new ArrayList<>();
    int saved = limit;
    limit = end;
    try {
      while (position < end) items.add(fieldValue(depth));
    } finally {
      limit = saved;
    }
    return Collections.unmodifiableList(items);
  }

  private static void checkDepth(int depth) throws MalformedFrameException {
    if (depth > MAX_TABLE_DEPTH) {
      throw new MalformedFrameException(
          MalformedFrameException.SYNTAX_ERROR,
          "field tables nested deeper than " + MAX_TABLE_DEPTH);
    }
  }

  private Object fieldValue(int depth) throws MalformedFrameException {
    int tag = octet();
    return switch (tag) {
      case 't' -> octet() != 0;
      case 'b' -> (byte) octet();
      case 'B' -> new UnsignedByte(octet());
      case 's', 'U' -> (short) shortUint();
      case 'u' -> new UnsignedShort(shortUint());
      case 'I' -> longInt();
      case 'i' -> new UnsignedInt(longUint());
      case 'l', 'L' -> longLong();
      case 'f' -> Float.intBitsToFloat(longInt());
      case 'd' -> Double.longBitsToDouble(longLong());
      case 'D' -> {
        int scale = octet();
        yield new BigDecimal(BigInteger.valueOf(longInt()), scale);
      }
      case 'S' -> longStringOrBytes();
      case 'x' -> longString();
      case 'T' -> timestamp();
      case 'A' -> array(depth + 1);
      case 'F' -> table(depth + 1);
      case 'V' -> null;
      default ->
          throw new MalformedFrameException(
              MalformedFrameException.SYNTAX_ERROR,
              String.format("unknown field-table type tag 0x%02X", tag));
    };
  }
}
