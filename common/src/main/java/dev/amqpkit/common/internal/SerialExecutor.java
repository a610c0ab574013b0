package dev.amqpkit.common.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: per-channel ordering for
 * consumer callbacks without a thread per channel. A task that throws is logged and the next runs.
 * Never runs a task on the submitting thread.
 *
 * <p>The reader thread queues with {@link #enqueue} and wakes the executor with {@link #kick} once
 * it has no more frames at hand: a burst of deliveries read at once costs one thread wake-up, not
 * one each.
 */
public final class SerialExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

  private final Executor executor;
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  // Used by drain only; two drains never overlap (running), and the lock orders them.
  private final ArrayDeque<Runnable> batch = new ArrayDeque<>();
  private final Runnable drain = this::drain; // one object, not one per kick
  private boolean running;

  public SerialExecutor(Executor executor) {
    this.executor = executor;
  }

  @Override
  public void execute(Runnable task) {
    if (enqueue(task)) kick();
  }

  /**
   * Queues a task without waking the executor.
   *
   * @return whether the caller must call {@link #kick} (soon: until then, neither this task nor any
   *     queued after it runs)
   */
  public boolean enqueue(Runnable task) {
    synchronized (tasks) {
      tasks.add(task);
      if (running) return false;
      running = true;
      return true;
    }
  }

  /** Hands the queued tasks to the executor; once for each {@link #enqueue} that returned true. */
  public void kick() {
    try {
      executor.execute(drain);
    } catch (RejectedExecutionException e) {
      // Never fall back to the caller: it may be the I/O thread. Unacknowledged deliveries
      // dropped here are redelivered by the broker when the channel closes.
      int dropped;
      synchronized (tasks) {
        dropped = tasks.size();
        tasks.clear();
        running = false;
      }
      log.error("the callback executor rejected work; {} callbacks dropped", dropped, e);
    }
  }

  private void drain() {
    while (true) {
      // Take every queued task at once: the reader, queueing more meanwhile, rarely meets the lock.
      synchronized (tasks) {
        if (tasks.isEmpty()) {
          running = false;
          return;
        }
        // Not addAll: it allocates.
        for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) batch.add(task);
      }
      for (Runnable task = batch.poll(); task != null; task = batch.poll()) {
        try {
          task.run();
        } catch (RuntimeException | Error e) {
          log.error("a callback threw; it is logged and the next callback runs", e);
        }
      }
    }
  }
}
