package dev.amqpkit.amqp10.internal.protocol;

import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.amqp10.types.UnsignedLong;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks the protocol records' constructors run on their fields: numbers in the range of their
 * AMQP type, mandatory fields present, map keys of the right type, and lists and maps copied into
 * unmodifiable ones (keeping order and null values, which AMQP allows).
 *
 * <p>Stateless.
 */
final class FieldChecks {
  private FieldChecks() {}

  static <T> T mandatory(T value, String name) {
    if (value == null) throw new NullPointerException(name + " == null");
    return value;
  }

  static int ubyte(int value, String name) {
    if (value < 0 || value > 0xFF) {
      throw new IllegalArgumentException(name + " is a ubyte, 0..255, not " + value);
    }
    return value;
  }

  static Integer ubyte(Integer value, String name) {
    if (value != null) ubyte(value.intValue(), name);
    return value;
  }

  static int ushort(int value, String name) {
    if (value < 0 || value > 0xFFFF) {
      throw new IllegalArgumentException(name + " is a ushort, 0..65535, not " + value);
    }
    return value;
  }

  static Integer ushort(Integer value, String name) {
    if (value != null) ushort(value.intValue(), name);
    return value;
  }

  static long uint(long value, String name) {
    if (value < 0 || value > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(name + " is a uint, 0..4294967295, not " + value);
    }
    return value;
  }

  static Long uint(Long value, String name) {
    if (value != null) uint(value.longValue(), name);
    return value;
  }

  /** Returns an unmodifiable copy of {@code symbols}, or null if it is null. */
  static List<Symbol> symbols(List<Symbol> symbols, String name) {
    if (symbols == null) return null;
    List<Symbol> copy = new ArrayList<>(symbols);
    for (int i = 0; i < copy.size(); i++) {
      Object symbol = copy.get(i);
      if (symbol == null) throw new NullPointerException(name + " has null at index " + i);
      if (!(symbol instanceof Symbol)) {
        throw new IllegalArgumentException(
            name + " holds symbols, but index " + i + " is a " + symbol.getClass().getName());
      }
    }
    return Collections.unmodifiableList(copy);
  }

  /** Returns an unmodifiable copy of a map whose keys must be symbols, or null if it is null. */
  static Map<Symbol, Object> fields(Map<Symbol, Object> map, String name) {
    return copy(map, name, Symbol.class, null, "symbols");
  }

  /** Returns an unmodifiable copy of a map whose keys must be strings, or null if it is null. */
  static Map<String, Object> stringKeyed(Map<String, Object> map, String name) {
    return copy(map, name, String.class, null, "strings");
  }

  /**
   * Returns an unmodifiable copy of a map of annotations, whose keys must be symbols or ulongs, or
   * null if it is null.
   */
  static Map<Object, Object> annotations(Map<Object, Object> map, String name) {
    return copy(map, name, Symbol.class, UnsignedLong.class, "symbols or ulongs");
  }

  /** Returns an unmodifiable copy of a map with keys of any type, or null if it is null. */
  static Map<Object, Object> map(Map<Object, Object> map, String name) {
    return copy(map, name, Object.class, null, "");
  }

  /** Returns an unmodifiable copy of {@code list}, which may hold nulls, or null if it is null. */
  static List<Object> list(List<Object> list) {
    return list == null ? null : Collections.unmodifiableList(new ArrayList<>(list));
  }

  /**
   * Returns {@code value} if it may stand in a field that requires {@code archetype}.
   *
   * @throws IllegalArgumentException if it may not
   */
  static Object any(Object value, Archetype archetype, String name) {
    if (value != null && !archetype.accepts(value)) {
      throw new IllegalArgumentException(
          name
              + " must be "
              + FieldReader.article(archetype.description())
              + ", not "
              + FieldReader.found(value));
    }
    return value;
  }

  private static <K> Map<K, Object> copy(
      Map<K, Object> map, String name, Class<?> keyType, Class<?> otherKeyType, String keys) {
    if (map == null) return null;
    Map<K, Object> copy = new LinkedHashMap<>(map);
    for (Object key : copy.keySet()) {
      if (key == null) throw new NullPointerException(name + " has a null key");
      if (!keyType.isInstance(key) && (otherKeyType == null || !otherKeyType.isInstance(key))) {
        throw new IllegalArgumentException(
            name + " has keys that are " + keys + ", but one is " + FieldReader.found(key));
      }
    }
    return Collections.unmodifiableMap(copy);
  }
}
