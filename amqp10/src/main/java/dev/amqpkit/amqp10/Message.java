package dev.amqpkit.amqp10;

import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.amqp10.types.UnsignedLong;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * An AMQP 1.0 message: the header, the annotations, the standard properties, the application
 * properties, the body and the footer, each as typed fields. A field left unset ({@code null}, or
 * an empty map) is a field absent from the wire.
 *
 * <p>Immutable and thread-safe. Build one with {@link #builder()}, {@link #ofData} or {@link
 * #ofValue}; change one with {@link #newBuilder()}.
 */
public final class Message {
  /** The priority a message has when none is given (header section). */
  public static final int DEFAULT_PRIORITY = 4;

  private static final Body EMPTY_BODY = new Body.Value(null);

  static {
    dev.amqpkit.amqp10.internal.message.MessageAccess.install(
        new dev.amqpkit.amqp10.internal.message.MessageAccess.Hooks() {
          @Override
          public void shareApplicationProperties(Builder builder, Map<String, Object> properties) {
            builder.applicationProperties = properties;
            builder.applicationPropertiesShared = true;
          }

          @Override
          public void clear(Builder b) {
            b.durable = false;
            b.priority = DEFAULT_PRIORITY;
            b.ttl = null;
            b.firstAcquirer = false;
            b.deliveryCount = 0;
            b.deliveryAnnotations = null;
            b.messageAnnotations = null;
            b.messageId = null;
            b.userId = null;
            b.to = null;
            b.subject = null;
            b.replyTo = null;
            b.correlationId = null;
            b.contentType = null;
            b.contentEncoding = null;
            b.absoluteExpiryTime = null;
            b.creationTime = null;
            b.groupId = null;
            b.groupSequence = null;
            b.replyToGroupId = null;
            b.applicationProperties = null;
            b.applicationPropertiesShared = false;
            b.body = EMPTY_BODY;
            b.footer = null;
            b.messageFormat = 0;
          }
        });
  }

  // header
  private final boolean durable;
  private final int priority;
  private final Duration ttl;
  private final boolean firstAcquirer;
  private final long deliveryCount;
  // annotations
  private final Map<Object, Object> deliveryAnnotations;
  private final Map<Object, Object> messageAnnotations;
  // properties
  private final Object messageId;
  private final Binary userId;
  private final String to;
  private final String subject;
  private final String replyTo;
  private final Object correlationId;
  private final String contentType;
  private final String contentEncoding;
  private final Instant absoluteExpiryTime;
  private final Instant creationTime;
  private final String groupId;
  private final Long groupSequence;
  private final String replyToGroupId;
  // the rest
  private final Map<String, Object> applicationProperties;
  private final Body body;
  private final Map<Object, Object> footer;
  private final long messageFormat;

  private Message(Builder b) {
    durable = b.durable;
    priority = b.priority;
    ttl = b.ttl;
    firstAcquirer = b.firstAcquirer;
    deliveryCount = b.deliveryCount;
    deliveryAnnotations = immutable(b.deliveryAnnotations);
    messageAnnotations = immutable(b.messageAnnotations);
    messageId = b.messageId;
    userId = b.userId;
    to = b.to;
    subject = b.subject;
    replyTo = b.replyTo;
    correlationId = b.correlationId;
    contentType = b.contentType;
    contentEncoding = b.contentEncoding;
    absoluteExpiryTime = b.absoluteExpiryTime;
    creationTime = b.creationTime;
    groupId = b.groupId;
    groupSequence = b.groupSequence;
    replyToGroupId = b.replyToGroupId;
    applicationProperties = b.shareApplicationProperties();
    body = b.body;
    footer = immutable(b.footer);
    messageFormat = b.messageFormat;
  }

  /** A message with one {@code data} section holding a copy of {@code bytes}. */
  public static Message ofData(byte[] bytes) {
    return builder().data(bytes).build();
  }

  /**
   * A message with an {@code amqp-value} body: a string, a number, a map, a list or any other AMQP
   * value. The value is not copied; lists and maps should not be changed afterwards.
   */
  public static Message ofValue(Object value) {
    return builder().body(new Body.Value(value)).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this message's fields. */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /**
   * Encodes the message as the sections of a transfer carry it: the bytes {@link #decode} reads
   * back (the seed's MarshalBinary). The message format is not part of them.
   */
  public byte[] encode() {
    return dev.amqpkit.amqp10.internal.message.MessageCodec.forThisThread().encode(this);
  }

  /**
   * Decodes a message from the bytes of its sections, all of them (the seed's UnmarshalBinary),
   * with message format 0.
   *
   * @throws MalformedMessageException if the bytes are not a valid message; the exception says what
   *     is wrong and where
   */
  public static Message decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes == null");
    try {
      // The message shares the bytes it decodes from: a copy keeps it apart from the caller's.
      return dev.amqpkit.amqp10.internal.message.MessageCodec.forThisThread()
          .decode(java.nio.ByteBuffer.wrap(bytes.clone()), 0);
    } catch (dev.amqpkit.amqp10.internal.codec.DecodeException e) {
      throw new MalformedMessageException("not a valid AMQP 1.0 message: " + e.getMessage(), e);
    }
  }

  /** Whether the message must survive a broker restart (header {@code durable}). */
  public boolean durable() {
    return durable;
  }

  /** 0 to 255, {@link #DEFAULT_PRIORITY} unless set. */
  public int priority() {
    return priority;
  }

  /** How long the message may live in the network, or null for no limit. */
  public Duration ttl() {
    return ttl;
  }

  /** Whether no earlier acquirer took this message (header {@code first-acquirer}). */
  public boolean firstAcquirer() {
    return firstAcquirer;
  }

  /** How many earlier delivery attempts failed, 0 to 2<sup>32</sup>-1. */
  public long deliveryCount() {
    return deliveryCount;
  }

  /**
   * Annotations for the next hop only; empty when none. Keys are {@link Symbol}s, or {@link
   * UnsignedLong}s, which the specification reserves for itself.
   */
  public Map<Object, Object> deliveryAnnotations() {
    return deliveryAnnotations;
  }

  /**
   * Annotations for the infrastructure, such as {@code x-opt-partition-key}; empty when none. Keys
   * as for {@link #deliveryAnnotations()}.
   */
  public Map<Object, Object> messageAnnotations() {
    return messageAnnotations;
  }

  /** A String, UUID, {@link Binary} or {@link UnsignedLong}, or null. */
  public Object messageId() {
    return messageId;
  }

  public Binary userId() {
    return userId;
  }

  /** The address of the node the message is meant for, or null. */
  public String to() {
    return to;
  }

  public String subject() {
    return subject;
  }

  public String replyTo() {
    return replyTo;
  }

  /** A String, UUID, {@link Binary} or {@link UnsignedLong}, or null. */
  public Object correlationId() {
    return correlationId;
  }

  /** The MIME type of a {@code data} body, such as {@code application/json}, or null. */
  public String contentType() {
    return contentType;
  }

  public String contentEncoding() {
    return contentEncoding;
  }

  public Instant absoluteExpiryTime() {
    return absoluteExpiryTime;
  }

  public Instant creationTime() {
    return creationTime;
  }

  public String groupId() {
    return groupId;
  }

  /** The message's position in its group, 0 to 2<sup>32</sup>-1, or null. */
  public Long groupSequence() {
    return groupSequence;
  }

  public String replyToGroupId() {
    return replyToGroupId;
  }

  /**
   * The application's properties, simple values only (no lists, maps or arrays); empty when none.
   */
  public Map<String, Object> applicationProperties() {
    return applicationProperties;
  }

  /** The body; a message built without one has an {@code amqp-value} of null. */
  public Body body() {
    return body;
  }

  /**
   * The bytes of a {@code data} body, all sections concatenated.
   *
   * @throws IllegalStateException if the body is not made of {@code data} sections
   */
  public byte[] bodyBytes() {
    if (body instanceof Body.Data data) return data.bytes();
    throw new IllegalStateException("the body is " + kind(body) + ", not data");
  }

  /**
   * Details computed over the whole message, such as a signature; empty when none. Keys as for
   * {@link #deliveryAnnotations()}.
   */
  public Map<Object, Object> footer() {
    return footer;
  }

  /** The message format of the transfer; 0, the AMQP format, unless set. */
  public long messageFormat() {
    return messageFormat;
  }

  private static String kind(Body body) {
    return body instanceof Body.Sequence ? "amqp-sequence" : "amqp-value";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Message m
        && durable == m.durable
        && priority == m.priority
        && Objects.equals(ttl, m.ttl)
        && firstAcquirer == m.firstAcquirer
        && deliveryCount == m.deliveryCount
        && deliveryAnnotations.equals(m.deliveryAnnotations)
        && messageAnnotations.equals(m.messageAnnotations)
        && Objects.equals(messageId, m.messageId)
        && Objects.equals(userId, m.userId)
        && Objects.equals(to, m.to)
        && Objects.equals(subject, m.subject)
        && Objects.equals(replyTo, m.replyTo)
        && Objects.equals(correlationId, m.correlationId)
        && Objects.equals(contentType, m.contentType)
        && Objects.equals(contentEncoding, m.contentEncoding)
        && Objects.equals(absoluteExpiryTime, m.absoluteExpiryTime)
        && Objects.equals(creationTime, m.creationTime)
        && Objects.equals(groupId, m.groupId)
        && Objects.equals(groupSequence, m.groupSequence)
        && Objects.equals(replyToGroupId, m.replyToGroupId)
        && applicationProperties.equals(m.applicationProperties)
        && body.equals(m.body)
        && footer.equals(m.footer)
        && messageFormat == m.messageFormat;
  }

  @Override
  public int hashCode() {
    return Objects.hash(messageId, correlationId, to, subject, body, applicationProperties);
  }

  /** Names the properties that are set and the body's kind and size, not its contents. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("Message{");
    if (messageId != null) s.append("messageId=").append(messageId).append(", ");
    if (to != null) s.append("to=").append(to).append(", ");
    if (subject != null) s.append("subject=").append(subject).append(", ");
    if (contentType != null) s.append("contentType=").append(contentType).append(", ");
    if (!applicationProperties.isEmpty())
      s.append("applicationProperties=").append(applicationProperties.keySet()).append(", ");
    if (body instanceof Body.Data data) {
      long size = 0;
      for (Binary b : data.sections()) size += b.length();
      s.append("body=data(").append(size).append(" bytes)");
    } else {
      s.append("body=").append(kind(body));
    }
    return s.append('}').toString();
  }

  private static <K> Map<K, Object> immutable(Map<K, Object> map) {
    return map == null ? Map.of() : immutableCopy(map, "map");
  }

  /** An unmodifiable copy in the same order; null values are kept, null keys refused. */
  static <K> Map<K, Object> immutableCopy(Map<K, Object> map, String name) {
    Objects.requireNonNull(map, name + " == null");
    if (map.isEmpty()) return Map.of();
    Map<K, Object> copy = new LinkedHashMap<>(map);
    if (copy.containsKey(null)) throw new NullPointerException(name + " has a null key");
    return Collections.unmodifiableMap(copy);
  }

  /** Builds a {@link Message}. Not thread-safe. */
  public static final class Builder {
    private boolean durable;
    private int priority = DEFAULT_PRIORITY;
    private Duration ttl;
    private boolean firstAcquirer;
    private long deliveryCount;
    private Map<Object, Object> deliveryAnnotations;
    private Map<Object, Object> messageAnnotations;
    private Object messageId;
    private Binary userId;
    private String to;
    private String subject;
    private String replyTo;
    private Object correlationId;
    private String contentType;
    private String contentEncoding;
    private Instant absoluteExpiryTime;
    private Instant creationTime;
    private String groupId;
    private Long groupSequence;
    private String replyToGroupId;
    private Map<String, Object> applicationProperties;
    // Set once a built message holds applicationProperties: the next change copies it first.
    private boolean applicationPropertiesShared;
    private Body body = EMPTY_BODY;
    private Map<Object, Object> footer;
    private long messageFormat;

    private Builder() {}

    private Builder(Message m) {
      durable = m.durable;
      priority = m.priority;
      ttl = m.ttl;
      firstAcquirer = m.firstAcquirer;
      deliveryCount = m.deliveryCount;
      deliveryAnnotations = copy(m.deliveryAnnotations);
      messageAnnotations = copy(m.messageAnnotations);
      messageId = m.messageId;
      userId = m.userId;
      to = m.to;
      subject = m.subject;
      replyTo = m.replyTo;
      correlationId = m.correlationId;
      contentType = m.contentType;
      contentEncoding = m.contentEncoding;
      absoluteExpiryTime = m.absoluteExpiryTime;
      creationTime = m.creationTime;
      groupId = m.groupId;
      groupSequence = m.groupSequence;
      replyToGroupId = m.replyToGroupId;
      applicationProperties = copy(m.applicationProperties);
      body = m.body;
      footer = copy(m.footer);
      messageFormat = m.messageFormat;
    }

    private static <K> Map<K, Object> copy(Map<K, Object> map) {
      return map.isEmpty() ? null : new LinkedHashMap<>(map);
    }

    public Builder durable(boolean durable) {
      this.durable = durable;
      return this;
    }

    /**
     * @throws IllegalArgumentException if {@code priority} is outside 0..255
     */
    public Builder priority(int priority) {
      if (priority < 0 || priority > 255) {
        throw new IllegalArgumentException("priority is 0..255: " + priority);
      }
      this.priority = priority;
      return this;
    }

    /**
     * Sets the time to live, to the millisecond; null for none.
     *
     * @throws IllegalArgumentException if {@code ttl} is negative or over 2<sup>32</sup>-1 ms
     */
    public Builder ttl(Duration ttl) {
      if (ttl != null && (ttl.isNegative() || ttl.toMillis() > 0xFFFF_FFFFL)) {
        throw new IllegalArgumentException("ttl must be 0 to 4294967295 ms: " + ttl);
      }
      this.ttl = ttl;
      return this;
    }

    public Builder firstAcquirer(boolean firstAcquirer) {
      this.firstAcquirer = firstAcquirer;
      return this;
    }

    /**
     * @throws IllegalArgumentException if {@code count} is outside 0..2<sup>32</sup>-1
     */
    public Builder deliveryCount(long count) {
      this.deliveryCount = uint(count, "deliveryCount");
      return this;
    }

    /** Adds a delivery annotation; a null value is allowed. */
    public Builder deliveryAnnotation(Symbol key, Object value) {
      deliveryAnnotations = put(deliveryAnnotations, key, value);
      return this;
    }

    /** Adds a message annotation, such as {@code x-opt-partition-key}; a null value is allowed. */
    public Builder messageAnnotation(Symbol key, Object value) {
      messageAnnotations = put(messageAnnotations, key, value);
      return this;
    }

    /** Adds a footer entry; a null value is allowed. */
    public Builder footer(Symbol key, Object value) {
      footer = put(footer, key, value);
      return this;
    }

    /**
     * Replaces the delivery annotations with a copy of {@code annotations}; null for none.
     *
     * @throws IllegalArgumentException if a key is not a {@link Symbol} or {@link UnsignedLong}
     */
    public Builder deliveryAnnotations(Map<?, ?> annotations) {
      deliveryAnnotations = annotationsCopy(annotations, "deliveryAnnotations");
      return this;
    }

    /**
     * Replaces the message annotations with a copy of {@code annotations}; null for none.
     *
     * @throws IllegalArgumentException if a key is not a {@link Symbol} or {@link UnsignedLong}
     */
    public Builder messageAnnotations(Map<?, ?> annotations) {
      messageAnnotations = annotationsCopy(annotations, "messageAnnotations");
      return this;
    }

    /**
     * Replaces the footer with a copy of {@code footer}; null for none.
     *
     * @throws IllegalArgumentException if a key is not a {@link Symbol} or {@link UnsignedLong}
     */
    public Builder footer(Map<?, ?> footer) {
      this.footer = annotationsCopy(footer, "footer");
      return this;
    }

    /**
     * Replaces the application properties with a copy of {@code properties}; null for none.
     *
     * @throws IllegalArgumentException as {@link #applicationProperty} for any entry
     */
    public Builder applicationProperties(Map<String, ?> properties) {
      applicationProperties = null;
      applicationPropertiesShared = false;
      if (properties != null) properties.forEach(this::applicationProperty);
      return this;
    }

    private static Map<Object, Object> annotationsCopy(Map<?, ?> map, String name) {
      if (map == null || map.isEmpty()) return null;
      Map<Object, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof Symbol || e.getKey() instanceof UnsignedLong)) {
          throw new IllegalArgumentException(
              name
                  + " keys are symbols (or reserved ulongs), not "
                  + (e.getKey() == null ? "null" : e.getKey().getClass().getSimpleName()));
        }
        copy.put(e.getKey(), e.getValue());
      }
      return copy;
    }

    /**
     * @throws IllegalArgumentException if {@code id} is not a String, UUID, {@link Binary} or
     *     {@link UnsignedLong}
     */
    public Builder messageId(Object id) {
      this.messageId = messageIdType(id, "messageId");
      return this;
    }

    /** Sets the user id to a copy of {@code userId}; null for none. */
    public Builder userId(byte[] userId) {
      this.userId = userId == null ? null : Binary.copyOf(userId);
      return this;
    }

    /** Sets the user id; null for none. */
    public Builder userId(Binary userId) {
      this.userId = userId;
      return this;
    }

    public Builder to(String to) {
      this.to = to;
      return this;
    }

    public Builder subject(String subject) {
      this.subject = subject;
      return this;
    }

    public Builder replyTo(String replyTo) {
      this.replyTo = replyTo;
      return this;
    }

    /**
     * @throws IllegalArgumentException if {@code id} is not a String, UUID, {@link Binary} or
     *     {@link UnsignedLong}
     */
    public Builder correlationId(Object id) {
      this.correlationId = messageIdType(id, "correlationId");
      return this;
    }

    /**
     * @throws IllegalArgumentException if {@code contentType} is not ASCII (it travels as a symbol)
     */
    public Builder contentType(String contentType) {
      this.contentType = ascii(contentType, "contentType");
      return this;
    }

    /**
     * @throws IllegalArgumentException if {@code contentEncoding} is not ASCII
     */
    public Builder contentEncoding(String contentEncoding) {
      this.contentEncoding = ascii(contentEncoding, "contentEncoding");
      return this;
    }

    /** Sets the absolute expiry time, kept to the millisecond as on the wire. */
    public Builder absoluteExpiryTime(Instant time) {
      this.absoluteExpiryTime = millis(time);
      return this;
    }

    /** Sets the creation time, kept to the millisecond as on the wire. */
    public Builder creationTime(Instant time) {
      this.creationTime = millis(time);
      return this;
    }

    public Builder groupId(String groupId) {
      this.groupId = groupId;
      return this;
    }

    /**
     * @throws IllegalArgumentException if {@code sequence} is outside 0..2<sup>32</sup>-1
     */
    public Builder groupSequence(Long sequence) {
      this.groupSequence = sequence == null ? null : uint(sequence, "groupSequence");
      return this;
    }

    public Builder replyToGroupId(String replyToGroupId) {
      this.replyToGroupId = replyToGroupId;
      return this;
    }

    /**
     * Adds an application property. Values are simple: null, booleans, numbers, strings, symbols,
     * binaries, timestamps, UUIDs, characters and the unsigned types; no lists, maps or arrays.
     *
     * @throws IllegalArgumentException if {@code value} is a list, map, array or described value
     */
    public Builder applicationProperty(String key, Object value) {
      Objects.requireNonNull(key, "key == null");
      if (!isCommonSimpleType(value)
          && (value instanceof List<?>
              || value instanceof Map<?, ?>
              || value instanceof dev.amqpkit.amqp10.types.AmqpArray
              || value instanceof dev.amqpkit.amqp10.types.DescribedValue
              || value.getClass().isArray())) {
        throw new IllegalArgumentException(
            "application property '"
                + key
                + "': values are simple types, not "
                + value.getClass().getSimpleName());
      }
      if (applicationProperties == null) {
        applicationProperties = new LinkedHashMap<>();
      } else if (applicationPropertiesShared) {
        applicationProperties = new LinkedHashMap<>(applicationProperties);
      }
      applicationPropertiesShared = false;
      applicationProperties.put(key, value);
      return this;
    }

    /**
     * Whether the value is one of the usual simple types. These are final classes, so the check is
     * cheap; the interface checks that follow it are slow on a type that fails them.
     */
    private static boolean isCommonSimpleType(Object value) {
      return value == null
          || value instanceof String
          || value instanceof Integer
          || value instanceof Long
          || value instanceof Boolean
          || value instanceof Double
          || value instanceof Symbol
          || value instanceof Binary
          || value instanceof java.time.Instant
          || value instanceof UUID;
    }

    /** Sets the body to one {@code data} section holding a copy of {@code bytes}. */
    public Builder data(byte[] bytes) {
      return body(new Body.Data(List.of(Binary.copyOf(bytes))));
    }

    /**
     * Sets the body to one {@code data} section with this text in UTF-8, and the content type to
     * {@code text/plain; charset=utf-8}.
     */
    public Builder text(String text) {
      Objects.requireNonNull(text, "text == null");
      contentType = "text/plain; charset=utf-8";
      return body(new Body.Data(List.of(Binary.wrap(text.getBytes(StandardCharsets.UTF_8)))));
    }

    public Builder body(Body body) {
      this.body = Objects.requireNonNull(body, "body == null");
      return this;
    }

    /**
     * @throws IllegalArgumentException if {@code format} is outside 0..2<sup>32</sup>-1
     */
    public Builder messageFormat(long format) {
      this.messageFormat = uint(format, "messageFormat");
      return this;
    }

    /** Hands the map to a message without copying it; this builder copies before changing it. */
    private Map<String, Object> shareApplicationProperties() {
      if (applicationProperties == null || applicationProperties.isEmpty()) return Map.of();
      applicationPropertiesShared = true;
      if (applicationProperties
          instanceof dev.amqpkit.amqp10.internal.message.EncodedApplicationProperties decoded) {
        return decoded; // unmodifiable already
      }
      return Collections.unmodifiableMap(applicationProperties);
    }

    /**
     * @throws IllegalStateException if a {@code content-encoding} is set on a body that is not
     *     {@code data} (the specification forbids it)
     */
    public Message build() {
      if (!(body instanceof Body.Data) && contentEncoding != null) {
        throw new IllegalStateException(
            "contentEncoding applies to a data body only, not " + kind(body));
      }
      return new Message(this);
    }

    private static <K> Map<K, Object> put(Map<K, Object> map, K key, Object value) {
      // Keys of the annotation maps are symbols here; decoding may also meet reserved ulongs.
      Objects.requireNonNull(key, "key == null");
      Map<K, Object> m = map == null ? new LinkedHashMap<>() : map;
      m.put(key, value);
      return m;
    }

    private static Object messageIdType(Object id, String name) {
      if (id == null
          || id instanceof String
          || id instanceof UUID
          || id instanceof Binary
          || id instanceof UnsignedLong) {
        return id;
      }
      throw new IllegalArgumentException(
          name
              + " is a String, UUID, Binary or UnsignedLong, not "
              + id.getClass().getSimpleName());
    }

    private static long uint(long value, String name) {
      if (value < 0 || value > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException(name + " is 0..4294967295: " + value);
      }
      return value;
    }

    private static String ascii(String s, String name) {
      if (s == null) return null;
      for (int i = 0; i < s.length(); i++) {
        if (s.charAt(i) > 0x7F) {
          throw new IllegalArgumentException(
              name + " must be ASCII (it travels as a symbol): '" + s + "'");
        }
      }
      return s;
    }

    private static Instant millis(Instant time) {
      return time == null ? null : Instant.ofEpochMilli(time.toEpochMilli());
    }
  }
}
