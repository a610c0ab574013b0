package dev.amqpkit.amqp10;

import dev.amqpkit.amqp10.types.Binary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The application data of a message: one or more {@code data} sections (opaque bytes), one or more
 * {@code amqp-sequence} sections (lists of AMQP values), or a single {@code amqp-value} section
 * (any AMQP value). The three kinds never mix in one message.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface Body {

  /** One or more {@code data} sections; most messages carry exactly one. */
  record Data(List<Binary> sections) implements Body {
    /**
     * @throws NullPointerException if {@code sections} or one of them is null
     * @throws IllegalArgumentException if {@code sections} is empty
     */
    public Data {
      sections = immutableNonEmpty(sections, "sections");
    }

    /** The bytes of all sections, concatenated: for the usual single section, its bytes. */
    public byte[] bytes() {
      if (sections.size() == 1) return sections.get(0).toByteArray();
      int size = 0;
      for (Binary b : sections) size = Math.addExact(size, b.length());
      byte[] all = new byte[size];
      int at = 0;
      for (Binary b : sections) {
        b.copyTo(all, at);
        at += b.length();
      }
      return all;
    }
  }

  /** One or more {@code amqp-sequence} sections, each a list of AMQP values. */
  record Sequence(List<List<Object>> sections) implements Body {
    /**
     * @throws NullPointerException if {@code sections} or one of them is null
     * @throws IllegalArgumentException if {@code sections} is empty
     */
    public Sequence {
      List<List<Object>> copy = new ArrayList<>();
      for (List<Object> s : immutableNonEmpty(sections, "sections")) {
        copy.add(Collections.unmodifiableList(new ArrayList<>(s)));
      }
      sections = Collections.unmodifiableList(copy);
    }
  }

  /**
   * A single {@code amqp-value} section: any AMQP value, {@code null} included, such as a string, a
   * map or a described value.
   */
  record Value(Object value) implements Body {}

  private static <T> List<T> immutableNonEmpty(List<T> list, String name) {
    Objects.requireNonNull(list, name + " == null");
    if (list.isEmpty()) throw new IllegalArgumentException(name + " is empty");
    for (T item : list) Objects.requireNonNull(item, name + " holds a null");
    return List.copyOf(list);
  }
}
