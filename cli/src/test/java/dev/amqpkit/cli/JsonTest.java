package dev.amqpkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void stringsAreEscaped() {
    assertThat(Json.write("a\"b\\c\nd\te\u0001\u2028"))
        .isEqualTo("\"a\\\"b\\\\c\\nd\\te\\u0001\\u2028\"");
  }

  @Test
  void valuesOfEveryKind() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("null", null);
    m.put("bool", true);
    m.put("int", 5);
    m.put("double", 1.5);
    m.put("nan", Double.NaN);
    m.put("decimal", new BigDecimal("1.10"));
    m.put("bytes", new byte[] {0, 1, 2});
    m.put("time", Instant.parse("2026-11-23T10:00:00Z"));
    m.put("list", List.of(1, "two"));
    m.put("array", new Object[] {3});
    m.put("nested", Map.of("k", "v"));
    assertThat(Json.write(m))
        .isEqualTo(
            "{\"null\":null,\"bool\":true,\"int\":5,\"double\":1.5,\"nan\":\"NaN\","
                + "\"decimal\":\"1.10\",\"bytes\":\"AAEC\",\"time\":\"2026-11-23T10:00:00Z\","
                + "\"list\":[1,\"two\"],\"array\":[3],\"nested\":{\"k\":\"v\"}}");
  }

  @Test
  void listsMayHoldNull() {
    assertThat(Json.write(Arrays.asList(null, 1))).isEqualTo("[null,1]");
  }
}
