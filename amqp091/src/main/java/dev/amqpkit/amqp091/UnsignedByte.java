package dev.amqpkit.amqp091;

/**
 * A field-table value of type unsigned 8-bit integer (tag {@code B}): decoded to this type, and
 * encoded back with the same tag, so a header travels through amqpkit unchanged. RabbitMQ compares
 * typed values, in a headers exchange for instance, so {@code 7} as {@code B} is not {@code 7} as
 * {@code I}.
 *
 * @param value 0 to 255
 */
public record UnsignedByte(int value) {
  /**
   * @throws IllegalArgumentException if {@code value} is outside 0..255
   */
  public UnsignedByte {
    if (value < 0 || value > 0xFF) {
      throw new IllegalArgumentException("an unsigned byte is 0..255: " + value);
    }
  }
}
