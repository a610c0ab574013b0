package dev.amqpkit.amqp10.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AmqpCharTest {

  @Test
  void holdsAnyUnicodeScalarValue() {
    assertThat(AmqpChar.valueOf('a')).hasToString("a").isSameAs(AmqpChar.valueOf(0x61));
    assertThat(AmqpChar.valueOf(0x1F407).codePoint()).isEqualTo(0x1F407);
    assertThat(AmqpChar.valueOf(0x1F407)).hasToString("\uD83D\uDC07");
    assertThat(AmqpChar.valueOf(0x10FFFF)).isEqualTo(AmqpChar.valueOf(0x10FFFF));
  }

  @Test
  void refusesSurrogatesAndOutOfRange() {
    for (int bad : new int[] {-1, 0xD800, 0xDFFF, 0x110000, Integer.MIN_VALUE}) {
      assertThat(AmqpChar.isValid(bad)).as("0x%x", bad).isFalse();
      assertThatThrownBy(() -> AmqpChar.valueOf(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(Integer.toHexString(bad).toUpperCase());
    }
  }
}
