package dev.amqpkit.amqp10.internal.engine;

import java.util.function.Consumer;

/**
 * A session's sends that await settlement, by delivery id. Ids are added in increasing order (mod
 * 2<sup>32</sup>), mostly settled in the same order: a ring of (id, send) pairs in id order, found
 * at the front in the common case and by binary search otherwise, without allocating per send.
 * Settled entries leave holes that the front skips; the ring is compacted instead of grown while it
 * is mostly holes, so it never holds more than twice the unsettled sends.
 *
 * <p>Thread-safe: every method synchronizes on the instance.
 */
final class UnsettledSends {
  private long[] ids = new long[64];
  private PendingSend[] sends = new PendingSend[64];
  private int head; // index of the oldest entry
  private int count; // entries from head, holes included
  private int live; // entries that are not holes

  synchronized void add(long id, PendingSend send) {
    if (count == ids.length) {
      if (live <= count / 2) compact();
      else grow();
    }
    int at = (head + count) & (ids.length - 1);
    ids[at] = id;
    sends[at] = send;
    count++;
    live++;
  }

  /** Removes and returns the send with this id, or null. */
  synchronized PendingSend remove(long id) {
    int i = indexOf(id);
    if (i < 0) return null;
    int at = (head + i) & (ids.length - 1);
    PendingSend send = sends[at];
    if (send == null) return null; // settled already: a hole keeps its id
    sends[at] = null;
    live--;
    trimFront();
    return send;
  }

  /**
   * Removes the sends with ids from {@code first} to {@code last} (inclusive, mod 2<sup>32</sup>)
   * and hands each to {@code action}, in id order. Costs the number of entries in the range, not
   * its width, whatever range the peer names.
   */
  synchronized void removeRange(long first, long last, Consumer<PendingSend> action) {
    if (live == 0) return;
    long width = (last - first) & 0xFFFF_FFFFL;
    int start = lowerBound(first);
    int mask = ids.length - 1;
    for (int i = start; i < count; i++) {
      int at = (head + i) & mask;
      if (((ids[at] - first) & 0xFFFF_FFFFL) > width) break;
      PendingSend send = sends[at];
      if (send != null) {
        sends[at] = null;
        live--;
        action.accept(send);
      }
    }
    trimFront();
  }

  /** Removes every send {@code filter} accepts, handing each to {@code action}. */
  synchronized void removeIf(
      java.util.function.Predicate<PendingSend> filter, Consumer<PendingSend> action) {
    int mask = ids.length - 1;
    for (int i = 0; i < count; i++) {
      int at = (head + i) & mask;
      PendingSend send = sends[at];
      if (send != null && filter.test(send)) {
        sends[at] = null;
        live--;
        action.accept(send);
      }
    }
    trimFront();
  }

  synchronized int size() {
    return live;
  }

  // ---- under the lock ----

  /** The position (from head) of {@code id}, or -1. */
  private int indexOf(long id) {
    if (count == 0) return -1;
    int i = lowerBound(id);
    return i < count && ids[(head + i) & (ids.length - 1)] == id ? i : -1;
  }

  /** The first position whose id is not before {@code id}, in serial-number order. */
  private int lowerBound(long id) {
    int mask = ids.length - 1;
    long base = ids[head];
    long target = (id - base) & 0xFFFF_FFFFL;
    // An id before the oldest entry wraps to a huge offset: treat it as before everything.
    if (target > 0x7FFF_FFFFL) return 0;
    int lo = 0;
    int hi = count;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      long offset = (ids[(head + mid) & mask] - base) & 0xFFFF_FFFFL;
      if (offset < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private void trimFront() {
    int mask = ids.length - 1;
    while (count > 0 && sends[head] == null) {
      head = (head + 1) & mask;
      count--;
    }
    if (count == 0) head = 0;
  }

  private void compact() {
    int mask = ids.length - 1;
    long[] newIds = new long[ids.length];
    PendingSend[] newSends = new PendingSend[ids.length];
    int n = 0;
    for (int i = 0; i < count; i++) {
      int at = (head + i) & mask;
      if (sends[at] != null) {
        newIds[n] = ids[at];
        newSends[n++] = sends[at];
      }
    }
    ids = newIds;
    sends = newSends;
    head = 0;
    count = n;
  }

  private void grow() {
    int mask = ids.length - 1;
    long[] newIds = new long[ids.length * 2];
    PendingSend[] newSends = new PendingSend[ids.length * 2];
    for (int i = 0; i < count; i++) {
      int at = (head + i) & mask;
      newIds[i] = ids[at];
      newSends[i] = sends[at];
    }
    ids = newIds;
    sends = newSends;
    head = 0;
  }
}
