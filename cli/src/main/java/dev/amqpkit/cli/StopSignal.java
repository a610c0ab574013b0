package dev.amqpkit.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT) or SIGTERM asks a running command to stop: it closes cleanly, prints its summary
 * and returns, while the JVM's shutdown waits (at most {@link #GRACE_SECONDS}) for it to finish.
 * Tests request a stop directly.
 */
final class StopSignal {
  static final int GRACE_SECONDS = 10;

  private final CountDownLatch requested = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);

  /** Stops the command when the JVM is asked to shut down. */
  void installShutdownHook() {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  requested.countDown();
                  try {
                    finished.await(GRACE_SECONDS, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "amqpkit-stop"));
  }

  void request() {
    requested.countDown();
  }

  boolean isRequested() {
    return requested.getCount() == 0;
  }

  /** Waits for a stop for at most {@code millis}; true if one was requested. */
  boolean await(long millis) throws InterruptedException {
    return requested.await(millis, TimeUnit.MILLISECONDS);
  }

  /** The command has returned: a shutdown waiting for it may go on. */
  void finished() {
    finished.countDown();
  }
}
