package dev.amqpkit.amqp10.types;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The IEEE 754-2008 decimal interchange formats in their binary integer decimal (BID) encoding,
 * which is the one AMQP 1.0 uses: a sign bit, a combination field that holds the biased exponent
 * and the top of the coefficient, and the rest of the coefficient as a binary integer.
 */
enum DecimalFormat {
  DECIMAL32(32, 8, 101, 7),
  DECIMAL64(64, 10, 398, 16),
  DECIMAL128(128, 14, 6176, 34);

  private final int width;
  private final int exponentBits;
  private final int bias;
  private final int coefficientBits;
  private final int maxBiasedExponent;
  private final BigInteger maxCoefficient;
  private final BigInteger coefficientMask;
  private final BigInteger largeFormMask;

  DecimalFormat(int width, int exponentBits, int bias, int precision) {
    this.width = width;
    this.exponentBits = exponentBits;
    this.bias = bias;
    this.coefficientBits = width - 1 - exponentBits;
    this.maxBiasedExponent = 3 * (1 << (exponentBits - 2)) - 1;
    this.maxCoefficient = BigInteger.TEN.pow(precision).subtract(BigInteger.ONE);
    this.coefficientMask = BigInteger.ONE.shiftLeft(coefficientBits).subtract(BigInteger.ONE);
    this.largeFormMask = BigInteger.ONE.shiftLeft(coefficientBits - 2).subtract(BigInteger.ONE);
  }

  /** The bits as a non-negative integer of {@code width} bits. */
  private int top(BigInteger bits, int count) {
    return bits.shiftRight(width - 1 - count).intValue() & ((1 << count) - 1);
  }

  boolean isNegative(BigInteger bits) {
    return bits.testBit(width - 1);
  }

  boolean isNaN(BigInteger bits) {
    return top(bits, 5) == 0b11111;
  }

  boolean isSignalingNaN(BigInteger bits) {
    return isNaN(bits) && bits.testBit(width - 7);
  }

  boolean isInfinite(BigInteger bits) {
    return top(bits, 5) == 0b11110;
  }

  /** The biased exponent of a finite value. */
  private int biasedExponent(BigInteger bits) {
    int shift = top(bits, 2) == 0b11 ? coefficientBits - 2 : coefficientBits;
    return bits.shiftRight(shift).intValue() & ((1 << exponentBits) - 1);
  }

  /** The coefficient of a finite value; a non-canonical one (above 10^precision - 1) is zero. */
  private BigInteger coefficient(BigInteger bits) {
    BigInteger c =
        top(bits, 2) == 0b11
            ? bits.and(largeFormMask).setBit(coefficientBits)
            : bits.and(coefficientMask);
    return c.compareTo(maxCoefficient) > 0 ? BigInteger.ZERO : c;
  }

  /**
   * The value of finite {@code bits}; the sign of a zero is lost.
   *
   * @throws ArithmeticException for an infinity or a NaN
   */
  BigDecimal toBigDecimal(BigInteger bits) {
    if (isNaN(bits)) throw new ArithmeticException("NaN has no BigDecimal value");
    if (isInfinite(bits)) throw new ArithmeticException("an infinity has no BigDecimal value");
    BigInteger c = coefficient(bits);
    if (isNegative(bits)) c = c.negate();
    return new BigDecimal(c, bias - biasedExponent(bits));
  }

  /**
   * The bits of {@code value} in this format, keeping its coefficient and exponent where they fit
   * and otherwise changing only how the same number is written (dropping or adding trailing zeros).
   *
   * @throws ArithmeticException if the number cannot be represented without rounding
   */
  BigInteger fromBigDecimal(BigDecimal value) {
    BigInteger c = value.unscaledValue().abs();
    long exponent = -(long) value.scale();
    long min = -bias;
    long max = maxBiasedExponent - bias;
    if (c.signum() == 0) {
      exponent = Math.max(min, Math.min(max, exponent));
    } else {
      while (c.compareTo(maxCoefficient) > 0 || exponent < min) {
        BigInteger[] qr = c.divideAndRemainder(BigInteger.TEN);
        if (qr[1].signum() != 0) {
          throw new ArithmeticException(
              value + " has more digits than " + name().toLowerCase() + " holds");
        }
        c = qr[0];
        exponent++;
      }
      while (exponent > max) {
        BigInteger scaled = c.multiply(BigInteger.TEN);
        if (scaled.compareTo(maxCoefficient) > 0) {
          throw new ArithmeticException(value + " is too large for " + name().toLowerCase());
        }
        c = scaled;
        exponent--;
      }
    }
    BigInteger biased = BigInteger.valueOf(exponent - min);
    BigInteger bits;
    if (c.bitLength() <= coefficientBits) {
      bits = biased.shiftLeft(coefficientBits).or(c);
    } else {
      bits =
          BigInteger.valueOf(0b11)
              .shiftLeft(width - 3)
              .or(biased.shiftLeft(coefficientBits - 2))
              .or(c.and(largeFormMask));
    }
    return value.signum() < 0 ? bits.setBit(width - 1) : bits;
  }

  /** The number in {@link BigDecimal#toString()} form, or NaN, sNaN, Infinity, -0 and so on. */
  String toString(BigInteger bits) {
    String sign = isNegative(bits) ? "-" : "";
    if (isSignalingNaN(bits)) return sign + "sNaN";
    if (isNaN(bits)) return sign + "NaN";
    if (isInfinite(bits)) return sign + "Infinity";
    BigDecimal value = toBigDecimal(bits);
    return value.signum() == 0 ? sign + value : value.toString();
  }

  /** {@code bits} as an unsigned integer. */
  static BigInteger unsigned(long bits) {
    return new BigInteger(Long.toUnsignedString(bits));
  }
}
