package dev.amqpkit.amqp091;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The fourteen properties of a message as typed fields, with the application's own headers kept
 * apart in {@link #headers()}. A {@code null} field is a property that is absent on the wire.
 *
 * <p>Immutable and thread-safe. Build one with {@link #builder()}; change one with {@link
 * #newBuilder()}.
 */
public final class BasicProperties {
  /** No properties at all: the cheapest to send. */
  public static final BasicProperties EMPTY = new Builder().build();

  /** Delivery mode 1: the broker may keep the message in memory only. */
  public static final int TRANSIENT = 1;

  /** Delivery mode 2: a durable queue keeps the message across a broker restart. */
  public static final int PERSISTENT = 2;

  private final String contentType;
  private final String contentEncoding;
  private final Map<String, Object> headers;
  private final Integer deliveryMode;
  private final Integer priority;
  private final String correlationId;
  private final String replyTo;
  private final String expiration;
  private final String messageId;
  private final Instant timestamp;
  private final String type;
  private final String userId;
  private final String appId;
  private final String clusterId;

  private BasicProperties(Builder b) {
    contentType = b.contentType;
    contentEncoding = b.contentEncoding;
    headers =
        b.headers == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
    deliveryMode = b.deliveryMode;
    priority = b.priority;
    correlationId = b.correlationId;
    replyTo = b.replyTo;
    expiration = b.expiration;
    messageId = b.messageId;
    timestamp = b.timestamp;
    type = b.type;
    userId = b.userId;
    appId = b.appId;
    clusterId = b.clusterId;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    return new Builder(this);
  }

  /** MIME content type, such as {@code application/json}. */
  public String contentType() {
    return contentType;
  }

  /** MIME content encoding, such as {@code gzip}. */
  public String contentEncoding() {
    return contentEncoding;
  }

  /**
   * The application's headers, unmodifiable; {@code null} when absent. Values map to field-table
   * types as follows, both ways unless marked:
   *
   * <table>
   *   <caption>Field-table types</caption>
   *   <tr><th>tag</th><th>type</th><th>Java</th></tr>
   *   <tr><td>t</td><td>boolean</td><td>{@code Boolean}</td></tr>
   *   <tr><td>b / B</td><td>signed / unsigned 8-bit</td><td>{@code Byte} / {@link UnsignedByte}</td></tr>
   *   <tr><td>s / u</td><td>signed / unsigned 16-bit</td><td>{@code Short} / {@link UnsignedShort}</td></tr>
   *   <tr><td>I / i</td><td>signed / unsigned 32-bit</td><td>{@code Integer} / {@link UnsignedInt}</td></tr>
   *   <tr><td>l</td><td>signed 64-bit</td><td>{@code Long}</td></tr>
   *   <tr><td>f / d</td><td>float / double</td><td>{@code Float} / {@code Double}</td></tr>
   *   <tr><td>D</td><td>decimal</td><td>{@code BigDecimal} (scale 0..255, 32-bit unscaled)</td></tr>
   *   <tr><td>S</td><td>long string</td><td>{@code String}; bytes that are not UTF-8 as {@code byte[]}, re-sent as x</td></tr>
   *   <tr><td>x</td><td>byte array</td><td>{@code byte[]}</td></tr>
   *   <tr><td>T</td><td>timestamp (seconds)</td><td>{@code Instant}; {@code Date} also accepted</td></tr>
   *   <tr><td>A</td><td>array</td><td>{@code List}</td></tr>
   *   <tr><td>F</td><td>table</td><td>{@code Map<String, ?>}</td></tr>
   *   <tr><td>V</td><td>void</td><td>{@code null}</td></tr>
   *   <tr><td>U / L</td><td>the specification's 16 / 64-bit signed, not RabbitMQ's</td><td>read as {@code Short} / {@code Long}, sent as s / l</td></tr>
   * </table>
   */
  public Map<String, Object> headers() {
    return headers;
  }

  /** {@link #TRANSIENT} or {@link #PERSISTENT}; {@code null} when absent. */
  public Integer deliveryMode() {
    return deliveryMode;
  }

  /** Whether the delivery mode is {@link #PERSISTENT}. */
  public boolean isPersistent() {
    return deliveryMode != null && deliveryMode == PERSISTENT;
  }

  /** Priority 0 to 9 (RabbitMQ honours up to the queue's x-max-priority). */
  public Integer priority() {
    return priority;
  }

  public String correlationId() {
    return correlationId;
  }

  public String replyTo() {
    return replyTo;
  }

  /** Per-message TTL in milliseconds, as a decimal string (RabbitMQ's convention). */
  public String expiration() {
    return expiration;
  }

  public String messageId() {
    return messageId;
  }

  /** Seconds precision: the wire carries whole seconds. */
  public Instant timestamp() {
    return timestamp;
  }

  public String type() {
    return type;
  }

  /** The user the publisher connected as; RabbitMQ rejects a message whose user-id differs. */
  public String userId() {
    return userId;
  }

  public String appId() {
    return appId;
  }

  /** Deprecated in 0-9-1 (the reserved property); carried for exact round trips. */
  public String clusterId() {
    return clusterId;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof BasicProperties p)) return false;
    return Objects.equals(contentType, p.contentType)
        && Objects.equals(contentEncoding, p.contentEncoding)
        && Objects.equals(headers, p.headers)
        && Objects.equals(deliveryMode, p.deliveryMode)
        && Objects.equals(priority, p.priority)
        && Objects.equals(correlationId, p.correlationId)
        && Objects.equals(replyTo, p.replyTo)
        && Objects.equals(expiration, p.expiration)
        && Objects.equals(messageId, p.messageId)
        && Objects.equals(timestamp, p.timestamp)
        && Objects.equals(type, p.type)
        && Objects.equals(userId, p.userId)
        && Objects.equals(appId, p.appId)
        && Objects.equals(clusterId, p.clusterId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        contentType,
        contentEncoding,
        headers,
        deliveryMode,
        priority,
        correlationId,
        replyTo,
        expiration,
        messageId,
        timestamp,
        type,
        userId,
        appId,
        clusterId);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("BasicProperties{");
    append(s, "contentType", contentType);
    append(s, "contentEncoding", contentEncoding);
    append(s, "headers", headers);
    append(s, "deliveryMode", deliveryMode);
    append(s, "priority", priority);
    append(s, "correlationId", correlationId);
    append(s, "replyTo", replyTo);
    append(s, "expiration", expiration);
    append(s, "messageId", messageId);
    append(s, "timestamp", timestamp);
    append(s, "type", type);
    append(s, "userId", userId);
    append(s, "appId", appId);
    append(s, "clusterId", clusterId);
    if (s.charAt(s.length() - 1) == ' ') s.setLength(s.length() - 2);
    return s.append('}').toString();
  }

  private static void append(StringBuilder s, String name, Object value) {
    if (value != null) s.append(name).append('=').append(value).append(", ");
  }

  /** Builds {@link BasicProperties}; not thread-safe. */
  public static final class Builder {
    private String contentType;
    private String contentEncoding;
    private Map<String, Object> headers;
    private Integer deliveryMode;
    private Integer priority;
    private String correlationId;
    private String replyTo;
    private String expiration;
    private String messageId;
    private Instant timestamp;
    private String type;
    private String userId;
    private String appId;
    private String clusterId;

    private Builder() {}

    private Builder(BasicProperties p) {
      contentType = p.contentType;
      contentEncoding = p.contentEncoding;
      headers = p.headers;
      deliveryMode = p.deliveryMode;
      priority = p.priority;
      correlationId = p.correlationId;
      replyTo = p.replyTo;
      expiration = p.expiration;
      messageId = p.messageId;
      timestamp = p.timestamp;
      type = p.type;
      userId = p.userId;
      appId = p.appId;
      clusterId = p.clusterId;
    }

    public Builder contentType(String contentType) {
      this.contentType = contentType;
      return this;
    }

    public Builder contentEncoding(String contentEncoding) {
      this.contentEncoding = contentEncoding;
      return this;
    }

    /**
     * The application's headers; the map is copied. Values may be {@code Boolean}, {@code Byte},
     * {@code Short}, {@code Integer}, {@code Long}, {@code Float}, {@code Double}, {@code
     * BigDecimal}, {@code String}, {@code byte[]}, {@code Instant}, {@code List}, {@code Map} or
     * {@code null}; an unsupported type fails the publish with {@link IllegalArgumentException}.
     */
    public Builder headers(Map<String, ?> headers) {
      this.headers = headers == null ? null : new LinkedHashMap<>(headers);
      return this;
    }

    /** Adds one header. */
    public Builder header(String name, Object value) {
      Objects.requireNonNull(name, "name == null");
      if (headers == null) headers = new LinkedHashMap<>();
      headers.put(name, value);
      return this;
    }

    /**
     * {@link BasicProperties#TRANSIENT} or {@link BasicProperties#PERSISTENT}; other octets are
     * carried as they are, for fidelity with peers that send them.
     *
     * @throws IllegalArgumentException if outside 0..255
     */
    public Builder deliveryMode(Integer deliveryMode) {
      if (deliveryMode != null && (deliveryMode < 0 || deliveryMode > 255)) {
        throw new IllegalArgumentException("deliveryMode must be 0..255, not " + deliveryMode);
      }
      this.deliveryMode = deliveryMode;
      return this;
    }

    /** Shorthand for {@code deliveryMode(PERSISTENT)}. */
    public Builder persistent() {
      return deliveryMode(PERSISTENT);
    }

    /**
     * @throws IllegalArgumentException if outside 0..255
     */
    public Builder priority(Integer priority) {
      if (priority != null && (priority < 0 || priority > 255)) {
        throw new IllegalArgumentException("priority must be 0..255, not " + priority);
      }
      this.priority = priority;
      return this;
    }

    public Builder correlationId(String correlationId) {
      this.correlationId = correlationId;
      return this;
    }

    public Builder replyTo(String replyTo) {
      this.replyTo = replyTo;
      return this;
    }

    public Builder expiration(String expiration) {
      this.expiration = expiration;
      return this;
    }

    public Builder messageId(String messageId) {
      this.messageId = messageId;
      return this;
    }

    /** Whole seconds are kept; anything finer is dropped on the wire. */
    public Builder timestamp(Instant timestamp) {
      this.timestamp = timestamp == null ? null : Instant.ofEpochSecond(timestamp.getEpochSecond());
      return this;
    }

    public Builder type(String type) {
      this.type = type;
      return this;
    }

    public Builder userId(String userId) {
      this.userId = userId;
      return this;
    }

    public Builder appId(String appId) {
      this.appId = appId;
      return this;
    }

    public Builder clusterId(String clusterId) {
      this.clusterId = clusterId;
      return this;
    }

    public BasicProperties build() {
      return new BasicProperties(this);
    }
  }
}
