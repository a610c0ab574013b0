package dev.amqpkit.amqp091.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads frames from a stream into one reusable buffer. After {@link #next} returns, the frame's
 * type, channel and payload (a slice of {@link #buffer()}) are valid until the next call.
 *
 * <p>The size field is checked against the limit before the buffer grows, so a hostile size never
 * allocates. Not thread-safe: owned by the reader thread.
 */
final class FrameReader {
  static final int FRAME_END = 0xCE;

  private final InputStream in;
  private byte[] buffer = new byte[64 * 1024];
  private int start;
  private int end;

  int type;
  int channel;
  int payloadOffset;
  int payloadLength;

  FrameReader(InputStream in) {
    this.in = in;
  }

  byte[] buffer() {
    return buffer;
  }

  /**
   * The AMQP version in a protocol header the peer sent where a frame was expected (a peer that
   * refuses or does not speak 0-9-1 answers with its own), as "major-minor-revision", or {@code
   * null} when the unread bytes are not one.
   */
  String unreadProtocolHeader() {
    if (end - start < 8) return null;
    byte[] b = buffer;
    if (b[start] != 'A' || b[start + 1] != 'M' || b[start + 2] != 'Q' || b[start + 3] != 'P') {
      return null;
    }
    return b[start + 5] + "-" + b[start + 6] + "-" + b[start + 7];
  }

  /** Whether a whole frame is buffered, so that {@link #next} will not read from the stream. */
  boolean frameBuffered() {
    int available = end - start;
    if (available < 8) return false;
    byte[] b = buffer;
    long size =
        ((long) (b[start + 3] & 0xFF) << 24)
            | ((b[start + 4] & 0xFF) << 16)
            | ((b[start + 5] & 0xFF) << 8)
            | (b[start + 6] & 0xFF);
    return available >= size + 8;
  }

  /**
   * Reads the next frame.
   *
   * @param frameMax the negotiated frame-max: the largest whole frame, header and end included
   * @throws EOFException if the stream ends, mid-frame or between frames
   * @throws MalformedFrameException 501 FRAME_ERROR for an oversized frame or a wrong frame-end
   */
  void next(int frameMax) throws IOException, MalformedFrameException {
    fill(7);
    byte[] b = buffer;
    type = b[start] & 0xFF;
    channel = ((b[start + 1] & 0xFF) << 8) | (b[start + 2] & 0xFF);
    long size =
        ((long) (b[start + 3] & 0xFF) << 24)
            | ((b[start + 4] & 0xFF) << 16)
            | ((b[start + 5] & 0xFF) << 8)
            | (b[start + 6] & 0xFF);
    if (size + 8 > frameMax) {
      throw new MalformedFrameException(
          MalformedFrameException.FRAME_ERROR,
          "frame of " + (size + 8) + " bytes is over the negotiated frame-max of " + frameMax);
    }
    int total = 7 + (int) size + 1;
    fill(total);
    b = buffer;
    int frameEnd = b[start + total - 1] & 0xFF;
    if (frameEnd != FRAME_END) {
      throw new MalformedFrameException(
          MalformedFrameException.FRAME_ERROR,
          String.format("frame-end octet is 0x%02X, not 0xCE", frameEnd));
    }
    payloadOffset = start + 7;
    payloadLength = (int) size;
    start += total;
  }

  /** Makes at least {@code n} bytes available from {@code start}. */
  private void fill(int n) throws IOException {
    if (end - start >= n) return;
    if (start + n > buffer.length) {
      if (n > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(n, buffer.length * 2));
      }
      System.arraycopy(buffer, start, buffer, 0, end - start);
      end -= start;
      start = 0;
    }
    while (end - start < n) {
      int read = in.read(buffer, end, buffer.length - end);
      if (read < 0) {
        throw new EOFException(
            end == start ? "the broker closed the connection" : "the connection ended mid-frame");
      }
      end += read;
    }
  }
}
