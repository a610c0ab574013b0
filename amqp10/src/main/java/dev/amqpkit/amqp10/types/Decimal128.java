package dev.amqpkit.amqp10.types;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * An AMQP {@code decimal128}: an IEEE 754-2008 decimal128 number (34 digits, exponent -6176 to
 * 6111) in the binary integer decimal encoding, held as its raw 128 bits.
 *
 * <p>Immutable and thread-safe. Equality is by bits, so {@code 1.0} and {@code 1.00}, or two NaNs
 * with different payloads, are different values; compare {@link #toBigDecimal()} results for
 * numeric equality.
 */
public final class Decimal128 {
  private final long high;
  private final long low;

  private Decimal128(long high, long low) {
    this.high = high;
    this.low = low;
  }

  /**
   * Returns the decimal128 whose encoding is {@code high} (the first 8 bytes on the wire, with the
   * sign bit) followed by {@code low}, exactly as given.
   */
  public static Decimal128 fromBits(long high, long low) {
    return new Decimal128(high, low);
  }

  /**
   * Returns the decimal128 for {@code value}, keeping its coefficient and exponent when they fit
   * and otherwise only adding or dropping trailing zeros.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws ArithmeticException if {@code value} cannot be held without rounding
   */
  public static Decimal128 valueOf(BigDecimal value) {
    if (value == null) throw new NullPointerException("value == null");
    BigInteger bits = DecimalFormat.DECIMAL128.fromBigDecimal(value);
    return new Decimal128(bits.shiftRight(64).longValue(), bits.longValue());
  }

  /** The high 64 bits of the encoding, the ones with the sign and the exponent. */
  public long highBits() {
    return high;
  }

  /** The low 64 bits of the encoding. */
  public long lowBits() {
    return low;
  }

  public boolean isNaN() {
    return DecimalFormat.DECIMAL128.isNaN(big());
  }

  public boolean isInfinite() {
    return DecimalFormat.DECIMAL128.isInfinite(big());
  }

  /**
   * Returns the number exactly, as coefficient and exponent; a negative zero comes back as zero.
   *
   * @throws ArithmeticException if this is an infinity or a NaN
   */
  public BigDecimal toBigDecimal() {
    return DecimalFormat.DECIMAL128.toBigDecimal(big());
  }

  private BigInteger big() {
    return DecimalFormat.unsigned(high).shiftLeft(64).or(DecimalFormat.unsigned(low));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Decimal128 other && high == other.high && low == other.low;
  }

  @Override
  public int hashCode() {
    return 31 * Long.hashCode(high) + Long.hashCode(low);
  }

  /** The number as {@link BigDecimal#toString()} writes it, or NaN, sNaN, Infinity or -0. */
  @Override
  public String toString() {
    return DecimalFormat.DECIMAL128.toString(big());
  }
}
