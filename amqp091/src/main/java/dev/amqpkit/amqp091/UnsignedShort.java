package dev.amqpkit.amqp091;

/**
 * A field-table value of type unsigned 16-bit integer (tag {@code u}), kept apart from {@code
 * Short} and {@code Integer} so that it is encoded back with the same tag; see {@link
 * UnsignedByte}.
 *
 * @param value 0 to 65,535
 */
public record UnsignedShort(int value) {
  /**
   * @throws IllegalArgumentException if {@code value} is outside 0..65535
   */
  public UnsignedShort {
    if (value < 0 || value > 0xFFFF) {
      throw new IllegalArgumentException("an unsigned short is 0..65535: " + value);
    }
  }
}
