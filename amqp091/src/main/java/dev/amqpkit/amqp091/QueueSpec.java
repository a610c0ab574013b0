package dev.amqpkit.amqp091;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What to declare a queue as. Immutable: each method returns a new spec.
 *
 * <pre>{@code
 * channel.queueDeclare(QueueSpec.named("orders").durable().quorum().deadLetterExchange("dlx"));
 * channel.queueDeclare(QueueSpec.serverNamed().exclusive().autoDelete());
 * }</pre>
 */
public final class QueueSpec {
  private final String name;
  private final boolean durable;
  private final boolean exclusive;
  private final boolean autoDelete;
  private final Map<String, Object> arguments;

  private QueueSpec(
      String name,
      boolean durable,
      boolean exclusive,
      boolean autoDelete,
      Map<String, Object> arguments) {
    this.name = name;
    this.durable = durable;
    this.exclusive = exclusive;
    this.autoDelete = autoDelete;
    this.arguments = arguments;
  }

  /** A non-durable, non-exclusive queue with this name. */
  public static QueueSpec named(String name) {
    Objects.requireNonNull(name, "name == null");
    return new QueueSpec(name, false, false, false, Map.of());
  }

  /** A queue the broker names; read the name from {@link QueueDeclareOk#queue()}. */
  public static QueueSpec serverNamed() {
    return new QueueSpec("", false, false, false, Map.of());
  }

  /** Survives a broker restart. */
  public QueueSpec durable() {
    return new QueueSpec(name, true, exclusive, autoDelete, arguments);
  }

  /** Used by this connection only, and deleted when it closes. */
  public QueueSpec exclusive() {
    return new QueueSpec(name, durable, true, autoDelete, arguments);
  }

  /** Deleted when its last consumer is cancelled. */
  public QueueSpec autoDelete() {
    return new QueueSpec(name, durable, exclusive, true, arguments);
  }

  /** Adds an {@code x-} argument. */
  public QueueSpec argument(String key, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(arguments);
    copy.put(Objects.requireNonNull(key, "key == null"), value);
    return new QueueSpec(name, durable, exclusive, autoDelete, Collections.unmodifiableMap(copy));
  }

  /** {@code x-queue-type: quorum}: replicated; must also be durable. */
  public QueueSpec quorum() {
    return argument("x-queue-type", "quorum");
  }

  /** {@code x-queue-type: stream}: an append-only log; must also be durable. */
  public QueueSpec stream() {
    return argument("x-queue-type", "stream");
  }

  /** {@code x-message-ttl}: messages older than this are dropped or dead-lettered. */
  public QueueSpec messageTtl(Duration ttl) {
    return argument("x-message-ttl", ttl.toMillis());
  }

  /** {@code x-expires}: the queue is deleted after being unused this long. */
  public QueueSpec expires(Duration idle) {
    return argument("x-expires", idle.toMillis());
  }

  /** {@code x-max-length}: at most this many ready messages. */
  public QueueSpec maxLength(long messages) {
    return argument("x-max-length", messages);
  }

  /** {@code x-dead-letter-exchange}: where rejected and expired messages go. */
  public QueueSpec deadLetterExchange(String exchange) {
    return argument("x-dead-letter-exchange", exchange);
  }

  /** {@code x-max-priority}: enables priorities 0..max. */
  public QueueSpec maxPriority(int max) {
    return argument("x-max-priority", max);
  }

  public String name() {
    return name;
  }

  public boolean isDurable() {
    return durable;
  }

  public boolean isExclusive() {
    return exclusive;
  }

  public boolean isAutoDelete() {
    return autoDelete;
  }

  public Map<String, Object> arguments() {
    return arguments;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QueueSpec q
        && q.name.equals(name)
        && q.durable == durable
        && q.exclusive == exclusive
        && q.autoDelete == autoDelete
        && q.arguments.equals(arguments);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, durable, exclusive, autoDelete, arguments);
  }

  @Override
  public String toString() {
    return "QueueSpec{'"
        + name
        + "'"
        + (durable ? " durable" : "")
        + (exclusive ? " exclusive" : "")
        + (autoDelete ? " auto-delete" : "")
        + (arguments.isEmpty() ? "" : " " + arguments)
        + "}";
  }
}
