package dev.amqpkit.amqp091;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to consume from a queue. Immutable: each method returns new options. By default the broker
 * chooses the consumer tag, deliveries must be acknowledged, and the consumer is not exclusive.
 */
public final class ConsumeOptions {
  private static final ConsumeOptions DEFAULTS =
      new ConsumeOptions("", false, false, false, Map.of());

  private final String consumerTag;
  private final boolean autoAck;
  private final boolean exclusive;
  private final boolean noLocal;
  private final Map<String, Object> arguments;

  private ConsumeOptions(
      String consumerTag,
      boolean autoAck,
      boolean exclusive,
      boolean noLocal,
      Map<String, Object> arguments) {
    this.consumerTag = consumerTag;
    this.autoAck = autoAck;
    this.exclusive = exclusive;
    this.noLocal = noLocal;
    this.arguments = arguments;
  }

  public static ConsumeOptions defaults() {
    return DEFAULTS;
  }

  /** Our own consumer tag, unique on the channel. */
  public ConsumeOptions consumerTag(String tag) {
    return new ConsumeOptions(
        Objects.requireNonNull(tag, "tag == null"), autoAck, exclusive, noLocal, arguments);
  }

  /** The broker counts a message as acknowledged when it sends it ({@code no-ack}). */
  public ConsumeOptions autoAck() {
    return new ConsumeOptions(consumerTag, true, exclusive, noLocal, arguments);
  }

  /** The only consumer of the queue; fails with 403 ACCESS_REFUSED if there is another. */
  public ConsumeOptions exclusive() {
    return new ConsumeOptions(consumerTag, autoAck, true, noLocal, arguments);
  }

  /** Not given messages published on this connection (RabbitMQ ignores it). */
  public ConsumeOptions noLocal() {
    return new ConsumeOptions(consumerTag, autoAck, exclusive, true, arguments);
  }

  /** A consumer argument, such as {@code x-priority}. */
  public ConsumeOptions argument(String key, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(arguments);
    copy.put(Objects.requireNonNull(key, "key == null"), value);
    return new ConsumeOptions(
        consumerTag, autoAck, exclusive, noLocal, Collections.unmodifiableMap(copy));
  }

  public String consumerTag() {
    return consumerTag;
  }

  public boolean isAutoAck() {
    return autoAck;
  }

  public boolean isExclusive() {
    return exclusive;
  }

  public boolean isNoLocal() {
    return noLocal;
  }

  public Map<String, Object> arguments() {
    return arguments;
  }
}
