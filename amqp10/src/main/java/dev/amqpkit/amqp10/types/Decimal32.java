package dev.amqpkit.amqp10.types;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * An AMQP {@code decimal32}: an IEEE 754-2008 decimal32 number (7 digits, exponent -101 to 90) in
 * the binary integer decimal encoding, held as its raw 32 bits.
 *
 * <p>Immutable and thread-safe. Equality is by bits, so {@code 1.0} and {@code 1.00}, or two NaNs
 * with different payloads, are different values; compare {@link #toBigDecimal()} results for
 * numeric equality.
 */
public final class Decimal32 {
  private final int bits;

  private Decimal32(int bits) {
    this.bits = bits;
  }

  /** Returns the decimal32 whose encoding is {@code bits}, exactly as given. */
  public static Decimal32 fromBits(int bits) {
    return new Decimal32(bits);
  }

  /**
   * Returns the decimal32 for {@code value}, keeping its coefficient and exponent when they fit and
   * otherwise only adding or dropping trailing zeros.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws ArithmeticException if {@code value} cannot be held without rounding
   */
  public static Decimal32 valueOf(BigDecimal value) {
    if (value == null) throw new NullPointerException("value == null");
    return new Decimal32(DecimalFormat.DECIMAL32.fromBigDecimal(value).intValue());
  }

  /** The 32 bits of the encoding. */
  public int bits() {
    return bits;
  }

  public boolean isNaN() {
    return DecimalFormat.DECIMAL32.isNaN(big());
  }

  public boolean isInfinite() {
    return DecimalFormat.DECIMAL32.isInfinite(big());
  }

  /**
   * Returns the number exactly, as coefficient and exponent; a negative zero comes back as zero.
   *
   * @throws ArithmeticException if this is an infinity or a NaN
   */
  public BigDecimal toBigDecimal() {
    return DecimalFormat.DECIMAL32.toBigDecimal(big());
  }

  private BigInteger big() {
    return BigInteger.valueOf(Integer.toUnsignedLong(bits));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Decimal32 other && bits == other.bits;
  }

  @Override
  public int hashCode() {
    return bits;
  }

  /** The number as {@link BigDecimal#toString()} writes it, or NaN, sNaN, Infinity or -0. */
  @Override
  public String toString() {
    return DecimalFormat.DECIMAL32.toString(big());
  }
}
