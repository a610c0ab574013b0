package dev.amqpkit.amqp10.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The write-behind writer against an output stream the test can stop. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class FrameWriterTest {
  private static final Duration WAIT = Duration.ofMillis(400);

  /** Takes every write until {@link #stop}, then blocks until released. */
  private static final class Valve extends OutputStream {
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final CountDownLatch released = new CountDownLatch(1);
    final CountDownLatch blocked = new CountDownLatch(1);
    volatile boolean stopped;

    void stop() {
      stopped = true;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (stopped) {
        blocked.countDown();
        try {
          released.await();
        } catch (InterruptedException e) {
          throw new java.io.InterruptedIOException();
        }
      }
      synchronized (this) {
        received.write(b, off, len);
      }
    }

    synchronized byte[] bytes() {
      return received.toByteArray();
    }
  }

  private final Valve valve = new Valve();
  private final AtomicReference<IOException> failure = new AtomicReference<>();
  private final FrameWriter writer = new FrameWriter(valve, "test-writer", WAIT, failure::set);

  @AfterEach
  void release() {
    valve.released.countDown();
    writer.drainAndClose(1000);
  }

  @Test
  void framesReachTheStreamInOrder() throws Exception {
    writer.write(new byte[] {1, 2});
    writer.write(3, target -> target.put((byte) 3).put((byte) 4).put((byte) 5));
    writer.writeReply(new byte[] {6});
    writer.drainAndClose(1000);

    assertThat(valve.bytes()).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void aWriterWaitsForRoomAtMostTheWaitAndQueuesNothing() throws Exception {
    valve.stop();
    byte[] chunk = new byte[64 * 1024];
    // The flusher takes the first batch and blocks in the stream; the rest fill the queue.
    writer.write(chunk);
    assertThat(valve.blocked.await(5, TimeUnit.SECONDS)).as("the flusher blocks").isTrue();
    for (int i = 0; i < FrameWriter.MAX_PENDING / chunk.length; i++) writer.write(chunk);

    long start = System.nanoTime();
    assertThatThrownBy(() -> writer.write(new byte[] {9}))
        .isInstanceOf(FrameWriter.NoRoomException.class)
        .hasMessageContaining("the peer is not reading");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .isBetween(WAIT.toMillis() - 50, WAIT.toMillis() + 3000);

    // What the reader owes the peer still goes in, without waiting.
    writer.writeReply(new byte[] {7});
    valve.released.countDown();
    writer.drainAndClose(5000);
    byte[] all = valve.bytes();
    assertThat(all).hasSize(chunk.length * (1 + FrameWriter.MAX_PENDING / chunk.length) + 1);
    assertThat(all[all.length - 1]).isEqualTo((byte) 7);
    assertThat(failure.get()).isNull();
  }

  @Test
  void aFillerThatFailsLeavesNothingBehind() throws Exception {
    assertThatThrownBy(
            () ->
                writer.write(
                    4,
                    target -> {
                      target.put((byte) 1);
                      throw new IllegalArgumentException("cannot encode");
                    }))
        .hasMessage("cannot encode");
    assertThatThrownBy(() -> writer.write(2, target -> target.put((byte) 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("filled 1 bytes of the 2");
    writer.write(new byte[] {5});
    writer.drainAndClose(1000);

    assertThat(valve.bytes()).containsExactly(5);
  }

  @Test
  void aFailedWriteIsReportedOnceAndFailsEveryLaterCall() throws Exception {
    OutputStream broken =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("broken pipe");
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            throw new IOException("broken pipe");
          }
        };
    FrameWriter w = new FrameWriter(broken, "broken-writer", WAIT, failure::set);
    w.write(new byte[] {1});

    await().atMost(Duration.ofSeconds(5)).until(() -> failure.get() != null);
    assertThat(failure.get()).hasMessage("broken pipe");
    assertThatThrownBy(() -> w.write(new byte[] {2}))
        .hasMessageContaining("an earlier write failed");
  }

  @Test
  void heartbeatsAreEmptyFramesAndNeverWait() throws Exception {
    writer.writeHeartbeat();
    writer.drainAndClose(1000);

    assertThat(valve.bytes()).containsExactly(0, 0, 0, 8, 2, 0, 0, 0);
  }
}
