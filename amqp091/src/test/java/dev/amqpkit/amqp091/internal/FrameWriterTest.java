package dev.amqpkit.amqp091.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.amqp091.BasicProperties;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The writer's framing of content, copied or by reference, and its bounded waits, against an output
 * stream the test controls: one that takes a set number of bytes and then blocks.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class FrameWriterTest {
  private static final int FRAME_MAX = 4096;
  private static final Duration WAIT = Duration.ofMillis(400);

  /**
   * Accepts {@code budget} bytes, then blocks every write until released; a slow network takes
   * {@code pauseMillis} over each write of a body slice.
   */
  private static final class Gate extends OutputStream {
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean broken;
    private long budget;
    private final long pauseMillis;

    Gate(long budget) {
      this(budget, 0);
    }

    Gate(long budget, long pauseMillis) {
      this.budget = budget;
      this.pauseMillis = pauseMillis;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (pauseMillis > 0 && len > 1000) {
        try {
          Thread.sleep(pauseMillis);
        } catch (InterruptedException e) {
          throw new java.io.InterruptedIOException();
        }
      }
      int now;
      synchronized (this) {
        now = (int) Math.min(len, budget);
        budget -= now;
        received.write(b, off, now);
      }
      if (now < len) {
        try {
          release.await();
        } catch (InterruptedException e) {
          throw new java.io.InterruptedIOException();
        }
        if (broken) throw new IOException("the socket was closed");
        synchronized (this) {
          received.write(b, off + now, len - now);
        }
      }
    }

    synchronized byte[] bytes() {
      return received.toByteArray();
    }

    /** Fails the blocked write and every later one, as a socket closed under the writer does. */
    void breakOff() {
      broken = true;
      release.countDown();
    }
  }

  private final AtomicReference<IOException> failure = new AtomicReference<>();
  private FrameWriter writer;
  private Gate gate;

  private FrameWriter writer(Gate out) {
    gate = out;
    writer = new FrameWriter(out, "test-writer", WAIT, failure::set);
    return writer;
  }

  /** A writer to a channel, as for plain TCP: its pending buffers are direct. */
  private FrameWriter channelWriter(Gate out) {
    gate = out;
    writer = new FrameWriter(Channels.newChannel(out), "test-writer", WAIT, failure::set);
    return writer;
  }

  @AfterEach
  void close() {
    if (gate != null) gate.release.countDown();
    if (writer != null) writer.drainAndClose(1000);
  }

  private static byte[] body(int size, int seed) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) b[i] = (byte) (i * 31 + seed);
    return b;
  }

  /** A message as the frames on the wire carry it. */
  private record Message(int channel, byte[] body) {}

  private static List<Message> parse(byte[] wire) throws Exception {
    FrameReader reader = new FrameReader(new ByteArrayInputStream(wire));
    List<Message> messages = new ArrayList<>();
    int consumed = 0;
    while (consumed < wire.length) {
      reader.next(FRAME_MAX);
      assertThat(reader.type).as("a method frame").isEqualTo(1);
      int channel = reader.channel;
      consumed += reader.payloadLength + 8;
      reader.next(FRAME_MAX);
      assertThat(reader.type).as("a content header").isEqualTo(2);
      assertThat(reader.channel).isEqualTo(channel);
      consumed += reader.payloadLength + 8;
      Decoder d = new Decoder(reader.buffer(), reader.payloadOffset, reader.payloadLength);
      long size = ContentHeader.decode(d).bodySize();
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (body.size() < size) {
        reader.next(FRAME_MAX);
        assertThat(reader.type).as("a body frame").isEqualTo(3);
        assertThat(reader.channel).isEqualTo(channel);
        body.write(reader.buffer(), reader.payloadOffset, reader.payloadLength);
        consumed += reader.payloadLength + 8;
      }
      messages.add(new Message(channel, body.toByteArray()));
    }
    return messages;
  }

  private void publish(int channel, byte[] body) throws IOException {
    writer.writePublish(
        channel, "", "q", false, BasicProperties.EMPTY, body, body.length, FRAME_MAX, null, null);
  }

  /** Publishes {@code body} from the start of a longer array, as a pooled copy is. */
  private void publishFromALongerArray(int channel, byte[] body) throws IOException {
    byte[] array = Arrays.copyOf(body, body.length + 1_000);
    Arrays.fill(array, body.length, array.length, (byte) 0x55);
    writer.writePublish(
        channel, "", "q", false, BasicProperties.EMPTY, array, body.length, FRAME_MAX, null, null);
  }

  /**
   * A closing connection's flusher drains what is pending, and what it hands the kernel may still
   * reach the broker: a caller whose body it is still writing from the caller's array must not be
   * told the connection closed (and go on to change its array) before the flusher let go of it.
   */
  @Test
  void aReferencedBodyIsLetGoOfOnlyOnceTheClosingWriterNoLongerReadsIt() throws Exception {
    gate = new Gate(10); // the flusher gets stuck in the batch that holds the body
    writer =
        new FrameWriter(
            Channels.newChannel(gate), "test-writer", Duration.ofSeconds(10), failure::set);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    CountDownLatch returned = new CountDownLatch(1);
    Thread publisher =
        new Thread(
            () -> {
              try {
                publish(1, body(FrameWriter.REFERENCE_THRESHOLD + 1, 9));
              } catch (Throwable t) {
                thrown.set(t);
              }
              returned.countDown();
            });
    publisher.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> gate.bytes().length == 10);

    writer.drainAndClose(200); // closed; the flusher, blocked mid-body, outlasts the drain
    assertThat(returned.await(500, TimeUnit.MILLISECONDS))
        .as("the publisher returned while the flusher could still read its array")
        .isFalse();

    gate.breakOff(); // the socket closes under the flusher: its write fails, and it stops
    assertThat(returned.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(thrown.get()).isInstanceOf(IOException.class);
    assertThat(failure.get()).hasMessageContaining("the socket was closed");
  }

  @Test
  void copiedAndReferencedBodiesReachTheWireWholeAndInOrder() throws Exception {
    writer(new Gate(Long.MAX_VALUE));
    sendsBodiesOfEverySizeWholeAndInOrder();
  }

  @Test
  void throughAChannelBodiesReachTheWireWholeAndInOrder() throws Exception {
    channelWriter(new Gate(Long.MAX_VALUE));
    sendsBodiesOfEverySizeWholeAndInOrder();
  }

  @Test
  void throughAChannelALargeMessageTheFlusherNeverReachedIsTakenBackWhole() throws Exception {
    channelWriter(new Gate(10)); // the first batch gets stuck after 10 bytes
    publish(1, body(100, 1));
    await().atMost(Duration.ofSeconds(5)).until(() -> gate.bytes().length == 10);

    assertThatThrownBy(() -> publish(2, body(FrameWriter.REFERENCE_THRESHOLD + 1, 2)))
        .isInstanceOf(FrameWriter.NoRoomException.class);
    gate.release.countDown();
    publish(3, body(20, 3));
    writer.drainAndClose(5000);
    assertThat(parse(gate.bytes())).extracting(Message::channel).containsExactly(1, 3);
    assertThat(failure.get()).isNull();
  }

  /**
   * Sizes around the frame and reference limits, copied (growing the buffer) and referenced; every
   * other one from a longer array, of which only the body's length may reach the wire.
   */
  private void sendsBodiesOfEverySizeWholeAndInOrder() throws Exception {
    List<byte[]> sent = new ArrayList<>();
    int[] sizes = {0, 10, 4088, 4089, FrameWriter.REFERENCE_THRESHOLD};
    int seed = 0;
    for (int size : sizes) sent.add(body(size, seed++));
    sent.add(body(FrameWriter.REFERENCE_THRESHOLD + 1, seed++));
    sent.add(body(3 * FrameWriter.REFERENCE_THRESHOLD + 17, seed++));
    sent.add(body(5, seed));
    for (int i = 0; i < sent.size(); i++) {
      if (i % 2 == 0) publish(1 + i % 3, sent.get(i));
      else publishFromALongerArray(1 + i % 3, sent.get(i));
    }
    writer.drainAndClose(5000);

    List<Message> received = parse(gate.bytes());
    assertThat(received).hasSize(sent.size());
    for (int i = 0; i < sent.size(); i++) {
      assertThat(received.get(i).channel()).isEqualTo(1 + i % 3);
      assertThat(received.get(i).body()).as("message %d", i).isEqualTo(sent.get(i));
    }
    assertThat(failure.get()).isNull();
  }

  @Test
  void aReferencedBodyIsWrittenBeforeThePublishReturns() throws Exception {
    writer(new Gate(Long.MAX_VALUE));
    byte[] large = body(FrameWriter.REFERENCE_THRESHOLD * 2, 7); // queued by reference
    byte[] original = large.clone();
    publish(1, large);
    Arrays.fill(large, (byte) 0); // the caller reuses its array at once
    writer.drainAndClose(5000);

    assertThat(parse(gate.bytes())).singleElement().extracting(Message::body).isEqualTo(original);
  }

  @Test
  void aLargeMessageTheFlusherNeverReachedIsTakenBackWhole() throws Exception {
    writer(new Gate(10)); // the first batch gets stuck after 10 bytes
    publish(1, body(100, 1));
    await().atMost(Duration.ofSeconds(5)).until(() -> gate.bytes().length == 10);

    long start = System.nanoTime();
    assertThatThrownBy(() -> publish(2, body(FrameWriter.REFERENCE_THRESHOLD + 1, 2)))
        .isInstanceOf(FrameWriter.NoRoomException.class)
        .hasMessageContaining("262145-byte message on channel 2")
        .hasMessageContaining("nothing of it was sent");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .isBetween(WAIT.toMillis() - 50, WAIT.toMillis() + 3000);
    assertThat(failure.get()).as("the connection is intact").isNull();

    gate.release.countDown();
    publish(3, body(20, 3));
    writer.drainAndClose(5000);
    assertThat(parse(gate.bytes()))
        .extracting(Message::channel)
        .as("the taken-back message never reaches the wire")
        .containsExactly(1, 3);
  }

  @Test
  void aLargeMessageStuckHalfWrittenFailsTheConnection() {
    writer(new Gate(FrameWriter.REFERENCE_THRESHOLD / 2));

    assertThatThrownBy(() -> publish(1, body(2 * FrameWriter.REFERENCE_THRESHOLD, 1)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("read nothing for " + WAIT.toMillis() + " ms")
        .hasMessageContaining("524288-byte message on channel 1 was being sent")
        .hasMessageContaining("the connection is closed");
    assertThat(failure.get()).isNotNull().hasMessageContaining("was being sent");
    assertThatThrownBy(() -> publish(2, body(10, 2))).isInstanceOf(IOException.class);
  }

  @Test
  void aSlowReaderThatKeepsReadingNeverFailsALargeMessage() throws Exception {
    // Each write trickles out: the whole message takes far longer than the wait, but every slice
    // makes progress within it.
    writer(new Gate(Long.MAX_VALUE, WAIT.toMillis() / 6));
    // Over 64 frames, about 4 s in all, each frame taking a sixth of the wait.
    byte[] large = body(FrameWriter.REFERENCE_THRESHOLD + 1, 4);

    publish(1, large);

    writer.drainAndClose(5000);
    assertThat(parse(gate.bytes())).singleElement().extracting(Message::body).isEqualTo(large);
    assertThat(failure.get()).isNull();
  }
}
