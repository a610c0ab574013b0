package dev.amqpkit.amqp10.types;

/**
 * An AMQP {@code ubyte}: an unsigned 8-bit integer, 0 to 255.
 *
 * <p>Immutable and thread-safe; every value is a shared instance.
 */
public final class UnsignedByte implements Comparable<UnsignedByte> {
  private static final UnsignedByte[] VALUES = new UnsignedByte[256];

  static {
    for (int i = 0; i < VALUES.length; i++) VALUES[i] = new UnsignedByte((byte) i);
  }

  public static final UnsignedByte MIN_VALUE = VALUES[0];
  public static final UnsignedByte MAX_VALUE = VALUES[255];

  private final byte bits;

  private UnsignedByte(byte bits) {
    this.bits = bits;
  }

  /**
   * Returns the unsigned byte with value {@code value}.
   *
   * @throws IllegalArgumentException if {@code value} is not between 0 and 255
   */
  public static UnsignedByte valueOf(int value) {
    if (value < 0 || value > 255) {
      throw new IllegalArgumentException("ubyte is 0..255, not " + value);
    }
    return VALUES[value];
  }

  /** Returns the unsigned byte whose eight bits are {@code bits}: {@code (byte) -1} is 255. */
  public static UnsignedByte fromBits(byte bits) {
    return VALUES[bits & 0xFF];
  }

  public int intValue() {
    return bits & 0xFF;
  }

  public long longValue() {
    return bits & 0xFF;
  }

  /** The eight bits as a signed Java {@code byte}: 255 is {@code -1}. */
  public byte bits() {
    return bits;
  }

  @Override
  public int compareTo(UnsignedByte other) {
    return Integer.compare(intValue(), other.intValue());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UnsignedByte other && bits == other.bits;
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
