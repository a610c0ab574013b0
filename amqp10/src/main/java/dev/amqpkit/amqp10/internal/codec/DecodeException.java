package dev.amqpkit.amqp10.internal.codec;

/**
 * Bytes that are not a valid AMQP 1.0 encoding, or exceed a decoder limit: a truncated value, a
 * size or count that does not fit, nesting too deep, an odd map count, a duplicate map key, bad
 * UTF-8, a non-ASCII symbol, an unknown format code, or a described value its registered codec
 * rejects. The message says what was wrong; {@link #offset()} says where.
 */
public final class DecodeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int offset;

  public DecodeException(String problem, int offset) {
    this(problem, offset, null);
  }

  public DecodeException(String problem, int offset, Throwable cause) {
    super(offset < 0 ? problem : problem + " (at offset " + offset + ")", cause, false, false);
    this.offset = offset;
  }

  /**
   * The index, in the decoded buffer, of the constructor or field that is wrong, or -1 when a codec
   * reports a problem it cannot place (the message then has no offset: the decoder, which wraps it,
   * adds the offset of the described value).
   */
  public int offset() {
    return offset;
  }
}
