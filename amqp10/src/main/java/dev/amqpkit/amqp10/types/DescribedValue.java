package dev.amqpkit.amqp10.types;

import java.util.Objects;

/**
 * An AMQP described value: a descriptor that says what the value means, and the value itself.
 * Decoding yields one for every descriptor no layer has registered, so that a value of a type we do
 * not know survives a decode and re-encode intact.
 *
 * <p>Immutable and thread-safe when its value is (decoded lists and maps are unmodifiable).
 */
public final class DescribedValue {
  private final Object descriptor;
  private final Object value;

  private DescribedValue(Object descriptor, Object value) {
    this.descriptor = descriptor;
    this.value = value;
  }

  /**
   * Returns {@code value} described by {@code descriptor}.
   *
   * @param descriptor a {@link Symbol} (such as {@code amqp:open:list}) or an {@link UnsignedLong}
   *     (domain id in the high 32 bits, descriptor id in the low 32)
   * @param value any AMQP value, or null
   * @throws NullPointerException if {@code descriptor} is null
   * @throws IllegalArgumentException if {@code descriptor} is neither a symbol nor an unsigned long
   *     (the specification reserves all other descriptors)
   */
  public static DescribedValue of(Object descriptor, Object value) {
    checkDescriptor(descriptor);
    return new DescribedValue(descriptor, value);
  }

  static void checkDescriptor(Object descriptor) {
    if (descriptor == null) throw new NullPointerException("descriptor == null");
    if (!(descriptor instanceof Symbol) && !(descriptor instanceof UnsignedLong)) {
      throw new IllegalArgumentException(
          "a descriptor is a Symbol or an UnsignedLong, not a " + descriptor.getClass().getName());
    }
  }

  /** The descriptor: a {@link Symbol} or an {@link UnsignedLong}. */
  public Object descriptor() {
    return descriptor;
  }

  /** The described value; may be null. */
  public Object value() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DescribedValue other
        && descriptor.equals(other.descriptor)
        && Objects.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return 31 * descriptor.hashCode() + Objects.hashCode(value);
  }

  @Override
  public String toString() {
    return "Described[" + descriptor + ": " + value + "]";
  }
}
