package dev.amqpkit.amqp10.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class UnsignedTypesTest {

  @Test
  void unsignedByteCoversZeroTo255() {
    assertThat(UnsignedByte.valueOf(255).bits()).isEqualTo((byte) -1);
    assertThat(UnsignedByte.fromBits((byte) -1).intValue()).isEqualTo(255);
    assertThat(UnsignedByte.fromBits((byte) 0x80).longValue()).isEqualTo(128);
    assertThat(UnsignedByte.valueOf(7)).isSameAs(UnsignedByte.valueOf(7)).hasToString("7");
    assertThatThrownBy(() -> UnsignedByte.valueOf(256))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("256");
    assertThatThrownBy(() -> UnsignedByte.valueOf(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }

  @Test
  void unsignedShortCoversZeroTo65535() {
    assertThat(UnsignedShort.valueOf(65535)).isEqualTo(UnsignedShort.MAX_VALUE);
    assertThat(UnsignedShort.fromBits((short) -1).intValue()).isEqualTo(65535);
    assertThat(UnsignedShort.MAX_VALUE).hasToString("65535");
    assertThatThrownBy(() -> UnsignedShort.valueOf(65536))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("65536");
    assertThatThrownBy(() -> UnsignedShort.valueOf(-5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-5");
  }

  @Test
  void unsignedIntegerCoversZeroTo2To32Minus1() {
    assertThat(UnsignedInteger.valueOf(4294967295L)).isEqualTo(UnsignedInteger.MAX_VALUE);
    assertThat(UnsignedInteger.MAX_VALUE.longValue()).isEqualTo(4294967295L);
    assertThat(UnsignedInteger.MAX_VALUE.bits()).isEqualTo(-1);
    assertThat(UnsignedInteger.MAX_VALUE.bigIntegerValue())
        .isEqualTo(BigInteger.valueOf(4294967295L));
    assertThat(UnsignedInteger.MAX_VALUE).hasToString("4294967295");
    assertThat(UnsignedInteger.valueOf(0)).isSameAs(UnsignedInteger.ZERO);
    assertThatThrownBy(() -> UnsignedInteger.valueOf(4294967296L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4294967296");
    assertThatThrownBy(() -> UnsignedInteger.valueOf(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }

  @Test
  void unsignedLongCoversZeroTo2To64Minus1() {
    BigInteger max = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    assertThat(UnsignedLong.valueOf(max)).isEqualTo(UnsignedLong.MAX_VALUE);
    assertThat(UnsignedLong.MAX_VALUE.bigIntegerValue()).isEqualTo(max);
    assertThat(UnsignedLong.MAX_VALUE).hasToString("18446744073709551615");
    assertThat(UnsignedLong.valueOf(Long.MAX_VALUE).longValue()).isEqualTo(Long.MAX_VALUE);
    assertThatThrownBy(() -> UnsignedLong.MAX_VALUE.longValue())
        .isInstanceOf(ArithmeticException.class)
        .hasMessageContaining("18446744073709551615");
    assertThatThrownBy(() -> UnsignedLong.valueOf(-1L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> UnsignedLong.valueOf(max.add(BigInteger.ONE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("18446744073709551616");
    assertThatThrownBy(() -> UnsignedLong.valueOf((BigInteger) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("value == null");
  }

  @Property
  void unsignedIntegersCompareAsUnsigned(@ForAll int a, @ForAll int b) {
    UnsignedInteger x = UnsignedInteger.fromBits(a);
    UnsignedInteger y = UnsignedInteger.fromBits(b);

    assertThat(Integer.signum(x.compareTo(y)))
        .isEqualTo(Long.signum(Long.compare(x.longValue(), y.longValue())));
    assertThat(x.equals(y)).isEqualTo(a == b);
  }

  @Property
  void unsignedLongsCompareAsUnsigned(@ForAll long a, @ForAll long b) {
    UnsignedLong x = UnsignedLong.fromBits(a);
    UnsignedLong y = UnsignedLong.fromBits(b);

    assertThat(Integer.signum(x.compareTo(y)))
        .isEqualTo(x.bigIntegerValue().compareTo(y.bigIntegerValue()));
    assertThat(UnsignedLong.valueOf(x.bigIntegerValue())).isEqualTo(x);
    assertThat(x.toString()).isEqualTo(x.bigIntegerValue().toString());
  }

  @Property
  void smallerUnsignedTypesCompareAsUnsigned(
      @ForAll byte a, @ForAll byte b, @ForAll short c, @ForAll short d) {
    assertThat(Integer.signum(UnsignedByte.fromBits(a).compareTo(UnsignedByte.fromBits(b))))
        .isEqualTo(Integer.signum(Integer.compare(a & 0xFF, b & 0xFF)));
    assertThat(Integer.signum(UnsignedShort.fromBits(c).compareTo(UnsignedShort.fromBits(d))))
        .isEqualTo(Integer.signum(Integer.compare(c & 0xFFFF, d & 0xFFFF)));
  }
}
