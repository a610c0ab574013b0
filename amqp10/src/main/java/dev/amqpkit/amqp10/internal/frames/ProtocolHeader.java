package dev.amqpkit.amqp10.internal.frames;

import dev.amqpkit.amqp10.ErrorConditions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The 8-byte protocol headers that start each layer of an AMQP 1.0 connection: {@code "AMQP"}, a
 * protocol id, and version 1.0.0. A client sends one and the server answers with the same one when
 * it agrees, or with the header it would accept before closing the connection.
 */
public enum ProtocolHeader {
  /** Protocol id 0: the AMQP layer itself. */
  AMQP(0),
  /** Protocol id 2: a TLS layer negotiated in band, before the next header. */
  TLS(2),
  /** Protocol id 3: the SASL layer. */
  SASL(3);

  /** The length of every protocol header. */
  public static final int SIZE = 8;

  private static final int MAJOR = 1;
  private static final int MINOR = 0;
  private static final int REVISION = 0;

  private final int protocolId;

  ProtocolHeader(int protocolId) {
    this.protocolId = protocolId;
  }

  /** The protocol id byte. */
  public int protocolId() {
    return protocolId;
  }

  /** Returns the 8 bytes of this header, in a new array. */
  public byte[] toByteArray() {
    return new byte[] {'A', 'M', 'Q', 'P', (byte) protocolId, MAJOR, MINOR, REVISION};
  }

  /**
   * Puts the 8 bytes of this header into {@code target} at its position, advancing it.
   *
   * @throws java.nio.BufferOverflowException if fewer than 8 bytes remain in {@code target}
   */
  public void writeTo(ByteBuffer target) {
    target.put(toByteArray());
  }

  /**
   * Reads the protocol header the peer sent from {@code in}'s position.
   *
   * @return the header, with the position moved past its 8 bytes; or null, consuming nothing, if
   *     fewer than 8 bytes remain
   * @throws FrameException with {@code amqp:connection:framing-error}, consuming nothing, if the 8
   *     bytes are not an AMQP 1.0 protocol header; the message says what the peer speaks instead
   *     when it can tell (AMQP 0-9-1, TLS, HTTP...)
   */
  public static ProtocolHeader read(ByteBuffer in) {
    if (in.remaining() < SIZE) return null;
    int at = in.position();
    byte[] bytes = new byte[SIZE];
    in.get(at, bytes);
    ProtocolHeader header = parse(bytes);
    in.position(at + SIZE);
    return header;
  }

  /**
   * Returns the header {@code bytes} hold.
   *
   * @throws FrameException as {@link #read} does
   * @throws IllegalArgumentException if {@code bytes} is not 8 bytes long
   */
  public static ProtocolHeader parse(byte[] bytes) {
    if (bytes.length != SIZE) {
      throw new IllegalArgumentException("a protocol header is 8 bytes, not " + bytes.length);
    }
    if (!startsWithAmqp(bytes)) throw notAmqp(bytes);
    int id = bytes[4] & 0xFF;
    int major = bytes[5] & 0xFF;
    int minor = bytes[6] & 0xFF;
    int revision = bytes[7] & 0xFF;
    String older = olderAmqp(id, major, minor, revision);
    if (older != null) {
      throw framingError(
          "the peer speaks " + older + ", not AMQP 1.0: it sent the protocol header " + hex(bytes));
    }
    for (ProtocolHeader header : values()) {
      if (header.protocolId == id) {
        if (major == MAJOR && minor == MINOR && revision == REVISION) return header;
        throw framingError(
            String.format(
                "the peer speaks AMQP %d.%d.%d (protocol id %d), not 1.0.0: it sent the protocol"
                    + " header %s",
                major, minor, revision, id, hex(bytes)));
      }
    }
    throw framingError(
        "the peer sent a protocol header with the unknown protocol id "
            + id
            + " (0 is AMQP, 2 TLS, 3 SASL): "
            + hex(bytes));
  }

  private static boolean startsWithAmqp(byte[] bytes) {
    return bytes[0] == 'A' && bytes[1] == 'M' && bytes[2] == 'Q' && bytes[3] == 'P';
  }

  /** The name of the pre-1.0 AMQP version whose header ends with these bytes, or null. */
  private static String olderAmqp(int id, int major, int minor, int revision) {
    if (id == 0 && major == 0 && minor == 9 && revision == 1) return "AMQP 0-9-1";
    if (id == 1 && major == 1 && minor == 0 && revision == 9) return "AMQP 0-9";
    if (id == 1 && major == 1 && minor == 0 && revision == 10) return "AMQP 0-10";
    if (id == 1 && major == 1 && minor == 8 && revision == 0) return "AMQP 0-8";
    return null;
  }

  private static FrameException notAmqp(byte[] bytes) {
    String what;
    if ((bytes[0] == 0x15 || bytes[0] == 0x16) && bytes[1] == 0x03) {
      what = "a TLS record: the port expects TLS (amqps), and the connection was not encrypted";
    } else if (startsWith(bytes, "HTTP/")) {
      what = "an HTTP response: the port is an HTTP server's";
    } else if (startsWith(bytes, "SSH-")) {
      what = "an SSH banner: the port is an SSH server's";
    } else {
      what = "no AMQP protocol header";
    }
    return framingError("the peer sent " + what + ": its first bytes are " + hex(bytes));
  }

  private static boolean startsWith(byte[] bytes, String prefix) {
    byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < p.length; i++) {
      if (bytes[i] != p[i]) return false;
    }
    return true;
  }

  private static FrameException framingError(String message) {
    return new FrameException(ErrorConditions.CONNECTION_FRAMING_ERROR, message);
  }

  /**
   * The bytes in hex, with the printable ones also shown as text: {@code 41 4d 51 50 ... "AMQP"}.
   */
  private static String hex(byte[] bytes) {
    StringBuilder hex = new StringBuilder();
    StringBuilder text = new StringBuilder();
    for (byte b : bytes) {
      if (hex.length() > 0) hex.append(' ');
      hex.append(String.format("%02x", b & 0xFF));
      text.append(b >= 0x20 && b < 0x7F ? (char) b : '.');
    }
    return hex + " (\"" + text + "\")";
  }
}
