package dev.amqpkit.msg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AttributesTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "a-b-c|A-B-C",
        "a-1-c|A-1-C",
        "User-Agent|User-Agent",
        "uSER-aGENT|User-Agent",
        "USER-AGENT|User-Agent",
        "content-type|Content-Type",
        "foo-bar_baz|Foo-Bar_baz",
        "foo-bar$baz|Foo-Bar$baz",
        "foo-bar~baz|Foo-Bar~baz",
        "x--y|X--Y",
        "üser-agenT|üser-agenT",
        "a B|a B",
        "C Ontent-Transfer-Encoding|C Ontent-Transfer-Encoding",
        "x:y|x:y",
      })
  void keysAreCanonicalLikeMimeHeaderNames(String key, String canonical) {
    assertThat(Attributes.canonicalKey(key)).isEqualTo(canonical);
  }

  @Test
  void theEmptyKeyStaysEmpty() {
    assertThat(Attributes.canonicalKey("")).isEmpty();
  }

  @Test
  void getIsCaseInsensitiveAndGivesTheFirstValue() {
    Attributes a = new Attributes().add("x-id", "1").add("X-ID", "2");
    assertThat(a.keys()).containsExactly("X-Id");
    assertThat(a.get("x-Id")).contains("1");
    assertThat(a.getAll("X-Id")).containsExactly("1", "2");
    assertThat(a.get("missing")).isEmpty();
    assertThat(a.getAll("missing")).isEmpty();
  }

  @Test
  void setReplacesAndSetAllWithNoValuesRemoves() {
    Attributes a = Attributes.of("A", "1", "a", "2");
    assertThat(a.getAll("A")).containsExactly("1", "2");
    a.set("a", "3");
    assertThat(a.getAll("A")).containsExactly("3");
    a.setAll("A", List.of());
    assertThat(a.contains("A")).isFalse();
    assertThat(a.isEmpty()).isTrue();
  }

  @Test
  void aCopySharesNothing() {
    Attributes a = Attributes.of("K", "1");
    Attributes copy = a.copy();
    copy.add("K", "2").set("L", "3");
    assertThat(a.getAll("K")).containsExactly("1");
    assertThat(a.contains("L")).isFalse();
    assertThat(copy).isNotEqualTo(a);
    assertThat(a.copy()).isEqualTo(a).hasSameHashCodeAs(a);
  }

  @Test
  void viewsCannotChangeTheAttributes() {
    Attributes a = Attributes.of("K", "1");
    assertThatThrownBy(() -> a.getAll("K").add("2"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> a.keys().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> a.toMap().get("K").add("2"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void nullsAndOddArgumentCountsAreRefused() {
    assertThatThrownBy(() -> new Attributes().set(null, "v"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key == null");
    assertThatThrownBy(() -> new Attributes().set("k", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("value == null");
    assertThatThrownBy(() -> Attributes.of("k"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pairs");
  }
}
