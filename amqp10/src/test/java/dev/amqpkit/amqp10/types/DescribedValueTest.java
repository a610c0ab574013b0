package dev.amqpkit.amqp10.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DescribedValueTest {

  @Test
  void holdsASymbolOrUlongDescriptorAndAnyValue() {
    DescribedValue a = DescribedValue.of(Symbol.valueOf("x:y"), List.of(1, "two"));
    DescribedValue b = DescribedValue.of(Symbol.valueOf("x:y"), List.of(1, "two"));
    DescribedValue c = DescribedValue.of(UnsignedLong.valueOf(0x10), null);

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c);
    assertThat(c.value()).isNull();
    assertThat(c.descriptor()).isEqualTo(UnsignedLong.valueOf(16));
    assertThat(a).hasToString("Described[x:y: [1, two]]");
  }

  @Test
  void refusesOtherDescriptors() {
    assertThatThrownBy(() -> DescribedValue.of(null, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("descriptor == null");
    assertThatThrownBy(() -> DescribedValue.of("amqp:open:list", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.String");
    assertThatThrownBy(() -> DescribedValue.of(16L, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.Long");
  }
}
