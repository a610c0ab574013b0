package dev.amqpkit.msg.amqp10;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Property
  void anyListOfStringsRoundTrips(@ForAll List<String> values) {
    assertThat(Json.parseStringArray(Json.stringArray(values))).isEqualTo(values);
  }

  @Test
  void escapesWhatJsonRequires() {
    assertThat(Json.stringArray(List.of("a\"b", "c\\d", "\n\u0001", "🐇")))
        .isEqualTo("[\"a\\\"b\",\"c\\\\d\",\"\\n\\u0001\",\"🐇\"]");
  }

  @Test
  void readsOtherWritersSpacingAndEscapes() {
    assertThat(Json.parseStringArray(" [ \"a\" , \"\\u00e9\\/\" ] ")).containsExactly("a", "é/");
    assertThat(Json.parseStringArray("[]")).isEmpty();
  }

  @Test
  void anythingElseIsNotAStringArray() {
    for (String bad :
        List.of("", "[", "[\"a\"", "[\"a\",]", "[1]", "{\"a\":1}", "[\"a\"] x", "[\"\\x\"]")) {
      assertThat(Json.parseStringArray(bad)).as(bad).isNull();
    }
  }
}
