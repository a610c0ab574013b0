package dev.amqpkit.common.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amqpkit.common.Backoff;
import dev.amqpkit.common.Recovery;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RecoveryLoopTest {

  /** Steps that record what the loop did; attempts fail until {@code succeedAt}, if any. */
  private static class Recorder implements RecoveryLoop.Steps {
    final List<String> heard = new CopyOnWriteArrayList<>();
    final List<Duration> delays = new CopyOnWriteArrayList<>();
    int succeedAt = Integer.MAX_VALUE;
    RuntimeException failure = new IllegalStateException("refused");
    boolean sleepRealTime;
    Exception gaveUpWith;

    @Override
    public void reconnecting(int attempt, Duration delay) {
      heard.add("reconnecting " + attempt);
      delays.add(delay);
    }

    @Override
    public boolean sleep(Duration delay) {
      if (sleepRealTime) {
        try {
          Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
          return false;
        }
      }
      return true;
    }

    @Override
    public boolean attempt(int attempt) {
      heard.add("attempt " + attempt);
      if (attempt >= succeedAt) return true;
      throw failure;
    }

    @Override
    public boolean fatal(RuntimeException e) {
      return e instanceof UnsupportedOperationException;
    }

    @Override
    public void gaveUp(int attempts, Exception last) {
      heard.add("gave up after " + attempts);
      gaveUpWith = last;
    }
  }

  private static Recovery.Builder fixed(long millis) {
    return Recovery.builder().backoff(Backoff.fixed(Duration.ofMillis(millis)));
  }

  @Test
  void attemptsUntilOneSucceeds() {
    Recorder r = new Recorder();
    r.succeedAt = 3;
    RecoveryLoop.run(fixed(10).build(), new RuntimeException("first"), r);
    assertThat(r.heard)
        .containsExactly(
            "reconnecting 1",
            "attempt 1",
            "reconnecting 2",
            "attempt 2",
            "reconnecting 3",
            "attempt 3");
    assertThat(r.delays).containsOnly(Duration.ofMillis(10));
    assertThat(r.gaveUpWith).isNull();
  }

  @Test
  void givesUpAfterMaxAttemptsWithTheLastFailure() {
    Recorder r = new Recorder();
    RecoveryLoop.run(fixed(1).maxAttempts(2).build(), new RuntimeException("first"), r);
    assertThat(r.heard)
        .containsExactly(
            "reconnecting 1", "attempt 1", "reconnecting 2", "attempt 2", "gave up after 2");
    assertThat(r.gaveUpWith).isSameAs(r.failure);
  }

  @Test
  void aFatalFailureEndsTheRecoveryAtOnce() {
    Recorder r = new Recorder();
    r.failure = new UnsupportedOperationException("refused login");
    RecoveryLoop.run(fixed(1).build(), null, r);
    assertThat(r.heard).containsExactly("reconnecting 1", "attempt 1", "gave up after 1");
    assertThat(r.gaveUpWith).isSameAs(r.failure);
  }

  @Test
  void noAttemptStartsAfterMaxElapsedAndTheLastWaitEndsThere() {
    Recorder r = new Recorder();
    r.sleepRealTime = true;
    RecoveryLoop.run(fixed(200).maxElapsed(Duration.ofMillis(500)).build(), null, r);
    // Waits of 200, 200, then what is left of the 500 ms; no attempt after them.
    assertThat(r.heard).last().isEqualTo("gave up after 3");
    assertThat(r.delays).hasSize(3);
    assertThat(r.delays.get(2)).isLessThanOrEqualTo(Duration.ofMillis(100));
  }

  @Test
  void aSleepCutShortByACloseEndsTheLoopWithoutGivingUp() {
    Recorder r =
        new Recorder() {
          @Override
          public boolean sleep(Duration delay) {
            return false;
          }
        };
    RecoveryLoop.run(fixed(1).build(), null, r);
    assertThat(r.heard).containsExactly("reconnecting 1");
  }

  @Test
  void sleepEndsWhenTheConnectionCloses() throws Exception {
    Object lock = new Object();
    AtomicBoolean closed = new AtomicBoolean();
    Thread closer =
        new Thread(
            () -> {
              try {
                Thread.sleep(100);
              } catch (InterruptedException e) {
                return;
              }
              synchronized (lock) {
                closed.set(true);
                lock.notifyAll();
              }
            });
    closer.start();
    long start = System.nanoTime();
    assertThat(RecoveryLoop.sleep(lock, closed::get, Duration.ofSeconds(5))).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(RecoveryLoop.sleep(new Object(), () -> false, Duration.ofMillis(20))).isTrue();
  }
}
