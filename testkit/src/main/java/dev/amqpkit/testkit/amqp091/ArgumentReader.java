package dev.amqpkit.testkit.amqp091;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the arguments of an AMQP 0-9-1 method, in order. Every length is checked against what is
 * left before anything is read, and tables nest at most {@link #MAX_TABLE_DEPTH} deep; a violation
 * is a {@link FrameFormatException}.
 *
 * <p>Field tables decode to the Java types {@link Arguments} encodes, plus the unsigned and
 * specification-only tags: B and U to {@code Short}, u to {@code Integer}, i and L to {@code Long}.
 * Long strings in tables decode as UTF-8, replacing malformed input.
 *
 * <p>Not thread-safe.
 */
public final class ArgumentReader {
  /** How deep field tables and arrays may nest. */
  public static final int MAX_TABLE_DEPTH = 32;

  private final ByteBuffer in;
  private int bitOctet;
  private int bitIndex = 8;

  ArgumentReader(byte[] arguments) {
    this.in = ByteBuffer.wrap(arguments);
  }

  /** Bytes not read yet. */
  public int remaining() {
    return in.remaining();
  }

  public int octet() throws FrameFormatException {
    resetBits();
    need(1, "octet");
    return in.get() & 0xFF;
  }

  public int shortUint() throws FrameFormatException {
    resetBits();
    need(2, "short");
    return Short.toUnsignedInt(in.getShort());
  }

  public long longUint() throws FrameFormatException {
    resetBits();
    need(4, "long");
    return Integer.toUnsignedLong(in.getInt());
  }

  public long longLong() throws FrameFormatException {
    resetBits();
    need(8, "long-long");
    return in.getLong();
  }

  /** A short string, which must be valid UTF-8. */
  public String shortString() throws FrameFormatException {
    int length = octet();
    need(length, "short string");
    byte[] bytes = new byte[length];
    in.get(bytes);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new FrameFormatException("short string is not valid UTF-8");
    }
  }

  public byte[] longString() throws FrameFormatException {
    long length = longUint();
    need(length, "long string");
    byte[] bytes = new byte[(int) length];
    in.get(bytes);
    return bytes;
  }

  public String longStringUtf8() throws FrameFormatException {
    return new String(longString(), StandardCharsets.UTF_8);
  }

  /** The next bit; consecutive bits are read from the same octet, lowest bit first. */
  public boolean bit() throws FrameFormatException {
    if (bitIndex == 8) {
      need(1, "bit octet");
      bitOctet = in.get() & 0xFF;
      bitIndex = 0;
    }
    return (bitOctet & (1 << bitIndex++)) != 0;
  }

  public Instant timestamp() throws FrameFormatException {
    return Instant.ofEpochSecond(longLong());
  }

  /** A field table, in wire order, unmodifiable. */
  public Map<String, Object> table() throws FrameFormatException {
    return table(1);
  }

  private Map<String, Object> table(int depth) throws FrameFormatException {
    if (depth > MAX_TABLE_DEPTH) {
      throw new FrameFormatException("field tables nested deeper than " + MAX_TABLE_DEPTH);
    }
    long length = longUint();
    need(length, "field table");
    int end = in.position() + (int) length;
    Map<String, Object> table = new LinkedHashMap<>();
    while (in.position() < end) {
      String key = shortString();
      table.put(key, fieldValue(depth, end));
    }
    if (in.position() != end) {
      throw new FrameFormatException("a field table value runs past the table's length");
    }
    return Collections.unmodifiableMap(table);
  }

  private List<Object> array(int depth) throws FrameFormatException {
    if (depth > MAX_TABLE_DEPTH) {
      throw new FrameFormatException("field arrays nested deeper than " + MAX_TABLE_DEPTH);
    }
    long length = longUint();
    need(length, "field array");
    int end = in.position() + (int) length;
    List<Object> items = new ArrayList<>();
    while (in.position() < end) items.add(fieldValue(depth, end));
    if (in.position() != end) {
      throw new FrameFormatException("a field array value runs past the array's length");
    }
    return Collections.unmodifiableList(items);
  }

  private Object fieldValue(int depth, int end) throws FrameFormatException {
    int tag = octet();
    Object value =
        switch (tag) {
          case 't' -> octet() != 0;
          case 'b' -> (byte) octet();
          case 'B' -> (short) octet();
          case 's', 'U' -> (short) shortUint();
          case 'u' -> shortUint();
          case 'I' -> (int) longUint();
          case 'i' -> longUint();
          case 'l', 'L' -> longLong();
          case 'f' -> Float.intBitsToFloat((int) longUint());
          case 'd' -> Double.longBitsToDouble(longLong());
          case 'D' -> {
            int scale = octet();
            yield new BigDecimal(BigInteger.valueOf((int) longUint()), scale);
          }
          case 'S' -> longStringUtf8();
          case 'x' -> longString();
          case 'T' -> timestamp();
          case 'A' -> array(depth + 1);
          case 'F' -> table(depth + 1);
          case 'V' -> null;
          default ->
              throw new FrameFormatException(
                  String.format("unknown field-table type tag 0x%02X", tag));
        };
    if (in.position() > end) {
      throw new FrameFormatException("a field value runs past its container");
    }
    return value;
  }

  private void need(long bytes, String what) throws FrameFormatException {
    if (bytes > in.remaining()) {
      throw new FrameFormatException(
          what + " needs " + bytes + " bytes but " + in.remaining() + " are left");
    }
  }

  private void resetBits() {
    bitIndex = 8;
  }
}
