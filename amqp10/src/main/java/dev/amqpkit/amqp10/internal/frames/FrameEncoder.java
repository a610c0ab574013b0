package dev.amqpkit.amqp10.internal.frames;

import dev.amqpkit.amqp10.internal.codec.Encoder;
import dev.amqpkit.amqp10.internal.protocol.Performative;
import dev.amqpkit.amqp10.internal.protocol.ProtocolTypes;
import dev.amqpkit.amqp10.internal.protocol.SaslPerformative;
import dev.amqpkit.amqp10.internal.protocol.Transfer;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;

/**
 * Writes AMQP 1.0 frames: a performative on a channel with, for a transfer, its payload; SASL
 * frames; empty (heartbeat) frames; and a message's payload split into as many transfer frames as
 * the peer's max-frame-size requires. Frames have no extended header (DOFF is 2).
 *
 * <p>Each performative is sized before it is written, and every byte of a frame is written once,
 * straight into the caller's buffer: the header last, once the size is known. When a frame cannot
 * be written (no room, too large, a performative that cannot be encoded) the target's position is
 * left where it was; bytes past it may have been overwritten.
 *
 * <p>Not thread-safe: one per connection.
 */
public final class FrameEncoder {
  private static final int DOFF = 2;

  private final Encoder encoder;
  private int maxFrameSize;

  /**
   * An encoder that writes frames of up to {@code maxFrameSize} bytes.
   *
   * @throws IllegalArgumentException if {@code maxFrameSize} is below {@link
   *     Frame#MIN_MAX_FRAME_SIZE}
   */
  public FrameEncoder(int maxFrameSize) {
    this(new Encoder(ProtocolTypes.REGISTRY), maxFrameSize);
  }

  /**
   * An encoder that writes performatives with {@code encoder}, whose registry should include {@link
   * ProtocolTypes#REGISTRY}, in frames of up to {@code maxFrameSize} bytes.
   *
   * @throws NullPointerException if {@code encoder} is null
   * @throws IllegalArgumentException if {@code maxFrameSize} is below {@link
   *     Frame#MIN_MAX_FRAME_SIZE}
   */
  public FrameEncoder(Encoder encoder, int maxFrameSize) {
    if (encoder == null) throw new NullPointerException("encoder == null");
    this.encoder = encoder;
    maxFrameSize(maxFrameSize);
  }

  /**
   * Sets the largest frame, header included, this encoder writes: the max-frame-size the peer
   * announced in its open performative (capped at {@link Integer#MAX_VALUE} by the caller).
   *
   * @throws IllegalArgumentException if {@code maxFrameSize} is below {@link
   *     Frame#MIN_MAX_FRAME_SIZE}
   */
  public void maxFrameSize(int maxFrameSize) {
    if (maxFrameSize < Frame.MIN_MAX_FRAME_SIZE) {
      throw new IllegalArgumentException(
          "maxFrameSize is at least " + Frame.MIN_MAX_FRAME_SIZE + ", not " + maxFrameSize);
    }
    this.maxFrameSize = maxFrameSize;
  }

  /** The largest frame this encoder writes. */
  public int maxFrameSize() {
    return maxFrameSize;
  }

  /**
   * Returns the size of the frame that carries {@code performative} and {@code payloadLength} bytes
   * of payload, header included. Does not check it against the max-frame-size.
   *
   * @throws IllegalArgumentException if the performative cannot be encoded
   */
  public int sizeOf(Performative performative, int payloadLength) {
    return Frame.HEADER_SIZE + performativeSize(performative) + payloadLength;
  }

  private int performativeSize(Object performative) {
    int hot = HotPerformatives.size(performative);
    return hot >= 0 ? hot : encoder.sizeOf(performative);
  }

  /**
   * Writes an AMQP frame into {@code target} at its position, advancing it.
   *
   * @param payload for a transfer, the payload's bytes: its remaining ones, read without moving its
   *     position; null for none. Only a transfer may have one.
   * @return the number of bytes written
   * @throws IllegalArgumentException if {@code channel} is not 0..65535, the performative cannot be
   *     encoded, a payload comes with a performative other than a transfer, or the frame would be
   *     larger than the max-frame-size (use {@link #encodeTransfer} to split a payload)
   * @throws BufferOverflowException if {@code target} has no room for the frame
   * @throws NullPointerException if {@code performative} or {@code target} is null
   */
  public int encode(int channel, Performative performative, ByteBuffer payload, ByteBuffer target) {
    if (performative == null) throw new NullPointerException("performative == null");
    if (target == null) throw new NullPointerException("target == null");
    if (payload != null && !(performative instanceof Transfer)) {
      throw new IllegalArgumentException(
          "only a transfer carries a payload, not a " + performative.getClass().getSimpleName());
    }
    checkChannel(channel);
    int length = payload == null ? 0 : payload.remaining();
    int offset = payload == null ? 0 : payload.position();
    return write(Frame.TYPE_AMQP, channel, performative, payload, offset, length, target);
  }

  /**
   * Returns an AMQP frame in an array of exactly its size.
   *
   * @throws IllegalArgumentException as {@link #encode(int, Performative, ByteBuffer, ByteBuffer)}
   *     does
   * @throws NullPointerException if {@code performative} is null
   */
  public byte[] encode(int channel, Performative performative, ByteBuffer payload) {
    if (performative == null) throw new NullPointerException("performative == null");
    int length = payload == null ? 0 : payload.remaining();
    byte[] frame = new byte[checkedSize(sizeOf(performative, length))];
    encode(channel, performative, payload, ByteBuffer.wrap(frame));
    return frame;
  }

  /**
   * Writes a SASL frame into {@code target} at its position, advancing it.
   *
   * @return the number of bytes written
   * @throws IllegalArgumentException if the performative cannot be encoded or the frame would be
   *     larger than the max-frame-size
   * @throws BufferOverflowException if {@code target} has no room for the frame
   * @throws NullPointerException if an argument is null
   */
  public int encodeSasl(SaslPerformative performative, ByteBuffer target) {
    if (performative == null) throw new NullPointerException("performative == null");
    if (target == null) throw new NullPointerException("target == null");
    return write(Frame.TYPE_SASL, 0, performative, null, 0, 0, target);
  }

  /**
   * Returns a SASL frame in an array of exactly its size.
   *
   * @throws IllegalArgumentException as {@link #encodeSasl(SaslPerformative, ByteBuffer)} does
   * @throws NullPointerException if {@code performative} is null
   */
  public byte[] encodeSasl(SaslPerformative performative) {
    if (performative == null) throw new NullPointerException("performative == null");
    byte[] frame = new byte[checkedSize(Frame.HEADER_SIZE + encoder.sizeOf(performative))];
    encodeSasl(performative, ByteBuffer.wrap(frame));
    return frame;
  }

  /**
   * Writes an empty AMQP frame on channel 0, the heartbeat that keeps an idle connection open: 8
   * bytes, {@code 00 00 00 08 02 00 00 00}.
   *
   * @return 8
   * @throws BufferOverflowException if fewer than 8 bytes remain in {@code target}
   */
  public static int writeEmptyFrame(ByteBuffer target) {
    if (target.remaining() < Frame.HEADER_SIZE) throw new BufferOverflowException();
    int start = target.position();
    header(target, start, Frame.HEADER_SIZE, Frame.TYPE_AMQP, 0);
    target.position(start + Frame.HEADER_SIZE);
    return Frame.HEADER_SIZE;
  }

  /** Returns an empty AMQP frame on channel 0 (see {@link #writeEmptyFrame}), in a new array. */
  public static byte[] emptyFrame() {
    byte[] frame = new byte[Frame.HEADER_SIZE];
    writeEmptyFrame(ByteBuffer.wrap(frame));
    return frame;
  }

  /**
   * Returns how many bytes {@link #encodeTransfer} writes for these arguments.
   *
   * @throws IllegalArgumentException as {@link #encodeTransfer} does
   */
  public int sizeOfTransfer(Transfer first, int payloadLength) {
    if (first == null) throw new NullPointerException("first == null");
    if (payloadLength < 0) throw new IllegalArgumentException("payloadLength < 0");
    long single = (long) sizeOf(first, 0) + payloadLength;
    if (single <= maxFrameSize) return (int) single;
    return checkedSize(plan(first, payloadLength).totalBytes);
  }

  /**
   * Returns how many frames {@link #encodeTransfer} writes for these arguments.
   *
   * @throws IllegalArgumentException as {@link #encodeTransfer} does
   */
  public int framesOfTransfer(Transfer first, int payloadLength) {
    if (first == null) throw new NullPointerException("first == null");
    if (payloadLength < 0) throw new IllegalArgumentException("payloadLength < 0");
    if ((long) sizeOf(first, 0) + payloadLength <= maxFrameSize) return 1;
    return plan(first, payloadLength).frames;
  }

  /**
   * Writes a message's payload as transfer frames no larger than the max-frame-size, into {@code
   * target} at its position, advancing it. One frame when it fits; otherwise the first frame is
   * {@code first} with {@code more} set, every following one carries only the handle, {@code more}
   * and {@code batchable}, and the last one's {@code more} is {@code first}'s. Each frame takes as
   * much of the payload as fits after its performative, whose encoded size is computed exactly.
   *
   * @param first the transfer that starts the delivery: handle, delivery-id, delivery-tag,
   *     message-format, settled, state...
   * @param payload the payload's remaining bytes, read without moving its position
   * @return the number of frames written
   * @throws IllegalArgumentException if {@code channel} is not 0..65535, {@code first} cannot be
   *     encoded, or the max-frame-size leaves no room for payload after a transfer performative
   * @throws BufferOverflowException if {@code target} has no room for all the frames (see {@link
   *     #sizeOfTransfer}); nothing is written
   * @throws NullPointerException if an argument is null
   */
  public int encodeTransfer(int channel, Transfer first, ByteBuffer payload, ByteBuffer target) {
    if (first == null) throw new NullPointerException("first == null");
    if (payload == null) throw new NullPointerException("payload == null");
    if (target == null) throw new NullPointerException("target == null");
    checkChannel(channel);
    int length = payload.remaining();
    int offset = payload.position();
    long single = (long) sizeOf(first, 0) + length;
    if (single <= maxFrameSize) {
      if (target.remaining() < single) throw new BufferOverflowException();
      write(Frame.TYPE_AMQP, channel, first, payload, offset, length, target);
      return 1;
    }
    Plan plan = plan(first, length);
    if (target.remaining() < plan.totalBytes) throw new BufferOverflowException();
    if (plan.frames == 1) {
      write(Frame.TYPE_AMQP, channel, first, payload, offset, length, target);
      return 1;
    }
    int done = 0;
    write(Frame.TYPE_AMQP, channel, plan.head, payload, offset, plan.headRoom, target);
    done += plan.headRoom;
    for (int i = 0; i < plan.frames - 2; i++) {
      write(Frame.TYPE_AMQP, channel, plan.middle, payload, offset + done, plan.middleRoom, target);
      done += plan.middleRoom;
    }
    write(Frame.TYPE_AMQP, channel, plan.tail, payload, offset + done, length - done, target);
    return plan.frames;
  }

  /**
   * How a payload is split: the performatives of the first, middle and last frames, how much
   * payload the first and middle ones carry, and the totals.
   */
  private record Plan(
      Transfer head,
      Transfer middle,
      Transfer tail,
      int headRoom,
      int middleRoom,
      int frames,
      long totalBytes) {}

  private Plan plan(Transfer first, int length) {
    int single = sizeOf(first, 0);
    if ((long) single + length <= maxFrameSize) {
      return new Plan(first, null, null, length, 0, 1, (long) single + length);
    }
    Transfer head = first.more() ? first : first.newBuilder().more(true).build();
    Transfer middle = continuation(first, true);
    Transfer tail = continuation(first, first.more());
    int headRoom = maxFrameSize - sizeOf(head, 0);
    int middleRoom = maxFrameSize - sizeOf(middle, 0);
    int tailSize = sizeOf(tail, 0);
    int tailRoom = maxFrameSize - tailSize;
    if (headRoom <= 0 || middleRoom <= 0) {
      throw new IllegalArgumentException(
          "a max-frame-size of "
              + maxFrameSize
              + " leaves no room for payload after the transfer performative ("
              + Math.max(sizeOf(head, 0), sizeOf(middle, 0))
              + " bytes with the frame header)");
    }
    // The last frame's performative is no larger than a middle one's (more is false or the same),
    // so every byte the middle frames leave fits in the last one.
    long remaining = (long) length - headRoom;
    long middles = remaining > tailRoom ? (remaining - tailRoom + middleRoom - 1) / middleRoom : 0;
    long last = remaining - middles * middleRoom;
    long frames = 2 + middles;
    long total = (long) maxFrameSize * (1 + middles) + tailSize + last;
    return new Plan(head, middle, tail, headRoom, middleRoom, (int) frames, total);
  }

  private static Transfer continuation(Transfer first, boolean more) {
    return new Transfer(
        first.handle(), null, null, null, null, more, null, null, false, false, first.batchable());
  }

  /**
   * Writes one frame: the header, {@code body} and {@code length} payload bytes from {@code
   * payload} at {@code offset}. Leaves the target's position unchanged on failure.
   */
  private int write(
      int type,
      int channel,
      Object body,
      ByteBuffer payload,
      int offset,
      int length,
      ByteBuffer target) {
    int start = target.position();
    if (target.remaining() < Frame.HEADER_SIZE) throw new BufferOverflowException();
    target.position(start + Frame.HEADER_SIZE);
    int bodySize;
    try {
      bodySize =
          HotPerformatives.size(body) >= 0
              ? HotPerformatives.write(body, target)
              : encoder.encode(body, target);
    } catch (RuntimeException e) {
      target.position(start);
      throw e;
    }
    long frameSize = (long) Frame.HEADER_SIZE + bodySize + length;
    if (frameSize > maxFrameSize) {
      target.position(start);
      throw new IllegalArgumentException(
          "a frame of "
              + frameSize
              + " bytes ("
              + bodySize
              + " of performative, "
              + length
              + " of payload) is larger than the max-frame-size of "
              + maxFrameSize);
    }
    if (target.remaining() < length) {
      target.position(start);
      throw new BufferOverflowException();
    }
    if (length > 0) {
      target.put(target.position(), payload, offset, length);
      target.position(target.position() + length);
    }
    header(target, start, (int) frameSize, type, channel);
    return (int) frameSize;
  }

  /** Writes a frame header at {@code at}, big-endian whatever the buffer's byte order. */
  private static void header(ByteBuffer target, int at, int size, int type, int channel) {
    target.put(at, (byte) (size >>> 24));
    target.put(at + 1, (byte) (size >>> 16));
    target.put(at + 2, (byte) (size >>> 8));
    target.put(at + 3, (byte) size);
    target.put(at + 4, (byte) DOFF);
    target.put(at + 5, (byte) type);
    target.put(at + 6, (byte) (channel >>> 8));
    target.put(at + 7, (byte) channel);
  }

  private static void checkChannel(int channel) {
    if (channel < 0 || channel > 0xFFFF) {
      throw new IllegalArgumentException("channel is 0..65535, not " + channel);
    }
  }

  private static int checkedSize(long size) {
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("the frames would take more than 2 GiB: " + size);
    }
    return (int) size;
  }
}
