package dev.amqpkit.msg.decorate;

/**
 * A received body decoded to more bytes than the limit allows (a compression bomb, or a limit set
 * too low). Decoding stopped at the limit, so no more than that was held in memory.
 */
public final class DecodedBodyTooLargeException extends ContentDecodingException {
  private static final long serialVersionUID = 1L;

  private final long limit;

  /**
   * @param encoding the token of the coding whose output went over the limit
   * @param limit the most bytes a decoded body may have
   */
  public DecodedBodyTooLargeException(String encoding, long limit) {
    super(
        encoding,
        "message body decoded from "
            + encoding
            + " goes over "
            + limit
            + " bytes, the most the receiver decodes",
        null);
    this.limit = limit;
  }

  /** The most bytes a decoded body may have. */
  public long limit() {
    return limit;
  }
}
