package dev.amqpkit.amqp10.types;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * An AMQP {@code decimal64}: an IEEE 754-2008 decimal64 number (16 digits, exponent -398 to 369) in
 * the binary integer decimal encoding, held as its raw 64 bits.
 *
 * <p>Immutable and thread-safe. Equality is by bits, so {@code 1.0} and {@code 1.00}, or two NaNs
 * with different payloads, are different values; compare {@link #toBigDecimal()} results for
 * numeric equality.
 */
public final class Decimal64 {
  private final long bits;

  private Decimal64(long bits) {
    this.bits = bits;
  }

  /** Returns the decimal64 whose encoding is {@code bits}, exactly as given. */
  public static Decimal64 fromBits(long bits) {
    return new Decimal64(bits);
  }

  /**
   * Returns the decimal64 for {@code value}, keeping its coefficient and exponent when they fit and
   * otherwise only adding or dropping trailing zeros.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws ArithmeticException if {@code value} cannot be held without rounding
   */
  public static Decimal64 valueOf(BigDecimal value) {
    if (value == null) throw new NullPointerException("value == null");
    return new Decimal64(DecimalFormat.DECIMAL64.fromBigDecimal(value).longValue());
  }

  /** The 64 bits of the encoding. */
  public long bits() {
    return bits;
  }

  public boolean isNaN() {
    return DecimalFormat.DECIMAL64.isNaN(big());
  }

  public boolean isInfinite() {
    return DecimalFormat.DECIMAL64.isInfinite(big());
  }

  /**
   * Returns the number exactly, as coefficient and exponent; a negative zero comes back as zero.
   *
   * @throws ArithmeticException if this is an infinity or a NaN
   */
  public BigDecimal toBigDecimal() {
    return DecimalFormat.DECIMAL64.toBigDecimal(big());
  }

  private BigInteger big() {
    return DecimalFormat.unsigned(bits);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Decimal64 other && bits == other.bits;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(bits);
  }

  /** The number as {@link BigDecimal#toString()} writes it, or NaN, sNaN, Infinity or -0. */
  @Override
  public String toString() {
    return DecimalFormat.DECIMAL64.toString(big());
  }
}
