package dev.amqpkit.amqp10.internal.protocol;

import dev.amqpkit.amqp10.types.AmqpArray;
import dev.amqpkit.amqp10.types.AmqpType;
import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.amqp10.types.UnsignedByte;
import dev.amqpkit.amqp10.types.UnsignedInteger;
import dev.amqpkit.amqp10.types.UnsignedShort;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * Turns record fields into the AMQP values a composite's list holds. A field equal to its default
 * is written as null, which the specification defines to mean the default; {@link #trimmed} then
 * drops the trailing nulls, so a composite whose last fields are absent or at their defaults
 * encodes to a shorter list.
 *
 * <p>Stateless.
 */
final class FieldWriter {
  private FieldWriter() {}

  /** Returns {@code values} without its trailing nulls, as an unmodifiable list over the array. */
  static List<Object> trimmed(Object... values) {
    int size = values.length;
    while (size > 0 && values[size - 1] == null) size--;
    return size == 0 ? List.of() : new Prefix(values, size);
  }

  static Boolean mandatoryBool(boolean value) {
    return value;
  }

  static Boolean optionalBool(Boolean value) {
    return value;
  }

  static Boolean bool(boolean value, boolean defaultValue) {
    return value == defaultValue ? null : Boolean.valueOf(value);
  }

  static UnsignedByte mandatoryUbyte(int value) {
    return UnsignedByte.valueOf(value);
  }

  static UnsignedByte ubyte(int value, int defaultValue) {
    return value == defaultValue ? null : UnsignedByte.valueOf(value);
  }

  static UnsignedByte optionalUbyte(Integer value) {
    return value == null ? null : UnsignedByte.valueOf(value);
  }

  static UnsignedShort mandatoryUshort(int value) {
    return UnsignedShort.valueOf(value);
  }

  static UnsignedShort ushort(int value, int defaultValue) {
    return value == defaultValue ? null : UnsignedShort.valueOf(value);
  }

  static UnsignedShort optionalUshort(Integer value) {
    return value == null ? null : UnsignedShort.valueOf(value);
  }

  static UnsignedInteger mandatoryUint(long value) {
    return UnsignedInteger.valueOf(value);
  }

  static UnsignedInteger uint(long value, long defaultValue) {
    return value == defaultValue ? null : UnsignedInteger.valueOf(value);
  }

  static UnsignedInteger optionalUint(Long value) {
    return value == null ? null : UnsignedInteger.valueOf(value);
  }

  /**
   * Writes a {@code multiple="true"} symbol field as an array of symbols, one element or many;
   * never as a lone symbol, which the specification also allows.
   */
  static AmqpArray optionalSymbols(List<Symbol> symbols) {
    return symbols == null ? null : AmqpArray.of(AmqpType.SYMBOL, symbols);
  }

  static AmqpArray mandatorySymbols(List<Symbol> symbols) {
    return AmqpArray.of(AmqpType.SYMBOL, symbols);
  }

  /** The first {@code size} elements of an array. */
  private static final class Prefix extends AbstractList<Object> implements RandomAccess {
    private final Object[] values;
    private final int size;

    Prefix(Object[] values, int size) {
      this.values = values;
      this.size = size;
    }

    @Override
    public Object get(int index) {
      if (index < 0 || index >= size) throw new IndexOutOfBoundsException(index);
      return values[index];
    }

    @Override
    public int size() {
      return size;
    }
  }
}
