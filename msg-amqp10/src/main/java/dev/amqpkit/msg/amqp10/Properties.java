package dev.amqpkit.msg.amqp10;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.amqpkit.amqp10.Body;
import dev.amqpkit.amqp10.Message;
import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.msg.Attributes;
import dev.amqpkit.msg.SendFailedException;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Attributes to the properties and application properties of an AMQP 1.0 message, and back; see the
 * package documentation.
 */
final class Properties {
  /** Prefix of the application property that carries every value of a many-valued attribute. */
  static final String VALUES_PREFIX = "amqpkit-values:";

  private record Property(
      String key, BiConsumer<Message.Builder, String> set, Function<Message, Object> get) {}

  private static final List<Property> PROPERTIES =
      List.of(
          new Property("Message-Id", Message.Builder::messageId, Message::messageId),
          new Property("Correlation-Id", Message.Builder::correlationId, Message::correlationId),
          new Property("Content-Type", Message.Builder::contentType, Message::contentType),
          new Property(
              "Content-Encoding", Message.Builder::contentEncoding, Message::contentEncoding),
          new Property("Subject", Message.Builder::subject, Message::subject),
          new Property("Reply-To", Message.Builder::replyTo, Message::replyTo),
          new Property("Group-Id", Message.Builder::groupId, Message::groupId));

  private Properties() {}

  /**
   * A message with these attributes and body.
   *
   * @throws SendFailedException if a key starts with the reserved prefix
   */
  static Message message(Attributes attributes, byte[] body, boolean durable)
      throws SendFailedException {
    Message.Builder b = Message.builder().durable(durable).data(body);
    for (String key : attributes.keys()) {
      if (key.startsWith(VALUES_PREFIX)) {
        throw new SendFailedException(
            "attribute key '" + key + "': keys starting with " + VALUES_PREFIX + " are reserved");
      }
      List<String> values = attributes.getAll(key);
      Property property = values.size() == 1 ? property(key, values.get(0)) : null;
      if (property != null) {
        property.set.accept(b, values.get(0));
        continue;
      }
      b.applicationProperty(key, values.get(0));
      if (values.size() > 1) b.applicationProperty(VALUES_PREFIX + key, Json.stringArray(values));
    }
    return b.build();
  }

  private static Property property(String key, String value) {
    for (Property p : PROPERTIES) {
      if (!p.key.equals(key)) continue;
      // Content type and encoding travel as symbols, which are ASCII.
      if (key.startsWith("Content-") && !isAscii(value)) return null;
      return p;
    }
    return null;
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 127) return false;
    }
    return true;
  }

  /** The attributes of a received message: its properties that are set, then the application's. */
  static Attributes attributes(Message message) {
    Attributes attributes = new Attributes();
    for (Property p : PROPERTIES) {
      Object value = p.get.apply(message);
      if (value != null) attributes.add(p.key, text(value));
    }
    Map<String, Object> application = message.applicationProperties();
    boolean manyValued = false;
    for (String key : application.keySet()) {
      if (key.startsWith(VALUES_PREFIX)) manyValued = true;
    }
    for (Map.Entry<String, Object> e : application.entrySet()) {
      String key = e.getKey();
      if (key.startsWith(VALUES_PREFIX)) continue;
      Object all = manyValued ? application.get(VALUES_PREFIX + key) : null;
      List<String> values = all instanceof String json ? Json.parseStringArray(json) : null;
      if (values != null && !values.isEmpty()) {
        attributes.setAll(key, values);
      } else {
        attributes.add(key, text(e.getValue()));
      }
    }
    return attributes;
  }

  /**
   * The body's bytes: data sections concatenated, or an amqp-value holding binary or a string.
   *
   * @return null for any other body
   */
  static byte[] bodyBytes(Message message) {
    Body body = message.body();
    if (body instanceof Body.Data data) return data.bytes();
    if (body instanceof Body.Value value) {
      Object v = value.value();
      if (v instanceof Binary binary) return binary.toByteArray();
      if (v instanceof String s) return s.getBytes(UTF_8);
      if (v == null) return new byte[0];
    }
    return null;
  }

  private static String text(Object value) {
    if (value instanceof String s) return s;
    if (value instanceof Binary binary) return new String(binary.toByteArray(), UTF_8);
    return String.valueOf(value);
  }
}
