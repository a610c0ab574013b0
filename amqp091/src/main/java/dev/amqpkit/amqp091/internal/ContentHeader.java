package dev.amqpkit.amqp091.internal;

import dev.amqpkit.amqp091.BasicProperties;

/**
 * The content header frame's payload: class id, weight, body size and the basic properties behind a
 * 16-bit presence mask (bit 15 for the first property, down to bit 2 for the fourteenth).
 */
public final class ContentHeader {
  static final int BASIC_CLASS = 60;

  private static final int CONTENT_TYPE = 1 << 15;
  private static final int CONTENT_ENCODING = 1 << 14;
  private static final int HEADERS = 1 << 13;
  private static final int DELIVERY_MODE = 1 << 12;
  private static final int PRIORITY = 1 << 11;
  private static final int CORRELATION_ID = 1 << 10;
  private static final int REPLY_TO = 1 << 9;
  private static final int EXPIRATION = 1 << 8;
  private static final int MESSAGE_ID = 1 << 7;
  private static final int TIMESTAMP = 1 << 6;
  private static final int TYPE = 1 << 5;
  private static final int USER_ID = 1 << 4;
  private static final int APP_ID = 1 << 3;
  private static final int CLUSTER_ID = 1 << 2;
  private static final int CONTINUATION = 1;

  private ContentHeader() {}

  /** Appends the content header payload for a basic-class message. */
  public static void encode(Encoder e, long bodySize, BasicProperties p) {
    e.shortUint(BASIC_CLASS).shortUint(0).longLong(bodySize);
    if (p == BasicProperties.EMPTY || p == null) {
      e.shortUint(0);
      return;
    }
    int flags = 0;
    if (p.contentType() != null) flags |= CONTENT_TYPE;
    if (p.contentEncoding() != null) flags |= CONTENT_ENCODING;
    if (p.headers() != null) flags |= HEADERS;
    if (p.deliveryMode() != null) flags |= DELIVERY_MODE;
    if (p.priority() != null) flags |= PRIORITY;
    if (p.correlationId() != null) flags |= CORRELATION_ID;
    if (p.replyTo() != null) flags |= REPLY_TO;
    if (p.expiration() != null) flags |= EXPIRATION;
    if (p.messageId() != null) flags |= MESSAGE_ID;
    if (p.timestamp() != null) flags |= TIMESTAMP;
    if (p.type() != null) flags |= TYPE;
    if (p.userId() != null) flags |= USER_ID;
    if (p.appId() != null) flags |= APP_ID;
    if (p.clusterId() != null) flags |= CLUSTER_ID;
    e.shortUint(flags);
    if (p.contentType() != null) e.shortString(p.contentType());
    if (p.contentEncoding() != null) e.shortString(p.contentEncoding());
    if (p.headers() != null) e.table(p.headers());
    if (p.deliveryMode() != null) e.octet(p.deliveryMode());
    if (p.priority() != null) e.octet(p.priority());
    if (p.correlationId() != null) e.shortString(p.correlationId());
    if (p.replyTo() != null) e.shortString(p.replyTo());
    if (p.expiration() != null) e.shortString(p.expiration());
    if (p.messageId() != null) e.shortString(p.messageId());
    if (p.timestamp() != null) e.timestamp(p.timestamp());
    if (p.type() != null) e.shortString(p.type());
    if (p.userId() != null) e.shortString(p.userId());
    if (p.appId() != null) e.shortString(p.appId());
    if (p.clusterId() != null) e.shortString(p.clusterId());
  }

  /** What a content header says: the body size and the properties. */
  public record Decoded(long bodySize, BasicProperties properties) {}

  /**
   * Decodes a content header payload.
   *
   * @throws MalformedFrameException 505 if the class is not basic, 502 if the payload is malformed
   */
  public static Decoded decode(Decoder d) throws MalformedFrameException {
    int classId = d.shortUint();
    if (classId != BASIC_CLASS) {
      throw new MalformedFrameException(
          MalformedFrameException.UNEXPECTED_FRAME,
          "content header for class " + classId + ", expected basic (60)");
    }
    d.shortUint(); // weight, unused
    long bodySize = d.longLong();
    if (bodySize < 0) {
      throw new MalformedFrameException(
          MalformedFrameException.SYNTAX_ERROR, "content header declares a negative body size");
    }
    int flags = d.shortUint();
    if ((flags & CONTINUATION) != 0) {
      throw new MalformedFrameException(
          MalformedFrameException.SYNTAX_ERROR,
          "property flags continuation is not defined for basic");
    }
    if (flags == 0) return new Decoded(bodySize, BasicProperties.EMPTY);
    BasicProperties.Builder b = BasicProperties.builder();
    if ((flags & CONTENT_TYPE) != 0) b.contentType(d.shortString());
    if ((flags & CONTENT_ENCODING) != 0) b.contentEncoding(d.shortString());
    if ((flags & HEADERS) != 0) b.headers(d.table());
    if ((flags & DELIVERY_MODE) != 0) b.deliveryMode(d.octet());
    if ((flags & PRIORITY) != 0) b.priority(d.octet());
    if ((flags & CORRELATION_ID) != 0) b.correlationId(d.shortString());
    if ((flags & REPLY_TO) != 0) b.replyTo(d.shortString());
    if ((flags & EXPIRATION) != 0) b.expiration(d.shortString());
    if ((flags & MESSAGE_ID) != 0) b.messageId(d.shortString());
    if ((flags & TIMESTAMP) != 0) b.timestamp(d.timestamp());
    if ((flags & TYPE) != 0) b.type(d.shortString());
    if ((flags & USER_ID) != 0) b.userId(d.shortString());
    if ((flags & APP_ID) != 0) b.appId(d.shortString());
    if ((flags & CLUSTER_ID) != 0) b.clusterId(d.shortString());
    return new Decoded(bodySize, b.build());
  }
}
