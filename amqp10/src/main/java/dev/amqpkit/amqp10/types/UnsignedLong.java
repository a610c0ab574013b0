package dev.amqpkit.amqp10.types;

import java.math.BigInteger;

/**
 * An AMQP {@code ulong}: an unsigned 64-bit integer, 0 to 18446744073709551615. Numeric descriptors
 * of described types are unsigned longs.
 *
 * <p>Immutable and thread-safe. Values 0 to 255 are shared instances.
 */
public final class UnsignedLong implements Comparable<UnsignedLong> {
  private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);
  private static final UnsignedLong[] SMALL = new UnsignedLong[256];

  static {
    for (int i = 0; i < SMALL.length; i++) SMALL[i] = new UnsignedLong(i);
  }

  public static final UnsignedLong ZERO = SMALL[0];
  public static final UnsignedLong ONE = SMALL[1];
  public static final UnsignedLong MAX_VALUE = new UnsignedLong(-1L);

  private final long bits;

  private UnsignedLong(long bits) {
    this.bits = bits;
  }

  /**
   * Returns the unsigned long with value {@code value}.
   *
   * @throws IllegalArgumentException if {@code value} is negative
   */
  public static UnsignedLong valueOf(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("ulong is 0..18446744073709551615, not " + value);
    }
    return fromBits(value);
  }

  /**
   * Returns the unsigned long with value {@code value}.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if {@code value} is negative or needs more than 64 bits
   */
  public static UnsignedLong valueOf(BigInteger value) {
    if (value == null) throw new NullPointerException("value == null");
    if (value.signum() < 0 || value.bitLength() > 64) {
      throw new IllegalArgumentException("ulong is 0..18446744073709551615, not " + value);
    }
    return fromBits(value.longValue());
  }

  /** Returns the unsigned long whose 64 bits are {@code bits}: {@code -1L} is 2<sup>64</sup>-1. */
  public static UnsignedLong fromBits(long bits) {
    return bits >= 0 && bits < SMALL.length ? SMALL[(int) bits] : new UnsignedLong(bits);
  }

  /**
   * Returns the value as a Java {@code long}.
   *
   * @throws ArithmeticException if the value is above {@link Long#MAX_VALUE}; use {@link #bits} or
   *     {@link #bigIntegerValue} for the full range
   */
  public long longValue() {
    if (bits < 0) {
      throw new ArithmeticException(toString() + " does not fit in a signed long");
    }
    return bits;
  }

  public BigInteger bigIntegerValue() {
    BigInteger value = BigInteger.valueOf(bits);
    return bits < 0 ? value.add(TWO_TO_64) : value;
  }

  /** The 64 bits as a signed Java {@code long}: 2<sup>64</sup>-1 is {@code -1L}. */
  public long bits() {
    return bits;
  }

  @Override
  public int compareTo(UnsignedLong other) {
    return Long.compareUnsigned(bits, other.bits);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UnsignedLong other && bits == other.bits;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(bits);
  }

  @Override
  public String toString() {
    return Long.toUnsignedString(bits);
  }
}
