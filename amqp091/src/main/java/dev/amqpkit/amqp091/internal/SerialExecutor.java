package dev.amqpkit.amqp091.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: per-channel ordering for
 * consumer callbacks without a thread per channel. A task that throws is logged and the next runs.
 * Never runs a task on the submitting thread.
 */
final class SerialExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

  private final Executor executor;
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private boolean running;

  SerialExecutor(Executor executor) {
    this.executor = executor;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (tasks) {
      tasks.add(task);
      if (running) return;
      running = true;
    }
    try {
      executor.execute(this::drain);
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
      Runnable task;
      synchronized (tasks) {
        task = tasks.poll();
        if (task == null) {
          running = false;
          return;
        }
      }
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        log.error("a callback threw; it is logged and the next callback runs", e);
      }
    }
  }
}
