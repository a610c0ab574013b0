package dev.amqpkit.amqp091;

/**
 * A field-table value of type unsigned 32-bit integer (tag {@code i}), kept apart from {@code
 * Integer} and {@code Long} so that it is encoded back with the same tag; see {@link UnsignedByte}.
 *
 * @param value 0 to 4,294,967,295
 */
public record UnsignedInt(long value) {
  /**
   * @throws IllegalArgumentException if {@code value} is outside 0..4294967295
   */
  public UnsignedInt {
    if (value < 0 || value > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("an unsigned int is 0..4294967295: " + value);
    }
  }
}
