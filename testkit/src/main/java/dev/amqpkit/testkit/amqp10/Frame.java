package dev.amqpkit.testkit.amqp10;

import dev.amqpkit.testkit.amqp10.Amqp10Value.Described;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One AMQP 1.0 frame (part 2.3 of the specification): size, data offset, type ({@link #AMQP} or
 * {@link #SASL}), channel, and a body that is a performative, a described list, followed for
 * transfers by payload bytes. A frame with an empty body is a heartbeat.
 *
 * <p>A frame is its bytes; the performative and payload are decoded from them. Frames built with
 * {@link #raw} may carry any body, and {@link #isWellFormed()} says whether it decodes; frames read
 * with {@link #readFrom} always do.
 *
 * <p>Immutable; arrays are copied in and out.
 */
public final class Frame {
  /** Frame type of an AMQP frame. */
  public static final int AMQP = 0;

  /** Frame type of a SASL frame. */
  public static final int SASL = 1;

  /** Protocol id of the AMQP protocol header, {@code AMQP 0 1 0 0}. */
  public static final int PROTOCOL_AMQP = 0;

  /** Protocol id of the TLS protocol header, {@code AMQP 2 1 0 0}. */
  public static final int PROTOCOL_TLS = 2;

  /** Protocol id of the SASL protocol header, {@code AMQP 3 1 0 0}. */
  public static final int PROTOCOL_SASL = 3;

  /** Bytes of the fixed frame header: size, doff, type and channel. */
  public static final int HEADER_SIZE = 8;

  /** The smallest max-frame-size a peer may declare (MIN-MAX-FRAME-SIZE). */
  public static final int MIN_MAX_FRAME_SIZE = 512;

  private final int type;
  private final int channel;
  private final byte[] extendedHeader;
  private final byte[] body;
  // Decoded from body.
  private final Described performative;
  private final byte[] payload;
  private final String malformation;

  private Frame(int type, int channel, byte[] extendedHeader, byte[] body) {
    if (type < 0 || type > 0xFF) throw new IllegalArgumentException("type out of range: " + type);
    if (channel < 0 || channel > 0xFFFF) {
      throw new IllegalArgumentException("channel out of range: " + channel);
    }
    if (extendedHeader.length % 4 != 0 || extendedHeader.length > 4 * 0xFF - HEADER_SIZE) {
      throw new IllegalArgumentException(
          "an extended header has a multiple of 4 bytes, up to 1012, not " + extendedHeader.length);
    }
    this.type = type;
    this.channel = channel;
    this.extendedHeader = extendedHeader;
    this.body = body;
    Described decoded = null;
    byte[] rest = new byte[0];
    String problem = null;
    if (body.length > 0) {
      ByteBuffer in = ByteBuffer.wrap(body);
      try {
        Object value = Amqp10Value.read(in);
        if (!(value instanceof Described d) || !(d.value() instanceof List)) {
          problem = "the body starts with " + Amqp10Value.format(value) + ", not a described list";
        } else {
          decoded = d;
          rest = Arrays.copyOfRange(body, in.position(), body.length);
        }
      } catch (FrameFormatException e) {
        problem = e.getMessage();
      }
    }
    this.performative = decoded;
    this.payload = rest;
    this.malformation = problem;
  }

  // ---- building ----

  /** An AMQP frame (type 0) carrying a performative. */
  public static Frame amqp(int channel, Described performative) {
    return amqp(channel, performative, new byte[0]);
  }

  /** An AMQP frame carrying a performative and payload bytes after it, as a transfer does. */
  public static Frame amqp(int channel, Described performative, byte[] payload) {
    Objects.requireNonNull(performative, "performative == null");
    Objects.requireNonNull(payload, "payload == null");
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    Amqp10Value.write(performative, body);
    body.writeBytes(payload);
    return new Frame(AMQP, channel, new byte[0], body.toByteArray());
  }

  /** A SASL frame (type 1) carrying a SASL performative, on channel 0. */
  public static Frame sasl(Described performative) {
    Objects.requireNonNull(performative, "performative == null");
    return new Frame(SASL, 0, new byte[0], Amqp10Value.encode(performative));
  }

  /** An empty AMQP frame on channel 0: a heartbeat. */
  public static Frame heartbeat() {
    return new Frame(AMQP, 0, new byte[0], new byte[0]);
  }

  /**
   * A frame of any type with any body and an extended header (a multiple of 4 bytes, making the
   * data offset larger than 2): for frames no peer should send.
   */
  public static Frame raw(int type, int channel, byte[] extendedHeader, byte[] body) {
    Objects.requireNonNull(extendedHeader, "extendedHeader == null");
    Objects.requireNonNull(body, "body == null");
    return new Frame(type, channel, extendedHeader.clone(), body.clone());
  }

  /** This frame on another channel. */
  public Frame onChannel(int channel) {
    return new Frame(type, channel, extendedHeader, body);
  }

  /**
   * This frame with a field of its performative set by name, converted to the field's type as
   * {@link Described#with(String, Object)} does; the payload stays.
   *
   * @throws IllegalStateException if the frame carries no performative
   */
  public Frame with(String field, Object value) {
    return withPerformative(performative().with(field, value));
  }

  /** This frame with the payload replaced. */
  public Frame withPayload(byte[] payload) {
    Objects.requireNonNull(payload, "payload == null");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Amqp10Value.write(performative(), out);
    out.writeBytes(payload);
    return new Frame(type, channel, extendedHeader, out.toByteArray());
  }

  private Frame withPerformative(Described replacement) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Amqp10Value.write(replacement, out);
    out.writeBytes(payload);
    return new Frame(type, channel, extendedHeader, out.toByteArray());
  }

  // ---- protocol headers ----

  /** The 8-byte protocol header {@code AMQP id 1 0 0}. */
  public static byte[] protocolHeader(int id) {
    if (id < 0 || id > 0xFF) throw new IllegalArgumentException("protocol id out of range: " + id);
    return new byte[] {'A', 'M', 'Q', 'P', (byte) id, 1, 0, 0};
  }

  /**
   * Reads an 8-byte protocol header and returns its protocol id, blocking until it is complete.
   *
   * @throws EOFException if the stream ends first
   * @throws FrameFormatException if the bytes are not {@code AMQP id 1 0 0}
   */
  public static int readProtocolHeader(InputStream in) throws IOException {
    byte[] header = in.readNBytes(8);
    if (header.length < 8) {
      throw new EOFException("stream ended after " + header.length + " bytes of a protocol header");
    }
    if (header[0] != 'A'
        || header[1] != 'M'
        || header[2] != 'Q'
        || header[3] != 'P'
        || header[5] != 1
        || header[6] != 0
        || header[7] != 0) {
      throw new FrameFormatException(
          "not an AMQP 1.0 protocol header: " + HexFormat.ofDelimiter(" ").formatHex(header));
    }
    return header[4] & 0xFF;
  }

  // ---- reading and writing ----

  /**
   * Reads one frame, blocking until it is complete.
   *
   * @param maxFrameSize the largest frame accepted, header included; a larger size field is
   *     rejected before anything is allocated
   * @throws EOFException if the stream ends, with a message saying where in the frame
   * @throws FrameFormatException if the size or data offset is impossible or over {@code
   *     maxFrameSize}, or the body is neither empty nor a performative
   */
  public static Frame readFrom(InputStream in, int maxFrameSize) throws IOException {
    DataInputStream data = new DataInputStream(in);
    byte[] head = in.readNBytes(HEADER_SIZE);
    if (head.length == 0) throw new EOFException("stream ended before a frame started");
    if (head.length < HEADER_SIZE) {
      throw new EOFException(
          "stream ended inside the frame header, after " + head.length + " bytes");
    }
    checkHeader(head, maxFrameSize);
    ByteBuffer h = ByteBuffer.wrap(head);
    long size = Integer.toUnsignedLong(h.getInt());
    int doff = h.get() & 0xFF;
    byte[] extended = new byte[doff * 4 - HEADER_SIZE];
    byte[] body = new byte[(int) (size - doff * 4L)];
    try {
      data.readFully(extended);
      data.readFully(body);
    } catch (EOFException e) {
      throw new EOFException("stream ended inside a frame of " + size + " bytes");
    }
    Frame frame = new Frame(head[5] & 0xFF, h.getShort(6) & 0xFFFF, extended, body);
    if (frame.malformation != null) {
      throw new FrameFormatException("malformed frame body: " + frame.malformation);
    }
    return frame;
  }

  /**
   * Checks the first 8 bytes of a frame and returns its size.
   *
   * @throws FrameFormatException if they are a protocol header, or declare an impossible size or
   *     data offset, or a size over {@code maxFrameSize}
   */
  static long checkHeader(byte[] head, int maxFrameSize) throws FrameFormatException {
    ByteBuffer h = ByteBuffer.wrap(head);
    long size = Integer.toUnsignedLong(h.getInt());
    int doff = h.get() & 0xFF;
    String hex = HexFormat.ofDelimiter(" ").formatHex(head, 0, HEADER_SIZE);
    if (head[0] == 'A' && head[1] == 'M' && head[2] == 'Q' && head[3] == 'P') {
      throw new FrameFormatException("a protocol header (" + hex + ") where a frame was expected");
    }
    if (size < HEADER_SIZE || doff < 2 || doff * 4L > size) {
      throw new FrameFormatException(
          "impossible frame header " + hex + ": size " + size + ", data offset " + doff);
    }
    if (size > maxFrameSize) {
      throw new FrameFormatException(
          "frame header " + hex + " declares " + size + " bytes, over " + maxFrameSize);
    }
    return size;
  }

  /** Decodes a whole frame whose header {@link #checkHeader} accepted; the body may be anything. */
  static Frame parse(byte[] bytes, int offset, int size) {
    ByteBuffer h = ByteBuffer.wrap(bytes, offset, size);
    h.getInt();
    int doff = h.get() & 0xFF;
    int type = h.get() & 0xFF;
    int channel = h.getShort() & 0xFFFF;
    byte[] extended = Arrays.copyOfRange(bytes, offset + HEADER_SIZE, offset + doff * 4);
    byte[] body = Arrays.copyOfRange(bytes, offset + doff * 4, offset + size);
    return new Frame(type, channel, extended, body);
  }

  /** Writes the frame without flushing. */
  public void writeTo(OutputStream out) throws IOException {
    out.write(toByteArray());
  }

  /** The frame as it travels on the wire. */
  public byte[] toByteArray() {
    ByteBuffer b = ByteBuffer.allocate(size());
    b.putInt(size())
        .put((byte) (2 + extendedHeader.length / 4))
        .put((byte) type)
        .putShort((short) channel)
        .put(extendedHeader)
        .put(body);
    return b.array();
  }

  // ---- looking at it ----

  /** The frame's size on the wire, header included. */
  public int size() {
    return HEADER_SIZE + extendedHeader.length + body.length;
  }

  /** {@link #AMQP}, {@link #SASL} or whatever type the frame declares. */
  public int type() {
    return type;
  }

  /** The channel: the type-specific header field, which SASL frames ignore. */
  public int channel() {
    return channel;
  }

  /** Whether the body is empty: an AMQP heartbeat, or an empty frame of another type. */
  public boolean isHeartbeat() {
    return body.length == 0;
  }

  public boolean isSasl() {
    return type == SASL;
  }

  /** Whether the body is empty or a well-formed performative. */
  public boolean isWellFormed() {
    return malformation == null;
  }

  /** Why the body is not a well-formed performative; null when it is. */
  public String malformation() {
    return malformation;
  }

  /**
   * The performative the frame carries.
   *
   * @throws IllegalStateException if the frame is a heartbeat or its body is malformed
   */
  public Described performative() {
    if (performative == null) {
      throw new IllegalStateException(
          isHeartbeat()
              ? "a heartbeat carries no performative"
              : "malformed frame: " + malformation);
    }
    return performative;
  }

  /** The performative's descriptor code ({@code 0x10} for open), or -1 when there is none. */
  public long descriptorCode() {
    return performative == null ? -1 : performative.code();
  }

  /** Whether the frame carries this performative. */
  public boolean isPerformative(long code) {
    return performative != null && performative.code() == code;
  }

  /** Whether the frame carries this performative on this channel. */
  public boolean isPerformative(long code, int channel) {
    return isPerformative(code) && this.channel == channel;
  }

  /** The name of the performative ({@code open}), or null for a heartbeat or malformed frame. */
  public String name() {
    if (performative == null) return null;
    String name = performative.name();
    return name != null ? name : Amqp10Value.format(performative.descriptor());
  }

  /**
   * A field of the performative by position; null when absent.
   *
   * @throws IllegalStateException if the frame carries no performative
   */
  public Object field(int index) {
    return performative().field(index);
  }

  /**
   * A field of the performative by its name in the specification ({@code "max-frame-size"}); null
   * when absent.
   *
   * @throws IllegalStateException if the frame carries no performative
   * @throws IllegalArgumentException if the performative has no such field
   */
  public Object field(String name) {
    return performative().field(name);
  }

  /** The performative's fields as sent, trailing absent fields left out. */
  public List<Object> fields() {
    return performative().fields();
  }

  /** A copy of the bytes after the performative: a transfer's payload. */
  public byte[] payload() {
    return payload.clone();
  }

  /** A copy of the frame body: the performative and payload as bytes. */
  public byte[] body() {
    return body.clone();
  }

  /** A copy of the extended header, empty unless the data offset is over 2. */
  public byte[] extendedHeader() {
    return extendedHeader.clone();
  }

  /**
   * The frame as a person reads it: {@code open(container-id="c", max-frame-size=512) on channel
   * 0}, {@code heartbeat}, or what is wrong with a malformed one.
   */
  public String describe() {
    String where = type == SASL ? " (SASL)" : " on channel " + channel;
    if (type != AMQP && type != SASL) where = " of type " + type + " on channel " + channel;
    if (isHeartbeat()) return type == AMQP ? "heartbeat" : "empty frame" + where;
    if (malformation != null) {
      return "malformed frame"
          + where
          + " ("
          + malformation
          + "): "
          + HexFormat.ofDelimiter(" ").formatHex(body, 0, Math.min(body.length, 32))
          + (body.length > 32 ? " …" : "");
    }
    String text = Amqp10Value.format(performative) + where;
    if (payload.length > 0) text += " with " + payload.length + " payload bytes";
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Frame f
        && f.type == type
        && f.channel == channel
        && Arrays.equals(f.extendedHeader, extendedHeader)
        && Arrays.equals(f.body, body);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * type + channel) + Arrays.hashCode(extendedHeader))
        + Arrays.hashCode(body);
  }

  @Override
  public String toString() {
    return "Frame{" + describe() + "}";
  }
}
