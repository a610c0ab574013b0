package dev.amqpkit.cli;

import dev.amqpkit.amqp091.BasicProperties;
import dev.amqpkit.amqp091.Delivery;
import dev.amqpkit.amqp10.Body;
import dev.amqpkit.amqp10.Message;
import dev.amqpkit.amqp10.types.Binary;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prints received messages: the body's bytes and a line end (text), or one JSON object a line with
 * the properties, the headers and the body, as text when it is valid UTF-8, else in base64.
 */
final class MessagePrinter {
  private final PrintStream out;
  private final boolean json;

  MessagePrinter(PrintStream out, boolean json) {
    this.out = out;
    this.json = json;
  }

  /** Prints a 0-9-1 delivery; false if the output failed (it was closed, say). */
  boolean print(Delivery d) {
    if (!json) return text(d.body());
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("exchange", d.exchange());
    line.put("routing_key", d.routingKey());
    line.put("redelivered", d.redelivered());
    BasicProperties p = d.properties();
    Map<String, Object> props = new LinkedHashMap<>();
    put(props, "content_type", p.contentType());
    put(props, "content_encoding", p.contentEncoding());
    put(props, "delivery_mode", p.deliveryMode());
    put(props, "priority", p.priority());
    put(props, "correlation_id", p.correlationId());
    put(props, "reply_to", p.replyTo());
    put(props, "expiration", p.expiration());
    put(props, "message_id", p.messageId());
    put(props, "timestamp", p.timestamp());
    put(props, "type", p.type());
    put(props, "user_id", p.userId());
    put(props, "app_id", p.appId());
    put(props, "cluster_id", p.clusterId());
    line.put("properties", props);
    line.put("headers", p.headers() == null ? Map.of() : p.headers());
    body(line, d.body());
    return json(line);
  }

  /** Prints a 1.0 message; false if the output failed (it was closed, say). */
  boolean print(Message m) {
    if (!json) return text(bytesOf(m.body()));
    Map<String, Object> line = new LinkedHashMap<>();
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("durable", m.durable());
    header.put("priority", m.priority());
    put(header, "ttl_ms", m.ttl() == null ? null : m.ttl().toMillis());
    header.put("first_acquirer", m.firstAcquirer());
    header.put("delivery_count", m.deliveryCount());
    line.put("header", header);
    if (!m.messageAnnotations().isEmpty()) line.put("message_annotations", m.messageAnnotations());
    Map<String, Object> props = new LinkedHashMap<>();
    put(props, "message_id", m.messageId());
    put(props, "user_id", m.userId() == null ? null : m.userId().toByteArray());
    put(props, "to", m.to());
    put(props, "subject", m.subject());
    put(props, "reply_to", m.replyTo());
    put(props, "correlation_id", m.correlationId());
    put(props, "content_type", m.contentType());
    put(props, "content_encoding", m.contentEncoding());
    put(props, "absolute_expiry_time", m.absoluteExpiryTime());
    put(props, "creation_time", m.creationTime());
    put(props, "group_id", m.groupId());
    put(props, "group_sequence", m.groupSequence());
    put(props, "reply_to_group_id", m.replyToGroupId());
    line.put("properties", props);
    line.put("application_properties", m.applicationProperties());
    if (m.body() instanceof Body.Data || m.body() == null) {
      body(line, bytesOf(m.body()));
    } else if (m.body() instanceof Body.Value v) {
      line.put("body_value", v.value() instanceof Binary b ? b.toByteArray() : v.value());
    } else if (m.body() instanceof Body.Sequence s) {
      line.put("body_sequence", s.sections());
    }
    return json(line);
  }

  private static byte[] bytesOf(Body body) {
    if (body == null) return new byte[0];
    if (body instanceof Body.Data data) return data.bytes();
    if (body instanceof Body.Value v) {
      Object value = v.value();
      if (value instanceof Binary b) return b.toByteArray();
      return String.valueOf(value).getBytes(StandardCharsets.UTF_8);
    }
    return Json.write(((Body.Sequence) body).sections()).getBytes(StandardCharsets.UTF_8);
  }

  // PrintStream swallows write errors: checkError flushes and says whether one happened.
  private boolean text(byte[] body) {
    out.write(body, 0, body.length);
    out.println();
    return !out.checkError();
  }

  private boolean json(Map<String, Object> line) {
    out.println(Json.write(line));
    return !out.checkError();
  }

  private static void body(Map<String, Object> line, byte[] body) {
    String text = utf8(body);
    if (text != null) {
      line.put("body", text);
      line.put("body_encoding", "utf-8");
    } else {
      line.put("body", Base64.getEncoder().encodeToString(body));
      line.put("body_encoding", "base64");
    }
  }

  private static void put(Map<String, Object> map, String key, Object value) {
    if (value != null) map.put(key, value);
  }

  /** The bytes as text if they are valid UTF-8, else null. */
  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
