package dev.amqpkit.cli;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT) or SIGTERM asks a running command to stop: it stops taking or sending messages,
 * closes cleanly, prints its summary and returns, while the JVM's shutdown waits for it (at most
 * {@link #GRACE_SECONDS}). A command still busy halfway through the grace (blocked in a call to the
 * broker, say) has its abort actions run, which close its connections so that the blocked call
 * fails and the summary can still be printed. Tests request a stop directly.
 */
final class StopSignal {
  static final int GRACE_SECONDS = 10;

  private final CountDownLatch requested = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  private final List<Runnable> aborts = new CopyOnWriteArrayList<>();

  /** Stops the command when the JVM is asked to shut down. */
  void installShutdownHook() {
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopAndWait, "amqpkit-stop"));
  }

  /** Requests a stop, then waits for the command: half the grace, then aborts, then the rest. */
  void stopAndWait() {
    request();
    try {
      if (finished.await(GRACE_SECONDS * 1000L / 2, TimeUnit.MILLISECONDS)) return;
      abort();
      finished.await(GRACE_SECONDS * 1000L / 2, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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

  /**
   * Adds what ends a command that does not stop in time, such as closing its connection; runs at
   * most once. Returns a handle that takes it back (when the connection is closed anyway).
   */
  Registration onAbort(Runnable action) {
    aborts.add(action);
    return () -> aborts.remove(action);
  }

  /** An abort action's registration; closing it takes the action back. */
  interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  /** Runs the abort actions now (the shutdown does it by itself; tests call it). */
  void abort() {
    for (Runnable action : aborts) {
      aborts.remove(action);
      try {
        action.run();
      } catch (RuntimeException e) {
        // Aborting: the command reports what came of it.
      }
    }
  }

  /** The command has returned: a shutdown waiting for it may go on. */
  void finished() {
    finished.countDown();
  }
}
