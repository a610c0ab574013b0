package dev.amqpkit.cli;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What a perf run counts, from every producer and consumer thread: messages sent, confirmed,
 * refused and received; latency from the send timestamp each body carries; and, per producer, which
 * sequence numbers were confirmed and received, to tell lost messages and duplicates.
 *
 * <p>A body starts with {@link #HEADER} bytes: the send time ({@link System#nanoTime()}, so
 * producers and consumers share this JVM), the run's random number (a message left in a queue by
 * another run is not counted), the producer's number and the message's sequence number.
 *
 * <p>Memory stays bounded by what is in flight: each producer's record forgets the sequence numbers
 * below the first one not yet both confirmed and received. Thread-safe.
 */
final class PerfStats {
  /** Send time (8 bytes), run (4), producer (4), sequence (8). */
  static final int HEADER = 24;

  private static final long MAX_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(10);

  /** How far a record's settled prefix may grow before it is dropped. */
  private static final int COMPACT_AFTER = 1 << 16;

  final LongAdder sent = new LongAdder();
  final LongAdder confirmed = new LongAdder();
  final LongAdder refused = new LongAdder();
  final LongAdder received = new LongAdder();
  final LongAdder duplicates = new LongAdder();

  /** Messages not of this run, left in the queue by an earlier one. */
  final LongAdder foreign = new LongAdder();

  final LongAdder reconnects = new LongAdder();
  private final Recorder latency = new Recorder(MAX_LATENCY_NANOS, 3);
  private final Histogram total = new Histogram(MAX_LATENCY_NANOS, 3);
  private final Track[] tracks;
  private final boolean confirms;
  private final int run = new SecureRandom().nextInt();

  /**
   * @param confirms whether producers wait for confirms: then a message is expected once the broker
   *     confirmed it; else once it was sent
   */
  PerfStats(int producers, boolean confirms) {
    this.confirms = confirms;
    tracks = new Track[producers];
    for (int i = 0; i < producers; i++) tracks[i] = new Track();
  }

  /** Writes the header of a body about to be sent. */
  void stamp(byte[] body, int producer, long sequence) {
    ByteBuffer.wrap(body).putLong(System.nanoTime()).putInt(run).putInt(producer).putLong(sequence);
    if (!confirms) tracks[producer].expect(sequence);
  }

  void confirmed(int producer, long sequence) {
    confirmed.increment();
    tracks[producer].expect(sequence);
  }

  /** Counts a received body: its latency, and whether it came before. */
  void received(byte[] body) {
    if (body.length < HEADER) {
      foreign.increment();
      return;
    }
    ByteBuffer b = ByteBuffer.wrap(body);
    long sentAt = b.getLong();
    int fromRun = b.getInt();
    int producer = b.getInt();
    long sequence = b.getLong();
    if (fromRun != run || producer < 0 || producer >= tracks.length || sequence < 0) {
      foreign.increment();
      return;
    }
    received.increment();
    latency.recordValue(Math.min(MAX_LATENCY_NANOS, Math.max(0, System.nanoTime() - sentAt)));
    if (!tracks[producer].receive(sequence)) duplicates.increment();
  }

  /** Messages expected (confirmed, or sent without confirms) that no consumer has received. */
  long lost() {
    long lost = 0;
    for (Track t : tracks) lost += t.missing();
    return lost;
  }

  /** How many sequence numbers, all producers together, were settled and forgotten. */
  long forgotten() {
    long n = 0;
    for (Track t : tracks) n += t.base();
    return n;
  }

  /** Whether consumers have every message expected so far. */
  boolean allReceived() {
    return lost() == 0;
  }

  /** The latencies recorded since the last call, also added to the run's total. */
  Histogram interval() {
    Histogram h = latency.getIntervalHistogram();
    synchronized (total) {
      total.add(h);
    }
    return h;
  }

  /** Every latency recorded so far (call {@link #interval()} first to include the latest). */
  Histogram total() {
    synchronized (total) {
      return total.copy();
    }
  }

  /**
   * One producer's sequence numbers from {@code base} on: which are expected, which received. Below
   * {@code base}, all were both.
   */
  private static final class Track {
    private long base;
    private BitSet expected = new BitSet();
    private BitSet received = new BitSet();
    // The length at which to look for a settled prefix again: doubled while a message is
    // missing near the start, so that looking costs little whatever happens.
    private int compactAt = COMPACT_AFTER;

    synchronized void expect(long sequence) {
      if (sequence >= base) expected.set(index(sequence));
      compact();
    }

    /** Marks a sequence received; false if it was already. */
    synchronized boolean receive(long sequence) {
      if (sequence < base) return false;
      int i = index(sequence);
      if (received.get(i)) return false;
      received.set(i);
      compact();
      return true;
    }

    synchronized long missing() {
      BitSet missing = (BitSet) expected.clone();
      missing.andNot(received);
      return missing.cardinality();
    }

    private int index(long sequence) {
      long i = sequence - base;
      if (i > Integer.MAX_VALUE - 1) {
        throw new IllegalStateException("more than 2^31 messages of one producer in flight");
      }
      return (int) i;
    }

    /** Drops the prefix of sequence numbers both expected and received, once it is long. */
    private void compact() {
      if (Math.max(expected.length(), received.length()) <= compactAt) return;
      BitSet settled = (BitSet) expected.clone();
      settled.and(received);
      int prefix = settled.nextClearBit(0);
      if (prefix < COMPACT_AFTER) {
        compactAt = (int) Math.min(Integer.MAX_VALUE / 2, 2L * compactAt);
        return;
      }
      expected = expected.get(prefix, Math.max(prefix, expected.length()));
      received = received.get(prefix, Math.max(prefix, received.length()));
      base += prefix;
      compactAt = COMPACT_AFTER;
    }

    synchronized long base() {
      return base;
    }
  }
}
