package dev.amqpkit.cli;

import java.nio.ByteBuffer;
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
 * Thread-safe.
 */
final class PerfStats {
  /** Send time (8 bytes), run (4), producer (4), sequence (8). */
  static final int HEADER = 24;

  private static final long MAX_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(10);

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
  private final int run = new java.security.SecureRandom().nextInt();

  PerfStats(int producers) {
    tracks = new Track[producers];
    for (int i = 0; i < producers; i++) tracks[i] = new Track();
  }

  /** Writes the header of a body about to be sent. */
  void stamp(byte[] body, int producer, long sequence) {
    ByteBuffer.wrap(body).putLong(System.nanoTime()).putInt(run).putInt(producer).putLong(sequence);
  }

  void confirmed(int producer, long sequence) {
    confirmed.increment();
    Track t = tracks[producer];
    synchronized (t) {
      t.confirmed.set(Math.toIntExact(sequence));
    }
  }

  /** Counts a received body: its latency, and whether it came before. */
  void received(byte[] body) {
    ByteBuffer b = ByteBuffer.wrap(body);
    long sentAt = body.length < HEADER ? 0 : b.getLong();
    int fromRun = body.length < HEADER ? 0 : b.getInt();
    int producer = body.length < HEADER ? -1 : b.getInt();
    long sequence = body.length < HEADER ? -1 : b.getLong();
    if (fromRun != run
        || producer < 0
        || producer >= tracks.length
        || sequence < 0
        || sequence > Integer.MAX_VALUE) {
      foreign.increment();
      return;
    }
    received.increment();
    latency.recordValue(Math.min(MAX_LATENCY_NANOS, Math.max(0, System.nanoTime() - sentAt)));
    Track t = tracks[producer];
    boolean again;
    synchronized (t) {
      again = t.received.get((int) sequence);
      t.received.set((int) sequence);
    }
    if (again) duplicates.increment();
  }

  /**
   * Messages the broker confirmed that no consumer received (meaningful once consumers drained).
   */
  long lost() {
    long lost = 0;
    for (Track t : tracks) {
      synchronized (t) {
        BitSet missing = (BitSet) t.confirmed.clone();
        missing.andNot(t.received);
        lost += missing.cardinality();
      }
    }
    return lost;
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

  private static final class Track {
    final BitSet confirmed = new BitSet();
    final BitSet received = new BitSet();
  }
}
