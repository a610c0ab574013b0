package dev.amqpkit.amqp10.types;

/**
 * An AMQP {@code char}: one Unicode code point, encoded as UTF-32. Unlike a Java {@code char} it
 * holds any code point, including those outside the Basic Multilingual Plane.
 *
 * <p>Immutable and thread-safe.
 */
public final class AmqpChar implements Comparable<AmqpChar> {
  private static final AmqpChar[] ASCII = new AmqpChar[128];

  static {
    for (int i = 0; i < ASCII.length; i++) ASCII[i] = new AmqpChar(i);
  }

  private final int codePoint;

  private AmqpChar(int codePoint) {
    this.codePoint = codePoint;
  }

  /**
   * Returns the character for {@code codePoint}.
   *
   * @throws IllegalArgumentException if {@code codePoint} is above U+10FFFF, negative, or a
   *     surrogate (U+D800 to U+DFFF), none of which UTF-32 can carry
   */
  public static AmqpChar valueOf(int codePoint) {
    if (codePoint >= 0 && codePoint < ASCII.length) return ASCII[codePoint];
    if (!isValid(codePoint)) {
      throw new IllegalArgumentException(
          String.format("a char is a Unicode scalar value, not 0x%X", codePoint));
    }
    return new AmqpChar(codePoint);
  }

  /** Whether {@code codePoint} is a Unicode scalar value: in range and not a surrogate. */
  public static boolean isValid(int codePoint) {
    return codePoint >= 0
        && codePoint <= Character.MAX_CODE_POINT
        && (codePoint < Character.MIN_SURROGATE || codePoint > Character.MAX_SURROGATE);
  }

  public int codePoint() {
    return codePoint;
  }

  @Override
  public int compareTo(AmqpChar other) {
    return Integer.compare(codePoint, other.codePoint);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AmqpChar other && codePoint == other.codePoint;
  }

  @Override
  public int hashCode() {
    return codePoint;
  }

  /** The character itself, as a string of one or two Java chars. */
  @Override
  public String toString() {
    return Character.toString(codePoint);
  }
}
