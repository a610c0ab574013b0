package dev.amqpkit.testkit.amqp091;

import java.util.List;
import java.util.Map;

/**
 * What a broker says in {@code connection.start}: its protocol version, server properties and the
 * SASL mechanisms and locales it offers.
 */
public record ConnectionStart(
    int versionMajor,
    int versionMinor,
    Map<String, Object> serverProperties,
    List<String> mechanisms,
    List<String> locales) {

  public ConnectionStart {
    serverProperties = Map.copyOf(nullsAsEmpty(serverProperties));
    mechanisms = List.copyOf(mechanisms);
    locales = List.copyOf(locales);
  }

  private static Map<String, Object> nullsAsEmpty(Map<String, Object> properties) {
    // Map.copyOf rejects null values, which a table may carry as void ('V').
    var copy = new java.util.LinkedHashMap<String, Object>();
    properties.forEach((k, v) -> copy.put(k, v == null ? "" : v));
    return copy;
  }

  /** The {@code product} server property, or an empty string. */
  public String product() {
    return String.valueOf(serverProperties.getOrDefault("product", ""));
  }

  /** The {@code version} server property, or an empty string. */
  public String version() {
    return String.valueOf(serverProperties.getOrDefault("version", ""));
  }

  /** The names of the capabilities the server announces as true. */
  public List<String> capabilities() {
    if (!(serverProperties.get("capabilities") instanceof Map<?, ?> caps)) return List.of();
    return caps.entrySet().stream()
        .filter(e -> Boolean.TRUE.equals(e.getValue()))
        .map(e -> String.valueOf(e.getKey()))
        .sorted()
        .toList();
  }

  static ConnectionStart decode(Frame frame) throws FrameFormatException {
    ArgumentReader args = frame.arguments();
    int major = args.octet();
    int minor = args.octet();
    Map<String, Object> properties = args.table();
    List<String> mechanisms = words(args.longStringUtf8());
    List<String> locales = words(args.longStringUtf8());
    return new ConnectionStart(major, minor, properties, mechanisms, locales);
  }

  private static List<String> words(String spaceSeparated) {
    String trimmed = spaceSeparated.trim();
    return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\\s+"));
  }
}
