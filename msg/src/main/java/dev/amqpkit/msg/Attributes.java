package dev.amqpkit.msg;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The metadata of a message: keys, each with one or more string values, in the order they were
 * first set.
 *
 * <p>Keys are case-insensitive the way MIME and HTTP header names are: every method puts the key in
 * canonical form first ({@link #canonicalKey}), so {@code get("content-type")} finds what {@code
 * set("Content-Type", ...)} stored. A key with a character outside the HTTP token set (a space, a
 * colon, a non-ASCII letter) is kept exactly as given, so odd keys survive intact.
 *
 * <p>Not thread-safe: like a map, an instance belongs to one thread at a time (a message being
 * written, or being received).
 */
public final class Attributes {
  private final LinkedHashMap<String, List<String>> values;

  /** Empty attributes. */
  public Attributes() {
    this.values = new LinkedHashMap<>();
  }

  private Attributes(LinkedHashMap<String, List<String>> values) {
    this.values = values;
  }

  /**
   * Attributes holding the given keys and values, in pairs: {@code of("Content-Type", "text/plain",
   * "X-Id", "7")}; a key given twice gets both values.
   *
   * @throws IllegalArgumentException if the number of arguments is odd
   */
  public static Attributes of(String... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException(
          "keys and values come in pairs: " + keysAndValues.length + " arguments");
    }
    Attributes attributes = new Attributes();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      attributes.add(keysAndValues[i], keysAndValues[i + 1]);
    }
    return attributes;
  }

  /**
   * The first value of {@code key}, or empty if it has none.
   *
   * @throws NullPointerException if {@code key} is null
   */
  public Optional<String> get(String key) {
    List<String> list = values.get(canonicalKey(key));
    return list == null ? Optional.empty() : Optional.of(list.get(0));
  }

  /** Every value of {@code key} in order, or an empty list; the list cannot be modified. */
  public List<String> getAll(String key) {
    List<String> list = values.get(canonicalKey(key));
    return list == null ? List.of() : Collections.unmodifiableList(list);
  }

  /** Whether {@code key} has a value. */
  public boolean contains(String key) {
    return values.containsKey(canonicalKey(key));
  }

  /**
   * Makes {@code value} the one value of {@code key}, replacing any it had.
   *
   * @return this, for chaining
   */
  public Attributes set(String key, String value) {
    Objects.requireNonNull(value, "value == null");
    List<String> list = new ArrayList<>(1);
    list.add(value);
    values.put(canonicalKey(key), list);
    return this;
  }

  /**
   * Makes {@code newValues} the values of {@code key}, replacing any it had; an empty list removes
   * the key.
   *
   * @return this, for chaining
   * @throws NullPointerException if a value is null
   */
  public Attributes setAll(String key, List<String> newValues) {
    String canonical = canonicalKey(key);
    if (newValues.isEmpty()) {
      values.remove(canonical);
      return this;
    }
    List<String> list = new ArrayList<>(newValues.size());
    for (String value : newValues) list.add(Objects.requireNonNull(value, "value == null"));
    values.put(canonical, list);
    return this;
  }

  /**
   * Adds {@code value} after the values {@code key} already has.
   *
   * @return this, for chaining
   */
  public Attributes add(String key, String value) {
    Objects.requireNonNull(value, "value == null");
    values.computeIfAbsent(canonicalKey(key), k -> new ArrayList<>(1)).add(value);
    return this;
  }

  /**
   * Adds every value of {@code other} after those already here, key by key.
   *
   * @return this, for chaining
   */
  public Attributes addAll(Attributes other) {
    for (Map.Entry<String, List<String>> e : other.values.entrySet()) {
      values
          .computeIfAbsent(e.getKey(), k -> new ArrayList<>(e.getValue().size()))
          .addAll(e.getValue());
    }
    return this;
  }

  /**
   * Removes {@code key} and its values.
   *
   * @return whether it was there
   */
  public boolean remove(String key) {
    return values.remove(canonicalKey(key)) != null;
  }

  /** The keys, canonical, in the order they were first set; a read-only view. */
  public Set<String> keys() {
    return Collections.unmodifiableSet(values.keySet());
  }

  /** The number of keys. */
  public int size() {
    return values.size();
  }

  /** Whether there is no key. */
  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** A copy that shares nothing with this one. */
  public Attributes copy() {
    LinkedHashMap<String, List<String>> copy =
        new LinkedHashMap<>((int) (values.size() / 0.75f) + 1);
    for (Map.Entry<String, List<String>> e : values.entrySet()) {
      copy.put(e.getKey(), new ArrayList<>(e.getValue()));
    }
    return new Attributes(copy);
  }

  /** A read-only copy as a map from canonical key to values. */
  public Map<String, List<String>> toMap() {
    LinkedHashMap<String, List<String>> map = new LinkedHashMap<>();
    values.forEach((k, v) -> map.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(map);
  }

  /**
   * The canonical form of a key, as Go's {@code textproto.CanonicalMIMEHeaderKey} and HTTP/1.1
   * write header names: the first letter and each letter after a hyphen in upper case, the others
   * in lower case ({@code "content-type"} becomes {@code "Content-Type"}). A key holding a
   * character that is not an HTTP token character (a space, a colon, anything outside ASCII) is
   * returned unchanged.
   *
   * @throws NullPointerException if {@code key} is null
   */
  public static String canonicalKey(String key) {
    Objects.requireNonNull(key, "key == null");
    boolean upper = true;
    boolean canonical = true;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (!isTokenChar(c)) return key;
      if (upper ? (c >= 'a' && c <= 'z') : (c >= 'A' && c <= 'Z')) canonical = false;
      upper = c == '-';
    }
    if (canonical) return key;
    char[] chars = key.toCharArray();
    upper = true;
    for (int i = 0; i < chars.length; i++) {
      char c = chars[i];
      if (upper && c >= 'a' && c <= 'z') {
        chars[i] = (char) (c - ('a' - 'A'));
      } else if (!upper && c >= 'A' && c <= 'Z') {
        chars[i] = (char) (c + ('a' - 'A'));
      }
      upper = c == '-';
    }
    return new String(chars);
  }

  private static boolean isTokenChar(char c) {
    if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') return true;
    return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Attributes other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
