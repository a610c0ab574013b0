package dev.amqpkit.amqp10.types;

import java.util.concurrent.ConcurrentHashMap;

/**
 * An AMQP {@code symbol}: a name from a constrained domain (capabilities, error conditions,
 * annotation keys, descriptors), encoded as ASCII.
 *
 * <p>Immutable and thread-safe. Compared by content; {@link #valueOf} returns the same instance for
 * a name it has seen before, up to a bounded number of distinct names.
 */
public final class Symbol implements Comparable<Symbol> {
  /**
   * About how many distinct names {@link #valueOf} keeps (a race may add a few more); past this it
   * still works, without sharing instances.
   */
  static final int INTERN_LIMIT = 1024;

  private static final ConcurrentHashMap<String, Symbol> INTERNED = new ConcurrentHashMap<>();

  private final String value;

  private Symbol(String value) {
    this.value = value;
  }

  /**
   * Returns the symbol for {@code value}, reusing an interned instance when there is one.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if {@code value} has a character outside ASCII (0 to 127)
   */
  public static Symbol valueOf(String value) {
    if (value == null) throw new NullPointerException("value == null");
    Symbol interned = INTERNED.get(value);
    if (interned != null) return interned;
    for (int i = 0, n = value.length(); i < n; i++) {
      char c = value.charAt(i);
      if (c > 0x7F) {
        throw new IllegalArgumentException(
            String.format(
                "a symbol is ASCII, but character %d of \"%s\" is U+%04X", i, value, (int) c));
      }
    }
    Symbol symbol = new Symbol(value);
    if (INTERNED.size() < INTERN_LIMIT) {
      Symbol raced = INTERNED.putIfAbsent(value, symbol);
      if (raced != null) return raced;
    }
    return symbol;
  }

  /** The number of characters, which is also the number of bytes it encodes to. */
  public int length() {
    return value.length();
  }

  @Override
  public int compareTo(Symbol other) {
    return value.compareTo(other.value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Symbol other && value.equals(other.value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  /** The name itself. */
  @Override
  public String toString() {
    return value;
  }
}
