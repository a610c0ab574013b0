package dev.amqpkit.amqp10.internal.codec;

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
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * A test-only encoder, written independently of {@link Encoder}, that writes each value in an
 * encoding picked at random among all the valid ones: {@code uint} 0x70 for small numbers, {@code
 * list32} for short lists, {@code 0x56} for booleans, {@code uint0} as an array element
 * constructor, and so on. Whatever it writes, the decoder must read back as the same value.
 */
final class AnyFormEncoder {
  private final Random random;
  private final boolean zeroWidthArrayElements;

  /** An encoder that may also give arrays zero-width element encodings, such as uint0. */
  AnyFormEncoder(long seed) {
    this(seed, true);
  }

  AnyFormEncoder(long seed, boolean zeroWidthArrayElements) {
    this.random = new Random(seed);
    this.zeroWidthArrayElements = zeroWidthArrayElements;
  }

  /** What an element looks like once its children are encoded: enough to choose its encoding. */
  private record Compound(int count, byte[] payload) {}

  byte[] encode(Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (value instanceof DescribedValue d) {
      out.write(0x00);
      out.writeBytes(descriptor(d.descriptor()));
      out.writeBytes(encode(d.value()));
      return out.toByteArray();
    }
    AmqpType type = typeOf(value);
    Object content = content(type, value);
    int code = pick(codes(type, Collections.singletonList(content)));
    out.write(code);
    out.writeBytes(body(code, content));
    return out.toByteArray();
  }

  private byte[] descriptor(Object descriptor) {
    if (descriptor instanceof Symbol) return encode(descriptor);
    long bits = ((UnsignedLong) descriptor).bits();
    List<Integer> codes = new ArrayList<>(List.of(0x80));
    if ((bits & ~0xFFL) == 0) codes.add(0x53);
    if (bits == 0) codes.add(0x44);
    int code = pick(codes);
    ByteBuffer b = ByteBuffer.allocate(9).put((byte) code);
    if (code == 0x80) b.putLong(bits);
    if (code == 0x53) b.put((byte) bits);
    return java.util.Arrays.copyOf(b.array(), b.position());
  }

  private static AmqpType typeOf(Object value) {
    for (AmqpType type : AmqpType.values()) {
      if (type.isInstance(value)) return type;
    }
    throw new IllegalArgumentException("no AMQP type for " + value.getClass());
  }

  private Object content(AmqpType type, Object value) {
    switch (type) {
      case STRING:
        return ((String) value).getBytes(StandardCharsets.UTF_8);
      case SYMBOL:
        return value.toString().getBytes(StandardCharsets.US_ASCII);
      case BINARY:
        return ((Binary) value).toByteArray();
      case LIST:
        {
          ByteArrayOutputStream items = new ByteArrayOutputStream();
          List<?> list = (List<?>) value;
          for (Object item : list) items.writeBytes(encode(item));
          return new Compound(list.size(), items.toByteArray());
        }
      case MAP:
        {
          ByteArrayOutputStream items = new ByteArrayOutputStream();
          Map<?, ?> map = (Map<?, ?>) value;
          for (Map.Entry<?, ?> e : map.entrySet()) {
            items.writeBytes(encode(e.getKey()));
            items.writeBytes(encode(e.getValue()));
          }
          return new Compound(2 * map.size(), items.toByteArray());
        }
      case ARRAY:
        {
          AmqpArray array = (AmqpArray) value;
          ByteArrayOutputStream payload = new ByteArrayOutputStream();
          for (Object d : array.descriptors()) {
            payload.write(0x00);
            payload.writeBytes(descriptor(d));
          }
          List<Object> contents = new ArrayList<>();
          for (Object element : array.elements()) {
            Object core = element;
            for (int i = 0; i < array.descriptors().size(); i++)
              core = ((DescribedValue) core).value();
            contents.add(content(array.elementType(), core));
          }
          List<Integer> codes = codes(array.elementType(), contents);
          if (!zeroWidthArrayElements && codes.size() > 1) {
            codes.removeIf(c -> c == 0x41 || c == 0x42 || c == 0x43 || c == 0x44 || c == 0x45);
          }
          int code = pick(codes);
          payload.write(code);
          for (Object c : contents) payload.writeBytes(body(code, c));
          return new Compound(array.size(), payload.toByteArray());
        }
      default:
        return value;
    }
  }

  /** Every encoding that can carry all of {@code contents}. */
  private static List<Integer> codes(AmqpType type, List<Object> contents) {
    List<Integer> codes = new ArrayList<>();
    switch (type) {
      case NULL -> codes.add(0x40);
      case BOOLEAN -> {
        codes.add(0x56);
        if (contents.stream().allMatch(Boolean.TRUE::equals)) codes.add(0x41);
        if (contents.stream().allMatch(Boolean.FALSE::equals)) codes.add(0x42);
      }
      case UBYTE -> codes.add(0x50);
      case USHORT -> codes.add(0x60);
      case UINT -> {
        codes.add(0x70);
        if (contents.stream().allMatch(c -> ((UnsignedInteger) c).longValue() <= 255)) {
          codes.add(0x52);
        }
        if (contents.stream().allMatch(c -> ((UnsignedInteger) c).longValue() == 0)) {
          codes.add(0x43);
        }
      }
      case ULONG -> {
        codes.add(0x80);
        if (contents.stream().allMatch(c -> (((UnsignedLong) c).bits() & ~0xFFL) == 0)) {
          codes.add(0x53);
        }
        if (contents.stream().allMatch(c -> ((UnsignedLong) c).bits() == 0)) codes.add(0x44);
      }
      case BYTE -> codes.add(0x51);
      case SHORT -> codes.add(0x61);
      case INT -> {
        codes.add(0x71);
        if (contents.stream().allMatch(c -> (Integer) c == (byte) (int) (Integer) c)) {
          codes.add(0x54);
        }
      }
      case LONG -> {
        codes.add(0x81);
        if (contents.stream().allMatch(c -> (Long) c == (byte) (long) (Long) c)) codes.add(0x55);
      }
      case FLOAT -> codes.add(0x72);
      case DOUBLE -> codes.add(0x82);
      case DECIMAL32 -> codes.add(0x74);
      case DECIMAL64 -> codes.add(0x84);
      case DECIMAL128 -> codes.add(0x94);
      case CHAR -> codes.add(0x73);
      case TIMESTAMP -> codes.add(0x83);
      case UUID -> codes.add(0x98);
      case BINARY, STRING, SYMBOL -> {
        int wide = type == AmqpType.BINARY ? 0xb0 : type == AmqpType.STRING ? 0xb1 : 0xb3;
        codes.add(wide);
        if (contents.stream().allMatch(c -> ((byte[]) c).length <= 255)) codes.add(wide - 0x10);
      }
      case LIST, MAP, ARRAY -> {
        int wide = type == AmqpType.LIST ? 0xd0 : type == AmqpType.MAP ? 0xd1 : 0xf0;
        codes.add(wide);
        if (contents.stream()
            .allMatch(
                c -> ((Compound) c).payload.length + 1 <= 255 && ((Compound) c).count <= 255)) {
          codes.add(wide - 0x10);
        }
        if (type == AmqpType.LIST && contents.stream().allMatch(c -> ((Compound) c).count == 0)) {
          codes.add(0x45);
        }
      }
    }
    return codes;
  }

  private int pick(List<Integer> codes) {
    return codes.get(random.nextInt(codes.size()));
  }

  /** The bytes after the constructor for {@code content} in encoding {@code code}. */
  private static byte[] body(int code, Object content) {
    ByteBuffer b = ByteBuffer.allocate(bodyCapacity(content));
    switch (code) {
      case 0x40, 0x41, 0x42, 0x43, 0x44, 0x45 -> {}
      case 0x56 -> b.put((byte) ((Boolean) content ? 1 : 0));
      case 0x50 -> b.put(((UnsignedByte) content).bits());
      case 0x60 -> b.putShort(((UnsignedShort) content).bits());
      case 0x70 -> b.putInt(((UnsignedInteger) content).bits());
      case 0x52 -> b.put((byte) ((UnsignedInteger) content).bits());
      case 0x80 -> b.putLong(((UnsignedLong) content).bits());
      case 0x53 -> b.put((byte) ((UnsignedLong) content).bits());
      case 0x51 -> b.put((Byte) content);
      case 0x61 -> b.putShort((Short) content);
      case 0x71 -> b.putInt((Integer) content);
      case 0x54 -> b.put((byte) (int) (Integer) content);
      case 0x81 -> b.putLong((Long) content);
      case 0x55 -> b.put((byte) (long) (Long) content);
      case 0x72 -> b.putInt(Float.floatToRawIntBits((Float) content));
      case 0x82 -> b.putLong(Double.doubleToRawLongBits((Double) content));
      case 0x74 -> b.putInt(((Decimal32) content).bits());
      case 0x84 -> b.putLong(((Decimal64) content).bits());
      case 0x94 ->
          b.putLong(((Decimal128) content).highBits()).putLong(((Decimal128) content).lowBits());
      case 0x73 -> b.putInt(((AmqpChar) content).codePoint());
      case 0x83 -> b.putLong(((Instant) content).toEpochMilli());
      case 0x98 ->
          b.putLong(((UUID) content).getMostSignificantBits())
              .putLong(((UUID) content).getLeastSignificantBits());
      case 0xa0, 0xa1, 0xa3 -> b.put((byte) ((byte[]) content).length).put((byte[]) content);
      case 0xb0, 0xb1, 0xb3 -> b.putInt(((byte[]) content).length).put((byte[]) content);
      case 0xc0, 0xc1, 0xe0 -> {
        Compound c = (Compound) content;
        b.put((byte) (c.payload.length + 1)).put((byte) c.count).put(c.payload);
      }
      case 0xd0, 0xd1, 0xf0 -> {
        Compound c = (Compound) content;
        b.putInt(c.payload.length + 4).putInt(c.count).put(c.payload);
      }
      default -> throw new AssertionError(code);
    }
    return java.util.Arrays.copyOf(b.array(), b.position());
  }

  private static int bodyCapacity(Object content) {
    if (content instanceof byte[] bytes) return bytes.length + 4;
    if (content instanceof Compound c) return c.payload.length + 8;
    return 16;
  }
}
