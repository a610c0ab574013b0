package dev.amqpkit.cli;

import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Writes values as JSON: maps, lists, strings, numbers, booleans, null; the rest as strings. */
final class Json {
  private Json() {}

  static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value);
    return out.toString();
  }

  static void write(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Boolean) {
      out.append(value);
    } else if (value instanceof Double d && (d.isNaN() || d.isInfinite())) {
      string(out, d.toString());
    } else if (value instanceof Float f && (f.isNaN() || f.isInfinite())) {
      string(out, f.toString());
    } else if (value instanceof Number n && !(value instanceof java.math.BigDecimal)) {
      out.append(n);
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) out.append(',');
        first = false;
        string(out, String.valueOf(e.getKey()));
        out.append(':');
        write(out, e.getValue());
      }
      out.append('}');
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) out.append(',');
        write(out, list.get(i));
      }
      out.append(']');
    } else if (value instanceof Object[] array) {
      write(out, java.util.Arrays.asList(array));
    } else if (value instanceof byte[] bytes) {
      string(out, Base64.getEncoder().encodeToString(bytes));
    } else if (value instanceof Instant instant) {
      string(out, instant.toString());
    } else {
      string(out, value.toString());
    }
  }

  static void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    out.append('"');
  }
}
