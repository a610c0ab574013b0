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
import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.amqp10.types.UnsignedInteger;
import dev.amqpkit.amqp10.types.UnsignedLong;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
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
   * Decodes the sections of a payload, all of it, into a message with {@code messageFormat}. The
   * message may share an array-backed payload's bytes (its data sections and application properties
   * read them in place): they must not change while the message lives.
   *
   * @throws DecodeException if the payload is not a valid message (see the class comment)
   */
  public Message decode(ByteBuffer payload, long messageFormat) {
    // One builder for every message: build() copies what it holds, and it is cleared afterwards
    // so that it keeps nothing of the message alive.
    try {
      return decode(payload, messageFormat, builder);
    } finally {
      MessageAccess.hooks().clear(builder);
      dataSections.clear();
    }
  }

  private Message decode(ByteBuffer payload, long messageFormat, Message.Builder b) {
    b.messageFormat(messageFormat);
    int rank = -1; // the place in the fixed order of the last section read
    List<Binary> data = null;
    List<List<Object>> sequences = null;
    boolean value = false;
    int offset = payload.position();
    while (payload.hasRemaining()) {
      int at = payload.position() - offset;
      EncodedApplicationProperties fast = applicationPropertiesFast(payload);
      if (fast != null) {
        if (rank >= APPLICATION_PROPERTIES_RANK) {
          throw new DecodeException(
              "message section ApplicationProperties out of order or repeated", at);
        }
        rank = APPLICATION_PROPERTIES_RANK;
        MessageAccess.hooks().shareApplicationProperties(b, fast);
        continue;
      }
      if (propertiesFast(payload, b, rank)) {
        rank = PROPERTIES_RANK;
        continue;
      }
      Binary fastData = dataFast(payload);
      if (fastData != null) {
        if (rank > BODY || (rank == BODY && data == null)) {
          throw new DecodeException(
              rank == BODY
                  ? "a body of one kind only: Data after " + bodyKind(data, sequences)
                  : "message section Data out of order or repeated",
              at);
        }
        rank = BODY;
        if (data == null) data = dataSections;
        data.add(fastData);
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
          if (data == null) data = dataSections;
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
    if (data != null)
      b.body(new Body.Data(data.size() == 1 ? List.of(data.get(0)) : List.copyOf(data)));
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
   * Reads an application-properties section in its usual form (string keys and simple values, in a
   * map8 or map32 of an array-backed payload) as a map over the payload's bytes; returns null,
   * consuming nothing, for anything else, which the generic decoder then reads (and judges).
   */
  private EncodedApplicationProperties applicationPropertiesFast(ByteBuffer in) {
    int start = in.position();
    if (!in.hasArray()
        || in.remaining() < 5
        || in.get(start) != 0
        || (in.get(start + 1) & 0xFF) != 0x53
        || (in.get(start + 2) & 0xFF) != APPLICATION_PROPERTIES) {
      return null;
    }
    int code = in.get(start + 3) & 0xFF;
    int at = start + 4;
    long size;
    long count;
    int header;
    if (code == 0xc1 && in.remaining() >= 6) {
      size = in.get(at) & 0xFF;
      count = in.get(at + 1) & 0xFF;
      header = 1;
    } else if (code == 0xd1 && in.remaining() >= 12) {
      size = uint(in, at);
      count = uint(in, at + 4);
      header = 4;
    } else {
      return null;
    }
    // The size counts the count's bytes and the entries.
    if (size < header || size > in.limit() - at - header) return null;
    int base = in.arrayOffset();
    int first = at + 2 * header;
    int end = (int) (at + header + size);
    EncodedApplicationProperties map =
        EncodedApplicationProperties.read(
            in.array(), base + first, base + end, count, keyPositions);
    if (map != null) in.position(end);
    return map;
  }

  private static final int PROPERTIES_RANK = 3;

  /**
   * Reads a properties section straight into the builder, field by field, without the generic list
   * and record; returns false, consuming nothing, for a section out of order or a field of an
   * unexpected type, which the generic decoder then reads (and judges).
   */
  private boolean propertiesFast(ByteBuffer in, Message.Builder b, int rank) {
    int start = in.position();
    if (rank >= PROPERTIES_RANK
        || in.remaining() < 4
        || in.get(start) != 0
        || (in.get(start + 1) & 0xFF) != 0x53
        || (in.get(start + 2) & 0xFF) != PROPERTIES) {
      return false;
    }
    int code = in.get(start + 3) & 0xFF;
    long count;
    int end;
    if (code == 0x45) {
      count = 0;
      end = start + 4;
    } else if (code == 0xc0 && in.remaining() >= 6) {
      end = start + 5 + (in.get(start + 4) & 0xFF);
      count = in.get(start + 5) & 0xFF;
    } else if (code == 0xd0 && in.remaining() >= 12) {
      long size = uint(in, start + 4);
      end = (int) Math.min(Integer.MAX_VALUE, start + 8 + size);
      count = uint(in, start + 8);
    } else {
      return false;
    }
    if (count > 13 || end > in.limit()) return false;
    in.position(code == 0x45 ? end : code == 0xc0 ? start + 6 : start + 12);
    Object[] f = fields;
    try {
      for (int i = 0; i < count; i++) {
        f[i] = REPEATED[i] ? repeated(in, i) : field(in);
        if (!PROPERTY_TYPES[i].isInstance(f[i]) && f[i] != null) {
          in.position(start);
          return false;
        }
      }
      if (in.position() != end) {
        in.position(start);
        return false;
      }
      b.messageId(f[0])
          .userId((Binary) f[1])
          .to((String) f[2])
          .subject((String) f[3])
          .replyTo((String) f[4])
          .correlationId(f[5])
          .contentType(f[6] == null ? null : f[6].toString())
          .contentEncoding(f[7] == null ? null : f[7].toString())
          .absoluteExpiryTime((Instant) f[8])
          .creationTime((Instant) f[9])
          .groupId((String) f[10])
          .groupSequence(f[11] == null ? null : ((UnsignedInteger) f[11]).longValue())
          .replyToGroupId((String) f[12]);
      return true;
    } catch (DecodeException | IllegalArgumentException e) {
      in.position(start);
      return false; // the generic decoder reports it with the section's offsets
    } finally {
      java.util.Arrays.fill(f, 0, (int) count, null);
    }
  }

  /**
   * Decodes one properties field: null, an ASCII str8 and a timestamp by hand, as most fields are;
   * anything else through the decoder.
   */
  private Object field(ByteBuffer in) {
    int at = in.position();
    if (in.remaining() >= 2) {
      int code = in.get(at) & 0xFF;
      if (code == 0x40) {
        in.position(at + 1);
        return null;
      }
      if (code == 0x83 && in.remaining() >= 9 && in.order() == java.nio.ByteOrder.BIG_ENDIAN) {
        in.position(at + 9);
        return Instant.ofEpochMilli(in.getLong(at + 1));
      }
      if (code == 0xa1 && in.hasArray()) {
        int length = in.get(at + 1) & 0xFF;
        byte[] a = in.array();
        int from = in.arrayOffset() + at + 2;
        if (length <= in.remaining() - 2
            && EncodedApplicationProperties.ascii(a, from, from + length)) {
          in.position(at + 2 + length);
          return new String(a, from, length, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
      }
    }
    return decoder.decode(in);
  }

  private final Object[] fields = new Object[13];

  // Properties that most messages of a stream share (to, subject, reply-to, content type and
  // encoding, group ids): the last value decoded for each, with its bytes. The same bytes again
  // give the same, immutable, value without decoding or allocating.
  private static final boolean[] REPEATED = {
    false, false, true, true, true, false, true, true, false, false, true, false, true
  };
  private final byte[][] lastBytes = new byte[13][];
  private final Object[] lastValue = new Object[13];

  /** Decodes field {@code i}, a str8 or sym8 the last message may have had too. */
  private Object repeated(ByteBuffer in, int i) {
    int at = in.position();
    int code = in.remaining() >= 2 ? in.get(at) & 0xFF : 0;
    if (!in.hasArray() || (code != 0xa1 && code != 0xa3)) return decoder.decode(in);
    int length = in.get(at + 1) & 0xFF;
    int from = in.arrayOffset() + at + 2;
    byte[] last = lastBytes[i];
    if (last != null
        && last.length == length
        && length <= in.remaining() - 2
        && java.util.Arrays.equals(in.array(), from, from + length, last, 0, length)
        && (code == 0xa1) == (lastValue[i] instanceof String)) {
      in.position(at + 2 + length);
      return lastValue[i];
    }
    Object value = decoder.decode(in);
    lastBytes[i] = java.util.Arrays.copyOfRange(in.array(), from, from + length);
    lastValue[i] = value;
    return value;
  }

  private final Message.Builder builder = Message.builder();
  private final List<Binary> dataSections = new ArrayList<>(); // the body's, while decoding
  private final int[] keyPositions = new int[EncodedApplicationProperties.CHECKED_ENTRIES];

  // What each field of the properties list decodes to here; the fields the builder checks further
  // (ids, content type) are Object.
  private static final Class<?>[] PROPERTY_TYPES = {
    Object.class,
    Binary.class,
    String.class,
    String.class,
    String.class,
    Object.class,
    Symbol.class,
    Symbol.class,
    Instant.class,
    Instant.class,
    String.class,
    UnsignedInteger.class,
    String.class
  };

  /**
   * Reads a data section of an array-backed payload as a view of its bytes; returns null, consuming
   * nothing, for anything else.
   */
  private static Binary dataFast(ByteBuffer in) {
    int start = in.position();
    if (!in.hasArray()
        || in.remaining() < 5
        || in.get(start) != 0
        || (in.get(start + 1) & 0xFF) != 0x53
        || (in.get(start + 2) & 0xFF) != DATA) {
      return null;
    }
    int code = in.get(start + 3) & 0xFF;
    long length;
    int data;
    if (code == 0xa0) {
      length = in.get(start + 4) & 0xFF;
      data = start + 5;
    } else if (code == 0xb0 && in.remaining() >= 8) {
      length = uint(in, start + 4);
      data = start + 8;
    } else {
      return null;
    }
    if (length > in.limit() - data) return null; // the generic decoder says what is wrong
    in.position(data + (int) length);
    return Binary.wrap(in.array(), in.arrayOffset() + data, (int) length);
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
