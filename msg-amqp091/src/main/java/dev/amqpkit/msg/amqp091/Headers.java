package dev.amqpkit.msg.amqp091;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.amqpkit.amqp091.BasicProperties;
import dev.amqpkit.msg.Attributes;
import dev.amqpkit.msg.SendFailedException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** Attributes to basic properties and headers, and back; see the package documentation. */
final class Headers {
  private static final int SHORT_STRING_MAX = 255;

  /** The attributes carried by a property, with how to set and read it. */
  private record Property(
      String key,
      BiConsumer<BasicProperties.Builder, String> set,
      Function<BasicProperties, String> get) {}

  private static final List<Property> PROPERTIES =
      List.of(
          new Property(
              "Content-Type", BasicProperties.Builder::contentType, BasicProperties::contentType),
          new Property(
              "Content-Encoding",
              BasicProperties.Builder::contentEncoding,
              BasicProperties::contentEncoding),
          new Property(
              "Message-Id", BasicProperties.Builder::messageId, BasicProperties::messageId),
          new Property(
              "Correlation-Id",
              BasicProperties.Builder::correlationId,
              BasicProperties::correlationId),
          new Property("Reply-To", BasicProperties.Builder::replyTo, BasicProperties::replyTo),
          new Property(
              "Expiration", BasicProperties.Builder::expiration, BasicProperties::expiration),
          new Property("Type", BasicProperties.Builder::type, BasicProperties::type),
          new Property("App-Id", BasicProperties.Builder::appId, BasicProperties::appId));

  private Headers() {}

  /**
   * The properties of a message with these attributes.
   *
   * @throws SendFailedException if a key cannot be a header name (over 255 bytes)
   */
  static BasicProperties properties(Attributes attributes, boolean persistent)
      throws SendFailedException {
    BasicProperties.Builder b = BasicProperties.builder();
    if (persistent) b.persistent();
    Map<String, Object> headers = null;
    for (String key : attributes.keys()) {
      List<String> values = attributes.getAll(key);
      Property property = values.size() == 1 ? property(key, values.get(0)) : null;
      if (property != null) {
        property.set.accept(b, values.get(0));
        continue;
      }
      if (key.getBytes(UTF_8).length > SHORT_STRING_MAX) {
        throw new SendFailedException(
            "attribute key of "
                + key.getBytes(UTF_8).length
                + " bytes: an AMQP 0-9-1 header name has at most 255 ("
                + key.substring(0, 40)
                + "...)");
      }
      if (headers == null) headers = new LinkedHashMap<>();
      headers.put(key, values.size() == 1 ? values.get(0) : List.copyOf(values));
    }
    if (headers != null) b.headers(headers);
    return b.build();
  }

  /** The property carrying this attribute, or null when it goes in the headers. */
  private static Property property(String key, String value) {
    for (Property p : PROPERTIES) {
      if (!p.key.equals(key)) continue;
      if (value.getBytes(UTF_8).length > SHORT_STRING_MAX) return null;
      // RabbitMQ closes the channel on an expiration that is not a number of milliseconds.
      if (key.equals("Expiration") && !isMillis(value)) return null;
      return p;
    }
    return null;
  }

  private static boolean isMillis(String value) {
    if (value.isEmpty() || value.length() > 18) return false;
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) < '0' || value.charAt(i) > '9') return false;
    }
    return true;
  }

  /** The attributes of a delivered message: its string properties, then its headers. */
  static Attributes attributes(BasicProperties properties) {
    Attributes attributes = new Attributes();
    for (Property p : PROPERTIES) {
      String value = p.get.apply(properties);
      if (value != null) attributes.add(p.key, value);
    }
    Map<String, Object> headers = properties.headers();
    if (headers != null) {
      for (Map.Entry<String, Object> e : headers.entrySet()) {
        Object value = e.getValue();
        if (value instanceof List<?> list) {
          List<String> strings = new ArrayList<>(list.size());
          for (Object element : list) strings.add(text(element));
          for (String s : strings) attributes.add(e.getKey(), s);
        } else {
          attributes.add(e.getKey(), text(value));
        }
      }
    }
    return attributes;
  }

  /** A header value of another publisher as text: bytes as UTF-8, the rest as Java prints it. */
  private static String text(Object value) {
    if (value instanceof String s) return s;
    if (value instanceof byte[] bytes) return new String(bytes, UTF_8);
    return String.valueOf(value);
  }
}
