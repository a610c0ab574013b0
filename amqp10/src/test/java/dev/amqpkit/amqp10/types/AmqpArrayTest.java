package dev.amqpkit.amqp10.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AmqpArrayTest {

  @Test
  void elementTypeIsPartOfTheValue() {
    AmqpArray ints = AmqpArray.of(AmqpType.INT, List.of(1, 2));
    AmqpArray longs = AmqpArray.of(AmqpType.LONG, List.of(1L, 2L));

    assertThat(ints).isEqualTo(AmqpArray.of(AmqpType.INT, List.of(1, 2)));
    assertThat(ints).isNotEqualTo(longs);
    assertThat(AmqpArray.of(AmqpType.INT, List.of()))
        .isNotEqualTo(AmqpArray.of(AmqpType.LONG, List.of()));
    assertThat(ints.elementType()).isEqualTo(AmqpType.INT);
    assertThat(ints.isDescribed()).isFalse();
    assertThat(ints.get(1)).isEqualTo(2);
    assertThat(ints).hasToString("Array[int: [1, 2]]");
  }

  @Test
  void copiesItsElements() {
    List<Object> source = new ArrayList<>(List.of(Symbol.valueOf("a")));
    AmqpArray array = AmqpArray.of(AmqpType.SYMBOL, source);
    source.add(Symbol.valueOf("b"));

    assertThat(array.size()).isEqualTo(1);
    assertThatThrownBy(() -> array.elements().add(Symbol.valueOf("c")))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void refusesElementsOfAnotherType() {
    assertThatThrownBy(() -> AmqpArray.of(AmqpType.INT, List.of(1, 2L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("element 1")
        .hasMessageContaining("java.lang.Long");
    assertThatThrownBy(() -> AmqpArray.of(AmqpType.STRING, Arrays.asList("a", null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("element 1")
        .hasMessageContaining("null");
    assertThat(AmqpArray.of(AmqpType.NULL, Arrays.asList(null, null)).size()).isEqualTo(2);
    assertThatThrownBy(() -> AmqpArray.of(AmqpType.NULL, List.of(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AmqpArray.of(null, List.of()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("elementType == null");
  }

  @Test
  void describedArraysCheckDescriptorAndValueType() {
    Symbol d = Symbol.valueOf("x:thing");
    AmqpArray ok =
        AmqpArray.ofDescribed(
            d,
            AmqpType.LIST,
            List.of(DescribedValue.of(d, List.of()), DescribedValue.of(d, List.of(1))));

    assertThat(ok.isDescribed()).isTrue();
    assertThat(ok.descriptors()).containsExactly(d);
    assertThat(ok)
        .hasToString(
            "Array[described x:thing list: [Described[x:thing: []], Described[x:thing: [1]]]]");
    assertThatThrownBy(
            () ->
                AmqpArray.ofDescribed(
                    d,
                    AmqpType.LIST,
                    List.of(DescribedValue.of(Symbol.valueOf("other"), List.of()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("other");
    assertThatThrownBy(
            () -> AmqpArray.ofDescribed(d, AmqpType.LIST, List.of(DescribedValue.of(d, "text"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.String");
    assertThatThrownBy(() -> AmqpArray.ofDescribed("not a descriptor", AmqpType.LIST, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AmqpArray.ofDescribed(d, AmqpType.LIST, Arrays.asList((Object) null)))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("element 0");
  }
}
