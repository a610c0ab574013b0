package dev.amqpkit.msg.amqp10;

import java.util.ArrayList;
import java.util.List;

/** The one JSON shape this backend writes and reads: an array of strings. */
final class Json {
  private Json() {}

  static String stringArray(List<String> values) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) sb.append(',');
      quote(values.get(i), sb);
    }
    return sb.append(']').toString();
  }

  private static void quote(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    sb.append('"');
  }

  /**
   * The strings of a JSON array of strings.
   *
   * @return null if {@code json} is not one
   */
  static List<String> parseStringArray(String json) {
    List<String> out = new ArrayList<>();
    int i = skipSpace(json, 0);
    if (i >= json.length() || json.charAt(i) != '[') return null;
    i = skipSpace(json, i + 1);
    if (i < json.length() && json.charAt(i) == ']') {
      return skipSpace(json, i + 1) == json.length() ? out : null;
    }
    while (true) {
      if (i >= json.length() || json.charAt(i) != '"') return null;
      StringBuilder sb = new StringBuilder();
      i++;
      while (true) {
        if (i >= json.length()) return null;
        char c = json.charAt(i++);
        if (c == '"') break;
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        if (i >= json.length()) return null;
        char e = json.charAt(i++);
        switch (e) {
          case '"', '\\', '/' -> sb.append(e);
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'u' -> {
            if (i + 4 > json.length()) return null;
            try {
              sb.append((char) Integer.parseInt(json.substring(i, i + 4), 16));
            } catch (NumberFormatException ex) {
              return null;
            }
            i += 4;
          }
          default -> {
            return null;
          }
        }
      }
      out.add(sb.toString());
      i = skipSpace(json, i);
      if (i >= json.length()) return null;
      char c = json.charAt(i);
      if (c == ']') return skipSpace(json, i + 1) == json.length() ? out : null;
      if (c != ',') return null;
      i = skipSpace(json, i + 1);
    }
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    return i;
  }
}
