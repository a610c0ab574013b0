package dev.amqpkit.amqp10.internal.frames;

import dev.amqpkit.amqp10.ErrorConditions;
import dev.amqpkit.amqp10.internal.codec.DecodeException;
import dev.amqpkit.amqp10.internal.codec.Decoder;
import dev.amqpkit.amqp10.internal.codec.EncodingCodes;
import dev.amqpkit.amqp10.internal.protocol.Performative;
import dev.amqpkit.amqp10.internal.protocol.ProtocolTypes;
import dev.amqpkit.amqp10.internal.protocol.SaslPerformative;
import dev.amqpkit.amqp10.internal.protocol.Transfer;
import dev.amqpkit.amqp10.types.DescribedValue;
import dev.amqpkit.amqp10.types.Symbol;
import java.nio.ByteBuffer;

/**
 * Reads AMQP 1.0 frames from a byte stream, one at a time, as a state machine: the 8-byte frame
 * header, then the body, then the next header. The header is checked before the body is waited for:
 * SIZE between 8 and the maximum frame size, DOFF at least 2 with the data offset inside the frame,
 * TYPE 0 (AMQP) or 1 (SASL). The extended header is skipped. An empty body is an {@link
 * EmptyFrame}; otherwise the body is one performative, decoded through {@link
 * ProtocolTypes#REGISTRY}, followed for a {@link Transfer} (and only for one) by its payload.
 *
 * <p>{@link #decode} consumes a frame only once all of it is in the buffer: given part of one it
 * returns null and leaves the position where it was, so the caller can read more and call again.
 * The body is never copied; the payload of a transfer is a view of the input buffer. After a {@link
 * FrameException} the stream cannot be resynchronised: every later call throws the same exception,
 * and the connection is to be closed with its condition.
 *
 * <p>Not thread-safe: one per connection, used by its I/O thread.
 */
public final class FrameDecoder {
  private enum State {
    READ_HEADER,
    READ_BODY,
    FAILED
  }

  private final Decoder decoder;
  private int maxFrameSize;

  private State state = State.READ_HEADER;
  private int size;
  private int dataOffset;
  private int type;
  private int channel;
  private FrameException failure;

  /**
   * A decoder that accepts frames of up to {@code maxFrameSize} bytes.
   *
   * @throws IllegalArgumentException if {@code maxFrameSize} is below {@link
   *     Frame#MIN_MAX_FRAME_SIZE}
   */
  public FrameDecoder(int maxFrameSize) {
    this(new Decoder(ProtocolTypes.REGISTRY), maxFrameSize);
  }

  /**
   * A decoder that decodes performatives with {@code decoder}, whose registry should include {@link
   * ProtocolTypes#REGISTRY}, and accepts frames of up to {@code maxFrameSize} bytes.
   *
   * @throws NullPointerException if {@code decoder} is null
   * @throws IllegalArgumentException if {@code maxFrameSize} is below {@link
   *     Frame#MIN_MAX_FRAME_SIZE}
   */
  public FrameDecoder(Decoder decoder, int maxFrameSize) {
    if (decoder == null) throw new NullPointerException("decoder == null");
    this.decoder = decoder;
    maxFrameSize(maxFrameSize);
  }

  /**
   * Sets the largest frame, header included, that this decoder accepts: the max-frame-size this end
   * announced in its open performative. It applies from the next frame header read.
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

  /** The largest frame this decoder accepts. */
  public int maxFrameSize() {
    return maxFrameSize;
  }

  /**
   * How many bytes, from the position of the buffer passed to {@link #decode}, the frame being read
   * needs in all: 8 while waiting for its header, its SIZE once the header has been read and
   * checked. A caller with a fixed-size read buffer makes sure it can hold this many.
   */
  public int bytesNeeded() {
    return state == State.READ_BODY ? size : Frame.HEADER_SIZE;
  }

  /**
   * Reads the frame that starts at {@code in}'s position.
   *
   * @return the frame, with the position moved past it; or null, with the position unchanged, if
   *     the frame is not all there yet
   * @throws FrameException if the bytes are not a valid frame, with the position unchanged; the
   *     exception's condition is {@code amqp:connection:framing-error} for a bad header and {@code
   *     amqp:decode-error} for a bad body
   * @throws NullPointerException if {@code in} is null
   */
  public Frame decode(ByteBuffer in) {
    if (in == null) throw new NullPointerException("in == null");
    if (state == State.FAILED) throw failure;
    if (state == State.READ_HEADER) {
      if (in.remaining() < Frame.HEADER_SIZE) return null;
      readHeader(in);
      state = State.READ_BODY;
    }
    if (in.remaining() < size) return null;
    Frame frame = readBody(in);
    state = State.READ_HEADER;
    return frame;
  }

  private void readHeader(ByteBuffer in) {
    int at = in.position();
    // Byte by byte: the buffer's byte order may be anything, and AMQP is big-endian.
    long frameSize =
        (long) (in.get(at) & 0xFF) << 24
            | (in.get(at + 1) & 0xFF) << 16
            | (in.get(at + 2) & 0xFF) << 8
            | in.get(at + 3) & 0xFF;
    int doff = in.get(at + 4) & 0xFF;
    int frameType = in.get(at + 5) & 0xFF;
    int frameChannel = (in.get(at + 6) & 0xFF) << 8 | in.get(at + 7) & 0xFF;
    if (frameSize < Frame.HEADER_SIZE) {
      throw fail(
          ErrorConditions.CONNECTION_FRAMING_ERROR,
          "frame SIZE " + frameSize + " is less than the 8 bytes of the frame header");
    }
    if (frameSize > maxFrameSize) {
      throw fail(
          ErrorConditions.CONNECTION_FRAMING_ERROR,
          "frame SIZE " + frameSize + " is larger than the max-frame-size of " + maxFrameSize);
    }
    if (doff < 2) {
      throw fail(
          ErrorConditions.CONNECTION_FRAMING_ERROR,
          "frame DOFF "
              + doff
              + " is less than 2: the data offset (DOFF * 4 bytes) must cover the 8-byte header");
    }
    if (doff * 4L > frameSize) {
      throw fail(
          ErrorConditions.CONNECTION_FRAMING_ERROR,
          "frame DOFF "
              + doff
              + " puts the body at byte "
              + doff * 4
              + ", past the end of the "
              + frameSize
              + "-byte frame");
    }
    if (frameType != Frame.TYPE_AMQP && frameType != Frame.TYPE_SASL) {
      throw fail(
          ErrorConditions.CONNECTION_FRAMING_ERROR,
          "frame TYPE " + frameType + " is neither 0 (AMQP) nor 1 (SASL)");
    }
    size = (int) frameSize;
    dataOffset = doff * 4;
    type = frameType;
    channel = frameChannel;
  }

  private Frame readBody(ByteBuffer in) {
    int start = in.position();
    int bodyStart = start + dataOffset;
    int end = start + size;
    if (bodyStart == end) {
      if (type == Frame.TYPE_SASL) {
        throw fail(
            ErrorConditions.DECODE_ERROR,
            "a SASL frame has an empty body: it must hold one SASL performative");
      }
      in.position(end);
      return new EmptyFrame(channel);
    }
    int constructor = in.get(bodyStart) & 0xFF;
    if (constructor != EncodingCodes.DESCRIBED) {
      throw fail(
          ErrorConditions.DECODE_ERROR,
          String.format(
              "the body of %s starts with %s (0x%02x), not a described type: a frame body is a"
                  + " performative",
              what(), EncodingCodes.name(constructor), constructor));
    }
    Object body = decodeBody(in, bodyStart, end);
    int bodyEnd = in.position();
    in.position(start);
    Frame frame;
    if (type == Frame.TYPE_SASL) {
      if (!(body instanceof SaslPerformative sasl)) {
        throw fail(
            ErrorConditions.DECODE_ERROR,
            what() + " holds " + name(body) + ", not a SASL performative");
      }
      if (bodyEnd != end) throw trailingBytes(end - bodyEnd, body);
      frame = new SaslFrame(sasl);
    } else {
      if (!(body instanceof Performative performative)) {
        throw fail(
            ErrorConditions.DECODE_ERROR, what() + " holds " + name(body) + ", not a performative");
      }
      ByteBuffer payload = null;
      if (performative instanceof Transfer) {
        payload = in.slice(bodyEnd, end - bodyEnd);
      } else if (bodyEnd != end) {
        throw trailingBytes(end - bodyEnd, body);
      }
      frame = new AmqpFrame(channel, performative, payload);
    }
    in.position(end);
    return frame;
  }

  /**
   * Decodes the performative between {@code bodyStart} and {@code end}; leaves the position after
   * it.
   */
  private Object decodeBody(ByteBuffer in, int bodyStart, int end) {
    Transfer transfer = HotPerformatives.readTransfer(in, bodyStart, end);
    if (transfer != null) return transfer;
    int start = in.position();
    int limit = in.limit();
    in.limit(end).position(bodyStart);
    try {
      return decoder.decode(in);
    } catch (DecodeException e) {
      in.position(start);
      throw fail(
          ErrorConditions.DECODE_ERROR,
          "the performative of " + what() + " cannot be decoded: " + e.getMessage(),
          e);
    } finally {
      in.limit(limit);
    }
  }

  private FrameException trailingBytes(int count, Object body) {
    return fail(
        ErrorConditions.DECODE_ERROR,
        what()
            + " has "
            + count
            + (count == 1 ? " byte" : " bytes")
            + " after "
            + name(body)
            + ": only a transfer carries a payload");
  }

  /** Names the frame being read, for messages. */
  private String what() {
    return type == Frame.TYPE_SASL
        ? "a SASL frame"
        : "an AMQP frame on channel " + channel + " (" + size + " bytes)";
  }

  private static String name(Object body) {
    if (body instanceof DescribedValue described) {
      return "a value with the unknown descriptor " + described.descriptor();
    }
    if (body instanceof Record) {
      // The specification's name: SaslInit is sasl-init.
      String name = body.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1-$2");
      return ("AEIOU".indexOf(name.charAt(0)) >= 0 ? "an " : "a ") + name.toLowerCase();
    }
    return "a " + (body == null ? "null" : body.getClass().getSimpleName());
  }

  private FrameException fail(Symbol condition, String message) {
    return fail(condition, message, null);
  }

  /** Marks this decoder failed and returns the exception to throw, now and on every later call. */
  private FrameException fail(Symbol condition, String message, Throwable cause) {
    failure = new FrameException(condition, message, cause);
    state = State.FAILED;
    return failure;
  }
}
