package dev.amqpkit.amqp10.types;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An AMQP {@code array}: a sequence of values of one type, written on the wire with one shared
 * constructor. Unlike a {@code list}, whose elements each carry their own type, every element here
 * has the element type; an array of described values shares its descriptor too.
 *
 * <p>The element type is part of the value: an array of {@code ubyte} and an array of {@code int}
 * with the same numbers are different arrays, and each decodes back to itself. Which of a type's
 * encodings carries the elements (say {@code smalluint} or {@code uint}) is not part of the value:
 * decoding accepts any of them, and encoding picks the narrowest that holds every element.
 *
 * <p>Immutable and thread-safe when its elements are. The elements list is unmodifiable and may
 * hold {@code null} only in an array of {@link AmqpType#NULL}.
 */
public final class AmqpArray {
  private final List<Object> descriptors;
  private final AmqpType elementType;
  private final List<Object> elements;

  private AmqpArray(List<Object> descriptors, AmqpType elementType, List<Object> elements) {
    this.descriptors = descriptors;
    this.elementType = elementType;
    this.elements = elements;
  }

  /**
   * Returns an array of {@code elementType} holding a copy of {@code elements}.
   *
   * @throws NullPointerException if {@code elementType} or {@code elements} is null
   * @throws IllegalArgumentException if an element is not a value of {@code elementType} (see
   *     {@link AmqpType#javaType()}), naming the first such element
   */
  public static AmqpArray of(AmqpType elementType, List<?> elements) {
    return ofNestedDescribed(List.of(), elementType, elements);
  }

  /**
   * Returns an array of values described by {@code descriptor}, each described value of type {@code
   * valueType}. An element is a {@link DescribedValue} with that descriptor, or an object of a
   * described type that a codec layer knows how to write (checked when the array is encoded).
   *
   * @throws NullPointerException if an argument or an element is null
   * @throws IllegalArgumentException if {@code descriptor} is neither a {@link Symbol} nor an
   *     {@link UnsignedLong}, or a {@code DescribedValue} element has another descriptor or a value
   *     not of {@code valueType}
   */
  public static AmqpArray ofDescribed(Object descriptor, AmqpType valueType, List<?> elements) {
    return ofNestedDescribed(Collections.singletonList(descriptor), valueType, elements);
  }

  /**
   * Returns an array whose element constructor has several descriptors, outermost first: each
   * element is described by the first, its value by the second, and so on down to a value of {@code
   * valueType}. Rare on the wire; {@link #ofDescribed} covers the usual case of one.
   *
   * @throws NullPointerException if an argument, a descriptor or an element is null
   * @throws IllegalArgumentException as for {@link #ofDescribed}, at every level
   */
  public static AmqpArray ofNestedDescribed(
      List<?> descriptors, AmqpType valueType, List<?> elements) {
    if (descriptors == null) throw new NullPointerException("descriptors == null");
    if (valueType == null) throw new NullPointerException("elementType == null");
    if (elements == null) throw new NullPointerException("elements == null");
    for (Object descriptor : descriptors) DescribedValue.checkDescriptor(descriptor);
    List<Object> copiedDescriptors = List.copyOf(descriptors);
    List<Object> copy = new ArrayList<>(elements);
    for (int i = 0; i < copy.size(); i++) check(copiedDescriptors, valueType, i, copy.get(i));
    return new AmqpArray(copiedDescriptors, valueType, Collections.unmodifiableList(copy));
  }

  private static void check(List<Object> descriptors, AmqpType type, int index, Object element) {
    Object value = element;
    for (Object descriptor : descriptors) {
      if (value == null) {
        throw new NullPointerException("element " + index + " of a described array is null");
      }
      if (!(value instanceof DescribedValue described)) return; // a codec layer's own type
      if (!described.descriptor().equals(descriptor)) {
        throw new IllegalArgumentException(
            "element "
                + index
                + " has descriptor "
                + described.descriptor()
                + " where the array has "
                + descriptor);
      }
      value = described.value();
    }
    if (!type.isInstance(value)) {
      throw new IllegalArgumentException(
          "element "
              + index
              + " of an array of "
              + type.name().toLowerCase()
              + " is "
              + (value == null ? "null" : "a " + value.getClass().getName()));
    }
  }

  /** The type of the elements or, in an array of described values, of the innermost values. */
  public AmqpType elementType() {
    return elementType;
  }

  /** Whether the elements are described values. */
  public boolean isDescribed() {
    return !descriptors.isEmpty();
  }

  /** The descriptors of the element constructor, outermost first; empty if not described. */
  public List<Object> descriptors() {
    return descriptors;
  }

  /** The elements, unmodifiable. */
  public List<Object> elements() {
    return elements;
  }

  public int size() {
    return elements.size();
  }

  /**
   * Returns the element at {@code index}.
   *
   * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, size())}
   */
  public Object get(int index) {
    return elements.get(index);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AmqpArray other
        && elementType == other.elementType
        && descriptors.equals(other.descriptors)
        && elements.equals(other.elements);
  }

  @Override
  public int hashCode() {
    return (31 * elementType.hashCode() + descriptors.hashCode()) * 31 + elements.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("Array[");
    for (Object descriptor : descriptors) s.append("described ").append(descriptor).append(' ');
    return s.append(elementType.name().toLowerCase())
        .append(": ")
        .append(elements)
        .append(']')
        .toString();
  }
}
