package dev.amqpkit.amqp10.internal.protocol;

import dev.amqpkit.amqp10.internal.codec.DecodeException;
import dev.amqpkit.amqp10.types.AmqpArray;
import dev.amqpkit.amqp10.types.AmqpType;
import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.amqp10.types.DescribedValue;
import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.amqp10.types.UnsignedByte;
import dev.amqpkit.amqp10.types.UnsignedInteger;
import dev.amqpkit.amqp10.types.UnsignedLong;
import dev.amqpkit.amqp10.types.UnsignedShort;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Reads the fields of one decoded composite value (the list a described type's descriptor is
 * followed by), checking each field's type and presence. Every error is a {@link DecodeException}
 * that names the composite, the field and what was found instead.
 *
 * <p>A field past the end of the list is absent, like a null one. Elements beyond the last field
 * the type defines are ignored: a later version of the protocol may add fields.
 *
 * <p>Methods come in three forms: {@code optionalX} returns null for an absent field, {@code x}
 * with a default returns the default, and {@code mandatoryX} throws.
 *
 * <p>Not thread-safe: one per decoded value.
 */
final class FieldReader {
  private final String type;
  private final List<?> fields;
  private int lastIndex = -1;
  private String lastField = "";

  private FieldReader(String type, List<?> fields) {
    this.type = type;
    this.fields = fields;
  }

  /**
   * Returns a reader over {@code described}, which must be a list.
   *
   * @param type the composite's name in the specification, such as {@code open}, for messages
   * @throws DecodeException if {@code described} is not a list
   */
  static FieldReader of(Object described, String type) {
    if (described instanceof List<?> list) return new FieldReader(type, list);
    throw new DecodeException(
        type + " is a composite, so its described value is a list, not " + found(described), -1);
  }

  // ------------------------------------------------------------------------------- booleans

  Boolean optionalBool(int index, String field) {
    return typed(index, field, Boolean.class, "boolean");
  }

  boolean bool(int index, String field, boolean defaultValue) {
    Boolean value = optionalBool(index, field);
    return value == null ? defaultValue : value;
  }

  boolean mandatoryBool(int index, String field) {
    return present(optionalBool(index, field), index, field);
  }

  // -------------------------------------------------------------------------------- numbers

  Integer optionalUbyte(int index, String field) {
    UnsignedByte value = typed(index, field, UnsignedByte.class, "ubyte");
    return value == null ? null : value.intValue();
  }

  int ubyte(int index, String field, int defaultValue) {
    Integer value = optionalUbyte(index, field);
    return value == null ? defaultValue : value;
  }

  int mandatoryUbyte(int index, String field) {
    return present(optionalUbyte(index, field), index, field);
  }

  Integer optionalUshort(int index, String field) {
    UnsignedShort value = typed(index, field, UnsignedShort.class, "ushort");
    return value == null ? null : value.intValue();
  }

  int ushort(int index, String field, int defaultValue) {
    Integer value = optionalUshort(index, field);
    return value == null ? defaultValue : value;
  }

  int mandatoryUshort(int index, String field) {
    return present(optionalUshort(index, field), index, field);
  }

  Long optionalUint(int index, String field) {
    UnsignedInteger value = typed(index, field, UnsignedInteger.class, "uint");
    return value == null ? null : value.longValue();
  }

  long uint(int index, String field, long defaultValue) {
    UnsignedInteger value = typed(index, field, UnsignedInteger.class, "uint");
    return value == null ? defaultValue : value.longValue();
  }

  long mandatoryUint(int index, String field) {
    return present(typed(index, field, UnsignedInteger.class, "uint"), index, field).longValue();
  }

  UnsignedLong optionalUlong(int index, String field) {
    return typed(index, field, UnsignedLong.class, "ulong");
  }

  UnsignedLong mandatoryUlong(int index, String field) {
    return present(optionalUlong(index, field), index, field);
  }

  // --------------------------------------------------------------------- strings and bytes

  Symbol optionalSymbol(int index, String field) {
    return typed(index, field, Symbol.class, "symbol");
  }

  Symbol symbol(int index, String field, Symbol defaultValue) {
    Symbol value = optionalSymbol(index, field);
    return value == null ? defaultValue : value;
  }

  Symbol mandatorySymbol(int index, String field) {
    return present(optionalSymbol(index, field), index, field);
  }

  /**
   * Reads a field of {@code multiple="true"} symbols: a single symbol, or an array of symbols.
   *
   * @return the symbols, unmodifiable; null if absent
   */
  List<Symbol> optionalSymbols(int index, String field) {
    Object value = get(index, field);
    if (value == null) return null;
    if (value instanceof Symbol symbol) return List.of(symbol);
    if (value instanceof AmqpArray array
        && array.elementType() == AmqpType.SYMBOL
        && !array.isDescribed()) {
      @SuppressWarnings("unchecked") // an array of SYMBOL holds only symbols
      List<Symbol> symbols = (List<Symbol>) (List<?>) array.elements();
      return symbols;
    }
    throw wrongType(index, field, "symbol or an array of symbols", value);
  }

  List<Symbol> mandatorySymbols(int index, String field) {
    return present(optionalSymbols(index, field), index, field);
  }

  String optionalString(int index, String field) {
    return typed(index, field, String.class, "string");
  }

  String mandatoryString(int index, String field) {
    return present(optionalString(index, field), index, field);
  }

  Binary optionalBinary(int index, String field) {
    return typed(index, field, Binary.class, "binary");
  }

  Binary mandatoryBinary(int index, String field) {
    return present(optionalBinary(index, field), index, field);
  }

  Instant optionalTimestamp(int index, String field) {
    return typed(index, field, Instant.class, "timestamp");
  }

  UUID optionalUuid(int index, String field) {
    return typed(index, field, UUID.class, "uuid");
  }

  // --------------------------------------------------------------------------------- maps

  /** Reads a {@code fields} map (or a type restricting it), whose keys are symbols. */
  Map<Symbol, Object> optionalFields(int index, String field) {
    Map<?, ?> map = typed(index, field, Map.class, "map");
    if (map == null) return null;
    for (Object key : map.keySet()) {
      if (!(key instanceof Symbol)) {
        throw new DecodeException(
            where(index, field) + " is a map with symbol keys, but has the key " + found(key), -1);
      }
    }
    @SuppressWarnings("unchecked") // every key checked
    Map<Symbol, Object> fieldsMap = (Map<Symbol, Object>) map;
    return fieldsMap;
  }

  /** Reads a map with keys of any type. */
  Map<Object, Object> optionalMap(int index, String field) {
    @SuppressWarnings("unchecked") // decoded maps are Map<Object, Object>
    Map<Object, Object> map = typed(index, field, Map.class, "map");
    return map;
  }

  // ------------------------------------------------------------------------- other types

  /** Reads a field of type {@code *}: any value that provides {@code archetype}. */
  Object optionalAny(int index, String field, Archetype archetype) {
    Object value = get(index, field);
    if (value == null || archetype.accepts(value)) return value;
    throw wrongType(index, field, archetype.description(), value);
  }

  Object mandatoryAny(int index, String field, Archetype archetype) {
    return present(optionalAny(index, field, archetype), index, field);
  }

  Error optionalError(int index, String field) {
    return typed(index, field, Error.class, "error (amqp:error:list)");
  }

  /**
   * Turns the wire value of the field read last into one of a restricted type's choices, or null if
   * {@code wire} is null.
   *
   * @throws DecodeException if {@code fromWire} refuses the value, with the field named
   */
  <W, E> E choice(Function<W, E> fromWire, W wire) {
    if (wire == null) return null;
    try {
      return fromWire.apply(wire);
    } catch (DecodeException e) {
      throw new DecodeException(where(lastIndex, lastField) + ": " + e.getMessage(), -1);
    }
  }

  // --------------------------------------------------------------- restricted described types

  /**
   * Reads the value of an annotations section: a map whose keys are symbols or ulongs. A string key
   * is read as the symbol it should have been: RabbitMQ 3.10 sends {@code x-stream-offset} as a
   * string.
   *
   * @throws DecodeException if {@code described} is not such a map
   */
  static Map<Object, Object> annotations(Object described, String type) {
    Map<Object, Object> map = map(described, type);
    boolean strings = false;
    for (Object key : map.keySet()) {
      if (key instanceof String) {
        strings = true;
      } else if (!(key instanceof Symbol) && !(key instanceof UnsignedLong)) {
        throw new DecodeException(
            type + " is a map with symbol or ulong keys, but has the key " + found(key), -1);
      }
    }
    if (!strings) return map;
    Map<Object, Object> symbols = new java.util.LinkedHashMap<>();
    for (Map.Entry<Object, Object> e : map.entrySet()) {
      Object key = e.getKey() instanceof String k ? Symbol.valueOf(k) : e.getKey();
      if (symbols.putIfAbsent(key, e.getValue()) != null) {
        throw new DecodeException(type + " has the key " + found(key) + " twice", -1);
      }
    }
    return symbols;
  }

  /**
   * Reads the value of an application-properties section: a map whose keys are strings.
   *
   * @throws DecodeException if {@code described} is not such a map
   */
  static Map<String, Object> stringKeyedMap(Object described, String type) {
    Map<Object, Object> map = map(described, type);
    for (Object key : map.keySet()) {
      if (!(key instanceof String)) {
        throw new DecodeException(
            type + " is a map with string keys, but has the key " + found(key), -1);
      }
    }
    @SuppressWarnings("unchecked") // every key checked
    Map<String, Object> stringKeyed = (Map<String, Object>) (Map<?, ?>) map;
    return stringKeyed;
  }

  /** Reads a described value that must be a map. */
  static Map<Object, Object> map(Object described, String type) {
    if (described instanceof Map<?, ?> map) {
      @SuppressWarnings("unchecked") // decoded maps are Map<Object, Object>
      Map<Object, Object> objects = (Map<Object, Object>) map;
      return objects;
    }
    throw new DecodeException(type + " is a map, not " + found(described), -1);
  }

  /** Reads a described value that must be a list. */
  static List<Object> list(Object described, String type) {
    if (described instanceof List<?> list) {
      @SuppressWarnings("unchecked") // decoded lists are List<Object>
      List<Object> objects = (List<Object>) list;
      return objects;
    }
    throw new DecodeException(type + " is a list, not " + found(described), -1);
  }

  /** Reads a described value that must be a binary. */
  static Binary binary(Object described, String type) {
    if (described instanceof Binary binary) return binary;
    throw new DecodeException(type + " is a binary, not " + found(described), -1);
  }

  // ---------------------------------------------------------------------------- internals

  private Object get(int index, String field) {
    lastIndex = index;
    lastField = field;
    return index < fields.size() ? fields.get(index) : null;
  }

  private <T> T typed(int index, String field, Class<T> javaType, String amqpType) {
    Object value = get(index, field);
    if (value == null || javaType.isInstance(value)) return javaType.cast(value);
    throw wrongType(index, field, amqpType, value);
  }

  private <T> T present(T value, int index, String field) {
    if (value != null) return value;
    String how =
        index < fields.size()
            ? "null"
            : "absent (the list has "
                + fields.size()
                + (fields.size() == 1 ? " field)" : " fields)");
    throw new DecodeException(where(index, field) + " is mandatory but " + how, -1);
  }

  private DecodeException wrongType(int index, String field, String expected, Object value) {
    return new DecodeException(
        where(index, field) + " must be " + article(expected) + ", not " + found(value), -1);
  }

  private String where(int index, String field) {
    return type + " field " + field + " (index " + index + ")";
  }

  /** {@code noun} with its indefinite article ("a uint": no AMQP type name starts with a "un"). */
  static String article(String noun) {
    return ("aeio".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
  }

  /** Says what {@code value} is, for an error: its AMQP type and, abbreviated, its value. */
  static String found(Object value) {
    if (value == null) return "null";
    if (value instanceof DescribedValue described) {
      return "a value described by " + described.descriptor();
    }
    if (value instanceof Record) {
      return "a described " + value.getClass().getSimpleName();
    }
    if (value instanceof List<?> list) {
      return "a list of " + list.size() + (list.size() == 1 ? " element" : " elements");
    }
    if (value instanceof Map<?, ?> map) {
      return "a map of " + map.size() + (map.size() == 1 ? " entry" : " entries");
    }
    if (value instanceof AmqpArray array) {
      return "an array of " + array.size() + " " + array.elementType().name().toLowerCase();
    }
    for (AmqpType type : AmqpType.values()) {
      if (type != AmqpType.NULL && type.isInstance(value)) {
        String shown = value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
        if (shown.length() > 40) shown = shown.substring(0, 37) + "...";
        return article(type.name().toLowerCase()) + " " + shown;
      }
    }
    return "a " + value.getClass().getName();
  }
}
