package dev.amqpkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StopSignalTest {

  @Test
  void aCommandThatFinishesInTimeIsNotAborted() throws Exception {
    StopSignal stop = new StopSignal();
    AtomicInteger aborted = new AtomicInteger();
    stop.onAbort(aborted::incrementAndGet);
    Thread command =
        new Thread(
            () -> {
              try {
                stop.await(10_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              stop.finished();
            });
    command.start();
    long start = System.nanoTime();
    stop.stopAndWait();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2_000);
    assertThat(aborted).hasValue(0);
    command.join();
  }

  @Test
  void aCommandStuckHalfwayThroughTheGraceIsAbortedAndMayStillFinish() throws Exception {
    StopSignal stop = new StopSignal();
    CountDownLatch aborted = new CountDownLatch(1);
    StopSignal.Registration taken = stop.onAbort(() -> fail("taken back"));
    taken.close();
    stop.onAbort(aborted::countDown);
    Thread command =
        new Thread(
            () -> {
              try {
                aborted.await(); // stuck until its connection is closed, as a blocked call is
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              stop.finished();
            });
    command.start();
    long start = System.nanoTime();
    stop.stopAndWait();
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(waited)
        .isBetween(
            StopSignal.GRACE_SECONDS * 1000L / 2 - 100,
            StopSignal.GRACE_SECONDS * 1000L / 2 + 2_000);
    assertThat(aborted.getCount()).isZero();
    command.join();
  }

  private static void fail(String why) {
    throw new AssertionError(why);
  }
}
