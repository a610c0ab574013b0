package dev.amqpkit.msg.decorate;

import dev.amqpkit.msg.Receiver;
import dev.amqpkit.msg.Server;
import dev.amqpkit.msg.ServerClosedException;
import dev.amqpkit.msg.ServerFailedException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server that serves several servers at once and shares a concurrency among them by weight: when
 * more of their messages are ready than it may process at once, each server's messages are
 * processed in proportion to its weight.
 *
 * <p>{@link #serve} runs each inner server's {@code serve} on a thread of its own. A message an
 * inner server hands over waits until it is admitted: at most {@code concurrency} receives run at
 * once, and among the inner servers that have a message waiting, admissions follow smooth weighted
 * round robin (weights 3 and 1 admit A, A, B, A, ...). A server with no message waiting takes no
 * part, so it holds back no one: weights share the concurrency only when there is contention.
 *
 * <p>Inner servers take messages before they are admitted, up to their own concurrency, and those
 * count as in flight for them. The weights hold while every server has a message waiting: give each
 * inner server a concurrency above its share of this one (at least 2, so that it has a message
 * waiting while another is processed). With receives much faster than an inner server refills, a
 * server with too few slots often has none waiting, and its unused share goes to the others. A
 * higher concurrency lengthens shutdowns and holds messages that other consumers could take.
 *
 * <p>Thread-safe: {@code shutdown} may be called from any thread.
 */
public final class WeightedServer implements Server {
  private static final Duration FAILURE_GRACE = Duration.ofSeconds(30);
  private static final AtomicInteger SERVERS = new AtomicInteger();

  private final List<Server> servers;
  private final int[] weights;
  private final int concurrency;
  private final Object lock = new Object();
  private boolean serving;
  private CompletableFuture<Boolean> shutdown;

  private WeightedServer(Builder builder) {
    this.servers = List.copyOf(builder.servers);
    this.weights = builder.weights.stream().mapToInt(Integer::intValue).toArray();
    this.concurrency = builder.concurrency;
  }

  /**
   * Options of a weighted server that processes at most {@code concurrency} messages at once.
   *
   * @throws IllegalArgumentException if {@code concurrency} is less than 1
   */
  public static Builder builder(int concurrency) {
    return new Builder(concurrency);
  }

  /**
   * Serves every inner server to {@code receiver} until this server is shut down, blocking the
   * calling thread; returns once every inner {@code serve} returned.
   *
   * @throws ServerClosedException if this server was shut down, or is being shut down
   * @throws IllegalStateException if this server is serving already
   * @throws ServerFailedException (or another {@code IOException}) what the first inner server to
   *     fail threw; the other inner servers were shut down first, within 30 s
   * @throws InterruptedException if the calling thread was interrupted; every inner server is then
   *     shut down without waiting for messages in flight
   */
  @Override
  public void serve(Receiver receiver) throws IOException, InterruptedException {
    Objects.requireNonNull(receiver, "receiver == null");
    synchronized (lock) {
      if (shutdown != null) throw new ServerClosedException();
      if (serving) throw new IllegalStateException("already serving");
      serving = true;
    }
    WeightedAdmission admission = new WeightedAdmission(weights, concurrency);
    BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    int id = SERVERS.incrementAndGet();
    for (int i = 0; i < servers.size(); i++) {
      int index = i;
      Receiver admitted =
          message -> {
            admission.acquire(index);
            try {
              receiver.receive(message);
            } finally {
              admission.release();
            }
          };
      Thread thread =
          new Thread(
              () -> {
                Throwable failure = null;
                try {
                  servers.get(index).serve(admitted);
                } catch (Throwable t) {
                  failure = t;
                }
                outcomes.add(new Outcome(index, failure));
              },
              "amqpkit-weighted-" + id + "-" + index);
      thread.setDaemon(true);
      thread.start();
    }
    Outcome failed = null;
    try {
      for (int left = servers.size(); left > 0; left--) {
        Outcome outcome = outcomes.take();
        if (outcome.failure() == null || failed != null) continue;
        if (outcome.failure() instanceof ServerClosedException && shuttingDown()) continue;
        failed = outcome;
        shutdown(FAILURE_GRACE);
      }
    } catch (InterruptedException e) {
      shutdown(Duration.ZERO);
      throw e;
    }
    if (failed == null) return;
    Throwable failure = failed.failure();
    if (failure instanceof IOException e) throw e;
    if (failure instanceof RuntimeException e) throw e;
    if (failure instanceof Error e) throw e;
    throw new ServerFailedException(
        "inner server "
            + failed.server()
            + " ("
            + servers.get(failed.server())
            + ") failed: "
            + failure,
        failure);
  }

  private boolean shuttingDown() {
    synchronized (lock) {
      return shutdown != null;
    }
  }

  /**
   * Shuts every inner server down at once, each within {@code timeout}, and waits for them until
   * {@code timeout} has passed. Calling it again waits for the first call to finish (within {@code
   * timeout}) and returns its answer. An interrupt ends the wait, with the interrupt flag set
   * again.
   *
   * @return whether every inner server's shutdown returned true within {@code timeout}
   */
  @Override
  public boolean shutdown(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    CompletableFuture<Boolean> result;
    boolean first = false;
    synchronized (lock) {
      if (shutdown == null) {
        shutdown = new CompletableFuture<>();
        first = true;
      }
      result = shutdown;
    }
    if (!first) return await(result, deadline);
    List<CompletableFuture<Boolean>> each = new ArrayList<>(servers.size());
    for (Server server : servers) {
      CompletableFuture<Boolean> done = new CompletableFuture<>();
      Thread thread =
          new Thread(
              () -> {
                try {
                  done.complete(server.shutdown(timeout));
                } catch (Throwable t) {
                  done.completeExceptionally(t);
                }
              },
              "amqpkit-weighted-shutdown");
      thread.setDaemon(true);
      thread.start();
      each.add(done);
    }
    boolean all = true;
    for (CompletableFuture<Boolean> done : each) all &= await(done, deadline);
    result.complete(all);
    return all;
  }

  private static boolean await(CompletableFuture<Boolean> result, long deadline) {
    try {
      return result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "WeightedServer(concurrency=" + concurrency + ", " + servers.size() + " servers)";
  }

  private record Outcome(int server, Throwable failure) {}

  /** Options of a {@link WeightedServer}. Not thread-safe. */
  public static final class Builder {
    private final int concurrency;
    private final List<Server> servers = new ArrayList<>();
    private final List<Integer> weights = new ArrayList<>();

    private Builder(int concurrency) {
      if (concurrency < 1) throw new IllegalArgumentException("concurrency < 1: " + concurrency);
      this.concurrency = concurrency;
    }

    /**
     * Adds an inner server with its weight.
     *
     * @throws IllegalArgumentException if {@code weight} is less than 1, or {@code server} was
     *     added already
     */
    public Builder add(Server server, int weight) {
      Objects.requireNonNull(server, "server == null");
      if (weight < 1) throw new IllegalArgumentException("weight < 1: " + weight);
      for (Server added : servers) {
        if (added == server) throw new IllegalArgumentException("server added twice: " + server);
      }
      servers.add(server);
      weights.add(weight);
      return this;
    }

    /**
     * The server.
     *
     * @throws IllegalStateException if no server was added
     */
    public WeightedServer build() {
      if (servers.isEmpty()) throw new IllegalStateException("no server added");
      return new WeightedServer(this);
    }
  }
}
