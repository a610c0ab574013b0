package dev.amqpkit.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;

/** How option values are written on the command line. */
final class Values {
  private Values() {}

  /**
   * Reads {@code key=value} pairs into a map, in order, or fails with a usage error naming the
   * option. A value is a string unless the key names a type: {@code key:int=5}, {@code :long},
   * {@code :bool}, {@code :double} or {@code :string}. With {@code guess}, an untyped value that
   * reads as a whole number becomes a long and {@code true}/{@code false} a boolean (for broker
   * arguments such as {@code x-max-length=10}).
   */
  static Map<String, Object> pairs(List<String> entries, String option, boolean guess) {
    Map<String, Object> map = new LinkedHashMap<>();
    if (entries == null) return map;
    for (String entry : entries) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw CommandFailure.usage(option + " '" + entry + "' is not key=value");
      }
      String key = entry.substring(0, eq);
      String value = entry.substring(eq + 1);
      String type = null;
      int colon = key.lastIndexOf(':');
      if (colon > 0) {
        String suffix = key.substring(colon + 1).toLowerCase(Locale.ROOT);
        if (List.of("int", "long", "bool", "double", "string").contains(suffix)) {
          type = suffix;
          key = key.substring(0, colon);
        }
      }
      map.put(key, typed(option, key, value, type, guess));
    }
    return map;
  }

  private static Object typed(String option, String key, String value, String type, boolean guess) {
    try {
      if (type == null) {
        if (guess && value.matches("-?\\d{1,18}")) return Long.parseLong(value);
        if (guess && (value.equals("true") || value.equals("false"))) {
          return Boolean.parseBoolean(value);
        }
        return value;
      }
      return switch (type) {
        case "int" -> Integer.parseInt(value);
        case "long" -> Long.parseLong(value);
        case "double" -> Double.parseDouble(value);
        case "bool" -> {
          if (!value.equals("true") && !value.equals("false")) {
            throw new NumberFormatException("not true or false");
          }
          yield Boolean.parseBoolean(value);
        }
        default -> value;
      };
    } catch (NumberFormatException e) {
      throw CommandFailure.usage(
          option + " " + key + ": '" + value + "' is not " + article(type) + type);
    }
  }

  private static String article(String type) {
    return type.equals("int") ? "an " : "a ";
  }

  /**
   * Reads {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, a bare number of seconds, or ISO-8601.
   */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      try {
        Duration d;
        if (v.startsWith("p")) d = Duration.parse(v.toUpperCase(Locale.ROOT));
        else if (v.endsWith("ms"))
          d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        else if (v.endsWith("s")) d = millis(v, 1_000);
        else if (v.endsWith("m")) d = millis(v, 60_000);
        else if (v.endsWith("h")) d = millis(v, 3_600_000);
        else d = Duration.ofMillis(Math.round(Double.parseDouble(v) * 1_000));
        if (d.isNegative()) throw new IllegalArgumentException("negative");
        return d;
      } catch (RuntimeException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a duration (such as 500ms, 5s, 2m)");
      }
    }

    private static Duration millis(String v, long unit) {
      return Duration.ofMillis(
          Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * unit));
    }
  }
}
