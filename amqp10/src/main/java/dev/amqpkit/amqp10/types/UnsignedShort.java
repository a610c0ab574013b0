package dev.amqpkit.amqp10.types;

/**
 * An AMQP {@code ushort}: an unsigned 16-bit integer, 0 to 65535.
 *
 * <p>Immutable and thread-safe. Values 0 to 255 are shared instances.
 */
public final class UnsignedShort implements Comparable<UnsignedShort> {
  private static final UnsignedShort[] SMALL = new UnsignedShort[256];

  static {
    for (int i = 0; i < SMALL.length; i++) SMALL[i] = new UnsignedShort((short) i);
  }

  public static final UnsignedShort MIN_VALUE = SMALL[0];
  public static final UnsignedShort MAX_VALUE = new UnsignedShort((short) 0xFFFF);

  private final short bits;

  private UnsignedShort(short bits) {
    this.bits = bits;
  }

  /**
   * Returns the unsigned short with value {@code value}.
   *
   * @throws IllegalArgumentException if {@code value} is not between 0 and 65535
   */
  public static UnsignedShort valueOf(int value) {
    if (value < 0 || value > 0xFFFF) {
      throw new IllegalArgumentException("ushort is 0..65535, not " + value);
    }
    return fromBits((short) value);
  }

  /** Returns the unsigned short whose 16 bits are {@code bits}: {@code (short) -1} is 65535. */
  public static UnsignedShort fromBits(short bits) {
    int value = bits & 0xFFFF;
    return value < SMALL.length ? SMALL[value] : new UnsignedShort(bits);
  }

  public int intValue() {
    return bits & 0xFFFF;
  }

  public long longValue() {
    return bits & 0xFFFF;
  }

  /** The 16 bits as a signed Java {@code short}: 65535 is {@code -1}. */
  public short bits() {
    return bits;
  }

  @Override
  public int compareTo(UnsignedShort other) {
    return Integer.compare(intValue(), other.intValue());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UnsignedShort other && bits == other.bits;
  }

  @Override
  public int hashCode() {
    return intValue();
  }

  @Override
  public String toString() {
    return Integer.toString(intValue());
  }
}
