package dev.amqpkit.testkit.amqp091;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * One AMQP 0-9-1 frame: type, channel and payload. The frame-end octet is added on {@link
 * #writeTo(OutputStream)} and checked on {@link #readFrom(InputStream, int)}.
 *
 * <p>Immutable; the payload array is copied in and out.
 */
public final class Frame {
  /** Frame type of a method frame. */
  public static final int METHOD = 1;

  /** Frame type of a content header frame. */
  public static final int HEADER = 2;

  /** Frame type of a content body frame. */
  public static final int BODY = 3;

  /** Frame type of a heartbeat frame. */
  public static final int HEARTBEAT = 8;

  /** The octet that ends every frame. */
  public static final int FRAME_END = 0xCE;

  /** Bytes a frame adds around its payload: type, channel, size and frame-end. */
  public static final int OVERHEAD = 8;

  /** The protocol header a client sends first: "AMQP" 0 0 9 1. */
  public static final byte[] PROTOCOL_HEADER = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};

  private final int type;
  private final int channel;
  private final byte[] payload;

  private Frame(int type, int channel, byte[] payload) {
    if (type < 0 || type > 0xFF) throw new IllegalArgumentException("type out of range: " + type);
    if (channel < 0 || channel > 0xFFFF) {
      throw new IllegalArgumentException("channel out of range: " + channel);
    }
    this.type = type;
    this.channel = channel;
    this.payload = payload;
  }

  /** A frame of any type, with the payload copied. */
  public static Frame of(int type, int channel, byte[] payload) {
    Objects.requireNonNull(payload, "payload == null");
    return new Frame(type, channel, payload.clone());
  }

  /** A method frame whose payload is the class id, method id and the encoded arguments. */
  public static Frame method(int channel, int classId, int methodId, Arguments arguments) {
    Objects.requireNonNull(arguments, "arguments == null");
    byte[] args = arguments.toByteArray();
    ByteBuffer payload = ByteBuffer.allocate(4 + args.length);
    payload.putShort((short) classId).putShort((short) methodId).put(args);
    return new Frame(METHOD, channel, payload.array());
  }

  /** A heartbeat frame, always on channel 0. */
  public static Frame heartbeat() {
    return new Frame(HEARTBEAT, 0, new byte[0]);
  }

  /**
   * Reads one frame, blocking until it is complete.
   *
   * @param maxPayload the largest payload accepted; a larger size field is rejected before anything
   *     is allocated
   * @throws EOFException if the stream ends, with a message saying where in the frame
   * @throws FrameFormatException if the size exceeds {@code maxPayload} or the frame-end octet is
   *     wrong
   */
  public static Frame readFrom(InputStream in, int maxPayload) throws IOException {
    DataInputStream data = new DataInputStream(in);
    int type = data.read();
    if (type < 0) throw new EOFException("stream ended before a frame started");
    byte[] head = new byte[6];
    readFully(data, head, "frame header");
    ByteBuffer h = ByteBuffer.wrap(head);
    int channel = Short.toUnsignedInt(h.getShort());
    long size = Integer.toUnsignedLong(h.getInt());
    if (size > maxPayload) {
      throw new FrameFormatException(
          "frame of type "
              + type
              + " declares a payload of "
              + size
              + " bytes, over "
              + maxPayload);
    }
    byte[] payload = new byte[(int) size];
    readFully(data, payload, "frame payload");
    int end = data.read();
    if (end < 0) throw new EOFException("stream ended before the frame-end octet");
    if (end != FRAME_END) {
      throw new FrameFormatException(String.format("frame-end octet is 0x%02X, not 0xCE", end));
    }
    return new Frame(type, channel, payload);
  }

  private static void readFully(DataInputStream in, byte[] into, String what) throws IOException {
    try {
      in.readFully(into);
    } catch (EOFException e) {
      throw new EOFException("stream ended inside the " + what);
    }
  }

  /** Writes the frame, frame-end included, without flushing. */
  public void writeTo(OutputStream out) throws IOException {
    out.write(toByteArray());
  }

  /** The frame as it travels on the wire, frame-end included. */
  public byte[] toByteArray() {
    ByteBuffer b = ByteBuffer.allocate(OVERHEAD + payload.length);
    b.put((byte) type).putShort((short) channel).putInt(payload.length).put(payload);
    b.put((byte) FRAME_END);
    return b.array();
  }

  public int type() {
    return type;
  }

  public int channel() {
    return channel;
  }

  /** A copy of the payload. */
  public byte[] payload() {
    return payload.clone();
  }

  public boolean isMethod(int classId, int methodId) {
    return type == METHOD && payload.length >= 4 && classId() == classId && methodId() == methodId;
  }

  /** The class id of a method frame. */
  public int classId() {
    requireMethod();
    return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
  }

  /** The method id of a method frame. */
  public int methodId() {
    requireMethod();
    return ((payload[2] & 0xFF) << 8) | (payload[3] & 0xFF);
  }

  /** A reader over the arguments of a method frame. */
  public ArgumentReader arguments() {
    requireMethod();
    return new ArgumentReader(Arrays.copyOfRange(payload, 4, payload.length));
  }

  private void requireMethod() {
    if (type != METHOD || payload.length < 4) {
      throw new IllegalStateException("not a method frame: " + this);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Frame f
        && f.type == type
        && f.channel == channel
        && Arrays.equals(f.payload, payload);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * type + channel) + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    if (type == METHOD && payload.length >= 4) {
      return "Frame{method " + classId() + "." + methodId() + ", channel " + channel + "}";
    }
    return "Frame{type " + type + ", channel " + channel + ", " + payload.length + " bytes}";
  }
}
