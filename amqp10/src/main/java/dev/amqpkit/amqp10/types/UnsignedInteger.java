package dev.amqpkit.amqp10.types;

import java.math.BigInteger;

/**
 * An AMQP {@code uint}: an unsigned 32-bit integer, 0 to 4294967295.
 *
 * <p>Immutable and thread-safe. Values 0 to 255 are shared instances.
 */
public final class UnsignedInteger implements Comparable<UnsignedInteger> {
  private static final UnsignedInteger[] SMALL = new UnsignedInteger[256];

  static {
    for (int i = 0; i < SMALL.length; i++) SMALL[i] = new UnsignedInteger(i);
  }

  public static final UnsignedInteger ZERO = SMALL[0];
  public static final UnsignedInteger ONE = SMALL[1];
  public static final UnsignedInteger MAX_VALUE = new UnsignedInteger(-1);

  private final int bits;

  private UnsignedInteger(int bits) {
    this.bits = bits;
  }

  /**
   * Returns the unsigned integer with value {@code value}.
   *
   * @throws IllegalArgumentException if {@code value} is not between 0 and 4294967295
   */
  public static UnsignedInteger valueOf(long value) {
    if (value < 0 || value > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("uint is 0..4294967295, not " + value);
    }
    return fromBits((int) value);
  }

  /** Returns the unsigned integer whose 32 bits are {@code bits}: {@code -1} is 4294967295. */
  public static UnsignedInteger fromBits(int bits) {
    return bits >= 0 && bits < SMALL.length ? SMALL[bits] : new UnsignedInteger(bits);
  }

  public long longValue() {
    return Integer.toUnsignedLong(bits);
  }

  public BigInteger bigIntegerValue() {
    return BigInteger.valueOf(longValue());
  }

  /** The 32 bits as a signed Java {@code int}: 4294967295 is {@code -1}. */
  public int bits() {
    return bits;
  }

  @Override
  public int compareTo(UnsignedInteger other) {
    return Integer.compareUnsigned(bits, other.bits);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UnsignedInteger other && bits == other.bits;
  }

  @Override
  public int hashCode() {
    return bits;
  }

  @Override
  public String toString() {
    return Integer.toUnsignedString(bits);
  }
}
