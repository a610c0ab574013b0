package dev.amqpkit.amqp10.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SymbolTest {

  @Test
  void equalNamesAreOneInstance() {
    Symbol a = Symbol.valueOf("amqp:accepted:list");
    Symbol b = Symbol.valueOf(new String("amqp:accepted:list"));

    assertThat(b).isSameAs(a).hasToString("amqp:accepted:list");
    assertThat(a.length()).isEqualTo(18);
  }

  @Test
  void acceptsAllOfAsciiAndNothingElse() {
    StringBuilder ascii = new StringBuilder();
    for (char c = 0; c < 128; c++) ascii.append(c);

    assertThat(Symbol.valueOf(ascii.toString()).length()).isEqualTo(128);
    assertThatThrownBy(() -> Symbol.valueOf("caf\u00e9"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("character 3")
        .hasMessageContaining("U+00E9");
    assertThatThrownBy(() -> Symbol.valueOf(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("value == null");
  }

  @Test
  void theInternCacheIsBounded() {
    for (int i = 0; i < 3 * Symbol.INTERN_LIMIT; i++) Symbol.valueOf("bounded-" + i);

    Symbol late1 = Symbol.valueOf("never-seen-before-after-the-flood");
    Symbol late2 = Symbol.valueOf("never-seen-before-after-the-flood");

    // Past the limit symbols still work and compare equal; they are just not shared.
    assertThat(late1).isEqualTo(late2).hasSameHashCodeAs(late2);
  }

  @Test
  void comparesByName() {
    assertThat(Symbol.valueOf("a")).isLessThan(Symbol.valueOf("b"));
    assertThat(Symbol.valueOf("x")).isNotEqualTo("x");
  }
}
