package dev.amqpkit.amqp10.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** BID encodings of IEEE 754-2008 decimals, checked against values worked out from the standard. */
class DecimalTest {

  @Test
  void decimal32KnownEncodings() {
    assertThat(Decimal32.fromBits(0x32800001).toBigDecimal()).isEqualTo(new BigDecimal("1"));
    assertThat(Decimal32.fromBits(0x31800064).toBigDecimal()).isEqualTo(new BigDecimal("1.00"));
    assertThat(Decimal32.fromBits(0xB200004B).toBigDecimal()).isEqualTo(new BigDecimal("-7.5"));
    // 9999999 needs 24 bits: the large form, with the implicit 100 prefix.
    assertThat(Decimal32.fromBits(0x6CB8967F).toBigDecimal()).isEqualTo(new BigDecimal("9999999"));

    assertThat(Decimal32.valueOf(new BigDecimal("1")).bits()).isEqualTo(0x32800001);
    assertThat(Decimal32.valueOf(new BigDecimal("1.00")).bits()).isEqualTo(0x31800064);
    assertThat(Decimal32.valueOf(new BigDecimal("-7.5")).bits()).isEqualTo(0xB200004B);
    assertThat(Decimal32.valueOf(new BigDecimal("9999999")).bits()).isEqualTo(0x6CB8967F);
  }

  @Test
  void decimal64AndDecimal128KnownEncodings() {
    assertThat(Decimal64.valueOf(BigDecimal.ONE).bits()).isEqualTo(0x31C0000000000001L);
    assertThat(Decimal64.fromBits(0x31C0000000000001L).toBigDecimal()).isEqualTo(BigDecimal.ONE);
    Decimal128 one = Decimal128.valueOf(BigDecimal.ONE);
    assertThat(one.highBits()).isEqualTo(0x3040000000000000L);
    assertThat(one.lowBits()).isEqualTo(1L);
    assertThat(Decimal128.fromBits(0x3040000000000000L, 1L).toBigDecimal())
        .isEqualTo(BigDecimal.ONE);
    BigDecimal big = new BigDecimal("9999999999999999999999999999999999E6111");
    assertThat(Decimal128.valueOf(big).toBigDecimal()).isEqualTo(big);
    BigDecimal tiny = new BigDecimal("-1E-6176");
    assertThat(Decimal128.valueOf(tiny).toBigDecimal()).isEqualTo(tiny);
  }

  @Test
  void specialValues() {
    assertThat(Decimal32.fromBits(0x78000000).isInfinite()).isTrue();
    assertThat(Decimal32.fromBits(0x78000000)).hasToString("Infinity");
    assertThat(Decimal32.fromBits(0xF8000000)).hasToString("-Infinity");
    assertThat(Decimal32.fromBits(0x7C000000).isNaN()).isTrue();
    assertThat(Decimal32.fromBits(0x7C000000)).hasToString("NaN");
    assertThat(Decimal32.fromBits(0x7E000000)).hasToString("sNaN");
    assertThat(Decimal64.fromBits(0x7800000000000000L).isInfinite()).isTrue();
    assertThat(Decimal128.fromBits(0x7C00000000000000L, 0).isNaN()).isTrue();
    assertThat(Decimal32.fromBits(0xB2800000)).hasToString("-0");
    assertThatThrownBy(() -> Decimal32.fromBits(0x7C000000).toBigDecimal())
        .isInstanceOf(ArithmeticException.class)
        .hasMessageContaining("NaN");
    assertThatThrownBy(() -> Decimal64.fromBits(0x7800000000000000L).toBigDecimal())
        .isInstanceOf(ArithmeticException.class)
        .hasMessageContaining("infinity");
  }

  @Test
  void aNonCanonicalCoefficientIsZero() {
    // Large form with coefficient 0b100 << 21 | 0x1FFFFF = 10485759 > 9999999.
    int bits = 0x60000000 | (101 << 21) | 0x1FFFFF;

    assertThat(Decimal32.fromBits(bits).toBigDecimal()).isEqualTo(BigDecimal.ZERO);
    assertThat(Decimal32.fromBits(bits).bits()).isEqualTo(bits);
  }

  @Test
  void valueOfDropsOrAddsTrailingZerosButNeverRounds() {
    assertThat(Decimal32.valueOf(new BigDecimal("12345670")).toBigDecimal())
        .isEqualTo(new BigDecimal("1234567E1"));
    assertThat(Decimal32.valueOf(new BigDecimal("1E96")).toBigDecimal())
        .isEqualByComparingTo(new BigDecimal("1E96"));
    assertThat(Decimal32.valueOf(new BigDecimal("10E-102")).toBigDecimal())
        .isEqualTo(new BigDecimal("1E-101"));
    assertThat(Decimal32.valueOf(new BigDecimal("0E+200")).toBigDecimal())
        .isEqualTo(new BigDecimal("0E+90"));

    assertThatThrownBy(() -> Decimal32.valueOf(new BigDecimal("12345678")))
        .isInstanceOf(ArithmeticException.class)
        .hasMessageContaining("12345678");
    assertThatThrownBy(() -> Decimal32.valueOf(new BigDecimal("1E97")))
        .isInstanceOf(ArithmeticException.class)
        .hasMessageContaining("too large");
    assertThatThrownBy(() -> Decimal32.valueOf(new BigDecimal("1E-102")))
        .isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> Decimal64.valueOf(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("value == null");
  }

  @Test
  void equalityIsByBits() {
    assertThat(Decimal32.valueOf(new BigDecimal("1.0")))
        .isNotEqualTo(Decimal32.valueOf(new BigDecimal("1.00")));
    assertThat(Decimal32.fromBits(5))
        .isEqualTo(Decimal32.fromBits(5))
        .hasSameHashCodeAs(Decimal32.fromBits(5));
    assertThat(Decimal128.fromBits(1, 2)).isNotEqualTo(Decimal128.fromBits(2, 1));
  }

  @Property(tries = 500)
  void decimal32BitsSurviveBigDecimalWhenNonZero(@ForAll int bits) {
    Decimal32 d = Decimal32.fromBits(bits);
    if (d.isNaN() || d.isInfinite()) return;
    BigDecimal value = d.toBigDecimal();
    Decimal32 back = Decimal32.valueOf(value);

    assertThat(back.toBigDecimal()).isEqualTo(value);
    if (value.signum() != 0) assertThat(back.bits()).isEqualTo(bits);
  }

  @Property(tries = 500)
  void decimal64BitsSurviveBigDecimalWhenNonZero(@ForAll long bits) {
    Decimal64 d = Decimal64.fromBits(bits);
    if (d.isNaN() || d.isInfinite()) return;
    BigDecimal value = d.toBigDecimal();
    Decimal64 back = Decimal64.valueOf(value);

    assertThat(back.toBigDecimal()).isEqualTo(value);
    if (value.signum() != 0) assertThat(back.bits()).isEqualTo(bits);
  }

  @Property(tries = 500)
  void decimal128BitsSurviveBigDecimalWhenNonZero(@ForAll long high, @ForAll long low) {
    Decimal128 d = Decimal128.fromBits(high, low);
    if (d.isNaN() || d.isInfinite()) return;
    BigDecimal value = d.toBigDecimal();
    Decimal128 back = Decimal128.valueOf(value);

    assertThat(back.toBigDecimal()).isEqualTo(value);
    if (value.signum() != 0) assertThat(back).isEqualTo(d);
  }

  @Property(tries = 500)
  void representableBigDecimalsSurviveExactly(@ForAll("decimal32s") BigDecimal value) {
    assertThat(Decimal32.valueOf(value).toBigDecimal()).isEqualTo(value);
    assertThat(Decimal64.valueOf(value).toBigDecimal()).isEqualTo(value);
    assertThat(Decimal128.valueOf(value).toBigDecimal()).isEqualTo(value);
  }

  @Provide
  Arbitrary<BigDecimal> decimal32s() {
    Arbitrary<BigInteger> coefficients =
        Arbitraries.integers().between(-9_999_999, 9_999_999).map(BigInteger::valueOf);
    Arbitrary<Integer> scales = Arbitraries.integers().between(-90, 101);
    return Combinators.combine(coefficients, scales).as(BigDecimal::new);
  }
}
