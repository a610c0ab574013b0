package dev.amqpkit.amqp10.internal.message;

import dev.amqpkit.amqp10.Body;
import dev.amqpkit.amqp10.Message;
import dev.amqpkit.amqp10.internal.codec.DecodeException;
import dev.amqpkit.amqp10.internal.codec.Decoder;
import dev.amqpkit.amqp10.internal.codec.Encoder;
import dev.amqpkit.amqp10.internal.protocol.AmqpSequence;
import dev.amqpkit.amqp10.internal.protocol.AmqpValue;
import dev.amqpkit.amqp10.internal.protocol.ApplicationProperties;
import dev.amqpkit.amqp10.internal.protocol.Data;
import dev.amqpkit.amqp10.internal.protocol.DeliveryAnnotations;
import dev.amqpkit.amqp10.internal.protocol.Footer;
import dev.amqpkit.amqp10.internal.protocol.Header;
import dev.amqpkit.amqp10.internal.protocol.MessageAnnotations;
import dev.amqpkit.amqp10.internal.protocol.Properties;
import dev.amqpkit.amqp10.internal.protocol.ProtocolTypes;
import dev.amqpkit.amqp10.internal.protocol.Section;
import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.amqp10.types.UnsignedLong;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Converts a {@link Message} to the sections of a transfer's payload and back, in the order the
 * specification fixes: header, delivery annotations, message annotations, properties, application
 * properties, the body, footer. Sections that would hold only defaults are left out.
 *
 * <p>Decoding accepts any valid payload and refuses an invalid one with a {@link DecodeException}
 * that names the problem: a section out of order or repeated, body sections of different kinds, a
 * section that is not a message section, nothing where a body must be.
 *
 * <p>Not thread-safe: an instance holds an encoder and a decoder; use one per connection.
 */
public final class MessageCodec {
  private static final ThreadLocal<MessageCodec> LOCAL = ThreadLocal.withInitial(MessageCodec::new);

  /** This thread's codec, for callers on any thread that encode or decode one message at a time. */
  public static MessageCodec forThisThread() {
    return LOCAL.get();
  }

  private final Encoder encoder = new Encoder(ProtocolTypes.REGISTRY);
  private final Decoder decoder = new Decoder(ProtocolTypes.REGISTRY);

  private final SectionWriter out = new SectionWriter();

  /** Encodes a message's sections into a new array of exactly their size. */
  public byte[] encode(Message m) {
    out.reset();
    header(m);
    if (!m.deliveryAnnotations().isEmpty()) {
      out.raw(encoder.encode(new DeliveryAnnotations(m.deliveryAnnotations())));
    }
    if (!m.messageAnnotations().isEmpty()) {
      out.raw(encoder.encode(new MessageAnnotations(m.messageAnnotations())));
    }
    if (hasProperties(m)) properties(m);
    if (!m.applicationProperties().isEmpty()) applicationProperties(m.applicationProperties());
    Body body = m.body();
    if (body instanceof Body.Data data) {
      for (Binary b : data.sections()) {
        out.section(DATA);
        out.binary(b);
      }
    } else if (body instanceof Body.Sequence sequence) {
      for (List<Object> s : sequence.sections()) out.raw(encoder.encode(new AmqpSequence(s)));
    } else {
      out.raw(encoder.encode(new AmqpValue(((Body.Value) body).value())));
    }
    if (!m.footer().isEmpty()) out.raw(encoder.encode(new Footer(m.footer())));
    return out.toByteArray();
  }

  // Section descriptors (0x00000000:0x000000nn).
  private static final int HEADER = 0x70;
  private static final int PROPERTIES = 0x73;
  private static final int APPLICATION_PROPERTIES = 0x74;
  private static final int DATA = 0x75;

  /** The header, fields at their default written as null, and left out when all are. */
  private void header(Message m) {
    Duration ttl = m.ttl();
    if (!m.durable()
        && m.priority() == Message.DEFAULT_PRIORITY
        && ttl == null
        && !m.firstAcquirer()
        && m.deliveryCount() == 0) {
      return;
    }
    out.section(HEADER);
    out.beginList();
    if (m.durable()) out.bool(true);
    else out.nullValue();
    if (m.priority() != Message.DEFAULT_PRIORITY) out.ubyte(m.priority());
    else out.nullValue();
    if (ttl != null) out.uint(ttl.toMillis());
    else out.nullValue();
    if (m.firstAcquirer()) out.bool(true);
    else out.nullValue();
    if (m.deliveryCount() != 0) out.uint(m.deliveryCount());
    else out.nullValue();
    out.endList();
  }

  private void properties(Message m) {
    out.section(PROPERTIES);
    out.beginList();
    messageId(m.messageId());
    if (m.userId() != null) out.binary(m.userId());
    else out.nullValue();
    string(m.to());
    string(m.subject());
    string(m.replyTo());
    messageId(m.correlationId());
    symbol(m.contentType());
    symbol(m.contentEncoding());
    timestamp(m.absoluteExpiryTime());
    timestamp(m.creationTime());
    string(m.groupId());
    if (m.groupSequence() != null) out.uint(m.groupSequence());
    else out.nullValue();
    string(m.replyToGroupId());
    out.endList();
  }

  private void applicationProperties(Map<String, Object> properties) {
    out.section(APPLICATION_PROPERTIES);
    out.beginMap();
    for (Map.Entry<String, Object> e : properties.entrySet()) {
      out.string(e.getKey());
      Object v = e.getValue();
      if (v == null) out.nullValue();
      else if (v instanceof String s) out.string(s);
      else if (v instanceof Integer i) out.int32(i);
      else if (v instanceof Long l) out.int64(l);
      else if (v instanceof Boolean b) out.bool(b);
      else out.raw(encoder.encode(v));
    }
    out.endMap();
  }

  private void messageId(Object id) {
    if (id == null) out.nullValue();
    else if (id instanceof String s) out.string(s);
    else if (id instanceof UUID u) out.uuid(u);
    else if (id instanceof UnsignedLong l) out.ulong(l.longValue());
    else if (id instanceof Binary b) out.binary(b);
    else out.raw(encoder.encode(id));
  }

  private void string(String s) {
    if (s == null) out.nullValue();
    else out.string(s);
  }

  private void symbol(String s) {
    if (s == null) out.nullValue();
    else out.symbol(s);
  }

  private void timestamp(java.time.Instant t) {
    if (t == null) out.nullValue();
    else out.timestamp(t.toEpochMilli());
  }

  private static boolean hasProperties(Message m) {
    return m.messageId() != null
        || m.userId() != null
        || m.to() != null
        || m.subject() != null
        || m.replyTo() != null
        || m.correlationId() != null
        || m.contentType() != null
        || m.contentEncoding() != null
        || m.absoluteExpiryTime() != null
        || m.creationTime() != null
        || m.groupId() != null
        || m.groupSequence() != null
        || m.replyToGroupId() != null;
  }

  /**
   * Decodes the sections of a payload, all of it, into a message with {@code messageFormat}.
   *
   * @throws DecodeException if the payload is not a valid message (see the class comment)
   */
  public Message decode(ByteBuffer payload, long messageFormat) {
    Message.Builder b = Message.builder().messageFormat(messageFormat);
    int rank = -1; // the place in the fixed order of the last section read
    List<Binary> data = null;
    List<List<Object>> sequences = null;
    boolean value = false;
    int offset = payload.position();
    while (payload.hasRemaining()) {
      int at = payload.position() - offset;
      Map<String, Object> fast = applicationPropertiesFast(payload);
      if (fast != null) {
        if (rank >= APPLICATION_PROPERTIES_RANK) {
          throw new DecodeException(
              "message section ApplicationProperties out of order or repeated", at);
        }
        rank = APPLICATION_PROPERTIES_RANK;
        try {
          b.applicationProperties(fast);
        } catch (IllegalArgumentException e) {
          throw new DecodeException("message section ApplicationProperties: " + e.getMessage(), at);
        }
        continue;
      }
      Object decoded = decoder.decode(payload);
      if (!(decoded instanceof Section section)) {
        throw new DecodeException("a message holds sections only, not " + describe(decoded), at);
      }
      int r = rank(section);
      if (r == BODY && (data != null || sequences != null || value)) {
        boolean sameKind =
            (section instanceof Data && data != null)
                || (section instanceof AmqpSequence && sequences != null);
        if (!sameKind) {
          throw new DecodeException(
              "a body of one kind only: " + name(section) + " after " + bodyKind(data, sequences),
              at);
        }
      } else if (r <= rank) {
        throw new DecodeException(
            "message section " + name(section) + " out of order or repeated", at);
      }
      rank = r;
      try {
        if (section instanceof Header h) {
          b.durable(h.durable())
              .priority(h.priority())
              .ttl(h.ttl() == null ? null : Duration.ofMillis(h.ttl()))
              .firstAcquirer(h.firstAcquirer())
              .deliveryCount(h.deliveryCount());
        } else if (section instanceof DeliveryAnnotations d) {
          b.deliveryAnnotations(d.value());
        } else if (section instanceof MessageAnnotations a) {
          b.messageAnnotations(a.value());
        } else if (section instanceof Properties p) {
          properties(b, p);
        } else if (section instanceof ApplicationProperties a) {
          b.applicationProperties(a.value());
        } else if (section instanceof Data d) {
          if (data == null) data = new ArrayList<>(1);
          data.add(d.value());
        } else if (section instanceof AmqpSequence s) {
          if (sequences == null) sequences = new ArrayList<>(1);
          sequences.add(s.value());
        } else if (section instanceof AmqpValue v) {
          value = true;
          b.body(new Body.Value(v.value()));
        } else if (section instanceof Footer f) {
          b.footer(f.value());
        }
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new DecodeException("message section " + name(section) + ": " + e.getMessage(), at);
      }
    }
    if (data != null) b.body(new Body.Data(data));
    if (sequences != null) b.body(new Body.Sequence(sequences));
    if (!value && data == null && sequences == null) {
      throw new DecodeException("a message needs a body section; this one has none", -1);
    }
    try {
      return b.build();
    } catch (IllegalStateException e) {
      throw new DecodeException("invalid message: " + e.getMessage(), -1);
    }
  }

  private static final int APPLICATION_PROPERTIES_RANK = 4;

  /** A big-endian uint at an absolute index, whatever the buffer's byte order. */
  private static long uint(ByteBuffer in, int at) {
    return (long) (in.get(at) & 0xFF) << 24
        | (in.get(at + 1) & 0xFF) << 16
        | (in.get(at + 2) & 0xFF) << 8
        | in.get(at + 3) & 0xFF;
  }

  /**
   * Reads an application-properties section in its usual form (string keys, a map8 or map32) into a
   * map, straight from the bytes; returns null, consuming nothing, for anything else, which the
   * generic decoder then reads (and judges).
   */
  private Map<String, Object> applicationPropertiesFast(ByteBuffer in) {
    int start = in.position();
    if (in.remaining() < 5
        || in.get(start) != 0
        || (in.get(start + 1) & 0xFF) != 0x53
        || (in.get(start + 2) & 0xFF) != APPLICATION_PROPERTIES) {
      return null;
    }
    int code = in.get(start + 3) & 0xFF;
    int at = start + 4;
    long size;
    long count;
    if (code == 0xc1 && in.remaining() >= 6) {
      size = in.get(at) & 0xFF;
      count = in.get(at + 1) & 0xFF;
      at += 1; // the count is part of the size
    } else if (code == 0xd1 && in.remaining() >= 12) {
      size = uint(in, at);
      count = uint(in, at + 4);
      at += 4;
    } else {
      return null;
    }
    int end = (int) Math.min(Integer.MAX_VALUE, at + size);
    if (size > in.limit() - at || (count & 1) != 0 || count > size) return null;
    at += code == 0xc1 ? 1 : 4;
    Map<String, Object> map = new java.util.LinkedHashMap<>((int) (count / 2 * 4 / 3) + 1);
    in.position(at);
    try {
      for (long i = 0; i < count; i += 2) {
        int keyCode = in.get(in.position()) & 0xFF;
        if (keyCode != 0xa1 && keyCode != 0xb1) {
          in.position(start);
          return null; // not a string key: the generic decoder says what is wrong
        }
        Object key = decoder.decode(in);
        if (in.position() > end) throw new DecodeException("overruns its size", -1);
        Object value = decoder.decode(in);
        if (in.position() > end) throw new DecodeException("overruns its size", -1);
        map.put((String) key, value);
      }
      if (in.position() != end) {
        in.position(start);
        return null;
      }
      return map;
    } catch (DecodeException e) {
      in.position(start);
      return null; // the generic decoder reports it with the section's offsets
    }
  }

  private static void properties(Message.Builder b, Properties p) {
    b.messageId(p.messageId())
        .userId(p.userId())
        .to(address(p.to()))
        .subject(p.subject())
        .replyTo(address(p.replyTo()))
        .correlationId(p.correlationId())
        .contentType(p.contentType() == null ? null : p.contentType().toString())
        .contentEncoding(p.contentEncoding() == null ? null : p.contentEncoding().toString())
        .absoluteExpiryTime(p.absoluteExpiryTime())
        .creationTime(p.creationTime())
        .groupId(p.groupId())
        .groupSequence(p.groupSequence())
        .replyToGroupId(p.replyToGroupId());
  }

  private static String address(Object address) {
    return address == null ? null : address.toString();
  }

  private static final int BODY = 5;

  private static String bodyKind(List<Binary> data, List<List<Object>> sequences) {
    return data != null ? "Data" : sequences != null ? "AmqpSequence" : "AmqpValue";
  }

  // The fixed order of sections; the three body kinds share a place.
  private static int rank(Section s) {
    if (s instanceof Header) return 0;
    if (s instanceof DeliveryAnnotations) return 1;
    if (s instanceof MessageAnnotations) return 2;
    if (s instanceof Properties) return 3;
    if (s instanceof ApplicationProperties) return 4;
    if (s instanceof Footer) return 6;
    return BODY;
  }

  private static String name(Section s) {
    return s.getClass().getSimpleName();
  }

  private static String describe(Object value) {
    return value == null ? "null" : value.getClass().getSimpleName();
  }
}
