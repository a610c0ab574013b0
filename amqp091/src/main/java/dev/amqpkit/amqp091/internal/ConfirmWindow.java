package dev.amqpkit.amqp091.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The unconfirmed publishes of a channel in confirm mode, indexed by sequence number (1, 2, ...) in
 * a growable ring. Confirms settle one sequence number or everything up to one; settled slots are
 * cleared and the head moves past them. Not thread-safe: {@link PublishWindow}'s lock guards it.
 */
final class ConfirmWindow<T> {
  private Object[] slots = new Object[64];
  private int head;
  private int count;
  private long headSequence = 1;
  private long nextSequence = 1;
  private int outstanding;

  /** Adds the next publish and returns its sequence number. */
  long add(T item) {
    if (count == slots.length) grow();
    slots[(head + count) % slots.length] = item;
    count++;
    outstanding++;
    return nextSequence++;
  }

  /**
   * Takes back the last {@link #add}, for a publish that never reached the wire: the broker numbers
   * only what it receives. Returns its item, or null if it was settled already.
   *
   * @throws IllegalStateException if {@code sequence} is not the last one added
   */
  @SuppressWarnings("unchecked")
  T removeLast(long sequence) {
    if (sequence != nextSequence - 1 || count == 0) {
      throw new IllegalStateException("sequence " + sequence + " is not the last one added");
    }
    int slot = (head + count - 1) % slots.length;
    T item = (T) slots[slot];
    if (item != null) outstanding--;
    slots[slot] = null;
    count--;
    nextSequence--;
    return item;
  }

  /** The sequence number the next {@link #add} returns. */
  long nextSequence() {
    return nextSequence;
  }

  /**
   * The lowest sequence number not settled; {@link #nextSequence} when every one is. (The head is
   * never a settled slot: settling trims past them.)
   */
  long firstUnsettled() {
    return headSequence;
  }

  /** How many publishes are not settled. */
  int outstanding() {
    return outstanding;
  }

  /** Settles one sequence number; returns its item, or null if unknown or settled already. */
  @SuppressWarnings("unchecked")
  T take(long sequence) {
    long index = sequence - headSequence;
    if (index < 0 || index >= count) return null;
    int slot = (int) ((head + index) % slots.length);
    T item = (T) slots[slot];
    slots[slot] = null;
    if (item != null) outstanding--;
    trimHead();
    return item;
  }

  /** Settles every sequence number up to and including {@code sequence}; returns their items. */
  List<T> takeUpTo(long sequence) {
    List<T> taken =
        new ArrayList<>((int) Math.max(0, Math.min(count, sequence - headSequence + 1)));
    takeUpTo(sequence, taken::add);
    return taken;
  }

  /**
   * Settles every sequence number up to and including {@code sequence}, giving their items to
   * {@code taker} in order.
   */
  @SuppressWarnings("unchecked")
  void takeUpTo(long sequence, Consumer<? super T> taker) {
    while (count > 0 && headSequence <= sequence) {
      T item = (T) slots[head];
      if (item != null) {
        taker.accept(item);
        outstanding--;
      }
      slots[head] = null;
      head = (head + 1) % slots.length;
      count--;
      headSequence++;
    }
    trimHead(); // past publishes settled one by one before
  }

  /** The oldest unsettled item that {@code test} accepts, or null. */
  @SuppressWarnings("unchecked")
  T first(java.util.function.Predicate<? super T> test) {
    for (int i = 0; i < count; i++) {
      T item = (T) slots[(head + i) % slots.length];
      if (item != null && test.test(item)) return item;
    }
    return null;
  }

  /** Every unsettled item, in order, without settling them. */
  @SuppressWarnings("unchecked")
  List<T> unsettled() {
    List<T> items = new ArrayList<>(outstanding);
    for (int i = 0; i < count; i++) {
      T item = (T) slots[(head + i) % slots.length];
      if (item != null) items.add(item);
    }
    return items;
  }

  /** Settles everything; returns the unsettled items. */
  List<T> clear() {
    List<T> items = unsettled();
    Arrays.fill(slots, null);
    headSequence += count;
    head = 0;
    count = 0;
    outstanding = 0;
    return items;
  }

  private void trimHead() {
    while (count > 0 && slots[head] == null) {
      head = (head + 1) % slots.length;
      count--;
      headSequence++;
    }
  }

  private void grow() {
    Object[] bigger = new Object[slots.length * 2];
    for (int i = 0; i < count; i++) bigger[i] = slots[(head + i) % slots.length];
    slots = bigger;
    head = 0;
  }
}
