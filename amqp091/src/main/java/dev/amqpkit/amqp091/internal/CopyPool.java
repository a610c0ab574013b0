package dev.amqpkit.amqp091.internal;

/**
 * Arrays for the copies of bodies that self-healing channels keep until the broker confirms them,
 * reused rather than allocated for each publish. A kept copy lives as long as its publish is
 * unconfirmed, long enough to be copied by every young collection meanwhile: with 256 KiB bodies
 * and 1,000 in flight, allocating a copy per publish doubled the client's CPU. Arrays from the pool
 * grow old once and stay put.
 *
 * <p>Bodies of at most {@link #MIN_POOLED} bytes are copied into fresh arrays (cheaper than any
 * pool), and so are bodies over {@link #MAX_POOLED}, the size above which the {@link FrameWriter}
 * writes a body from its array rather than copying it into its buffer: a connection that fails
 * while its flusher still writes such an array could otherwise send bytes of another message put in
 * the array meanwhile. In between, an array's capacity is the body's length rounded up to a quarter
 * of its power of two (at most a quarter wasted), so bodies of nearby sizes share arrays; a copy's
 * length is kept apart from its array.
 *
 * <p>Bounded: the spare arrays held, in every class together, stay within {@link #budget()} bytes
 * (64 MiB or a 32nd of the maximum heap, whichever is less; the system property {@value
 * #BUDGET_PROPERTY} sets another number of bytes, 0 for no pool, and a value that is not a number
 * (negative included) is logged and ignored); an array given back beyond it is left to the
 * collector. Only copies are pooled, never an application's array.
 *
 * <p>Thread-safe: publishers take, the threads that settle confirms give back.
 */
final class CopyPool {
  static final String BUDGET_PROPERTY = "dev.amqpkit.amqp091.copyPoolBytes";
  static final int MIN_POOLED = 1024;
  static final int MAX_POOLED = FrameWriter.REFERENCE_THRESHOLD;
  private static final int FIRST_GROUP = 10; // log2 of MIN_POOLED
  private static final int LAST_GROUP = 17; // log2 of MAX_POOLED - 1
  private static final Stack[] STACKS = new Stack[(LAST_GROUP - FIRST_GROUP + 1) * 4];
  private static final long BUDGET = readBudget();
  private static final java.util.concurrent.atomic.AtomicLong spareBytes =
      new java.util.concurrent.atomic.AtomicLong();

  static {
    for (int i = 0; i < STACKS.length; i++) STACKS[i] = new Stack();
  }

  private CopyPool() {}

  /** A copy of {@code body}, in an array that may be longer: its first {@code body.length}. */
  static byte[] copyOf(byte[] body) {
    int length = body.length;
    if (length <= MIN_POOLED || length > MAX_POOLED || BUDGET == 0) return body.clone();
    int index = classOf(length);
    byte[] copy = STACKS[index].pop();
    if (copy == null) {
      copy = new byte[capacityOf(index)];
    } else {
      spareBytes.addAndGet(-copy.length);
    }
    System.arraycopy(body, 0, copy, 0, length);
    return copy;
  }

  /**
   * Takes back a copy made by {@link #copyOf} that nothing will read again: its publish settled and
   * was written. Only such copies may be given back (an array of a class's capacity from elsewhere
   * would be taken); an array of any other length, or one over the budget, is left alone.
   */
  static void giveBack(byte[] copy) {
    int capacity = copy.length;
    if (capacity <= MIN_POOLED || capacity > MAX_POOLED) return;
    int index = classOf(capacity);
    if (capacityOf(index) != capacity) return; // not one of ours
    if (spareBytes.addAndGet(capacity) > BUDGET) {
      spareBytes.addAndGet(-capacity);
      return;
    }
    STACKS[index].push(copy);
  }

  /** How many bytes of spare arrays the pool may hold. */
  static long budget() {
    return BUDGET;
  }

  /** How many bytes of spare arrays it holds now. */
  static long spareBytes() {
    return spareBytes.get();
  }

  /** The class of a length in (MIN_POOLED, MAX_POOLED]: four per power of two. */
  static int classOf(int length) {
    int group = 31 - Integer.numberOfLeadingZeros(length - 1); // FIRST_GROUP..LAST_GROUP
    int quarter = ((length - 1) >>> (group - 2)) & 3;
    return (group - FIRST_GROUP) * 4 + quarter;
  }

  /** The capacity of a class's arrays: the longest length of the class. */
  static int capacityOf(int index) {
    int group = FIRST_GROUP + index / 4;
    int quarter = index % 4;
    return (5 + quarter) << (group - 2);
  }

  private static long readBudget() {
    long byDefault = Math.min(64L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 32);
    String value;
    try {
      value = System.getProperty(BUDGET_PROPERTY);
    } catch (SecurityException e) {
      return byDefault;
    }
    if (value == null) return byDefault;
    try {
      long budget = Long.parseLong(value.trim());
      if (budget < 0) throw new NumberFormatException("negative");
      return budget;
    } catch (NumberFormatException e) {
      org.slf4j.LoggerFactory.getLogger(CopyPool.class)
          .warn(
              "{} must be a number of bytes, not \"{}\": using {}",
              BUDGET_PROPERTY,
              value,
              byDefault);
      return byDefault;
    }
  }

  /** The spare arrays of one class, last given back first taken (likeliest still in cache). */
  private static final class Stack {
    private byte[][] arrays = new byte[4][];
    private int size;

    synchronized byte[] pop() {
      if (size == 0) return null;
      byte[] array = arrays[--size];
      arrays[size] = null;
      return array;
    }

    synchronized void push(byte[] array) {
      if (size == arrays.length) arrays = java.util.Arrays.copyOf(arrays, size * 2);
      arrays[size++] = array;
    }
  }
}
