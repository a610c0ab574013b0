package dev.amqpkit.msg.decorate;

import static org.awaitility.Awaitility.await;

import dev.amqpkit.msg.Receiver;
import dev.amqpkit.msg.Server;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A server serving on a thread of its own. */
final class Serving {
  private final Server server;
  private final CompletableFuture<Void> done = new CompletableFuture<>();

  private Serving(Server server) {
    this.server = server;
  }

  /** Starts serving {@code receiver} on a new thread. */
  static Serving start(Server server, Receiver receiver) {
    Serving serving = new Serving(server);
    Thread thread =
        new Thread(
            () -> {
              try {
                server.serve(receiver);
                serving.done.complete(null);
              } catch (Throwable t) {
                serving.done.completeExceptionally(t);
              }
            },
            "test-serve");
    thread.setDaemon(true);
    thread.start();
    return serving;
  }

  /**
   * Serves {@code receiver} until {@code condition} holds (failing after {@code atMost}), then
   * stops.
   */
  static void until(Server server, Receiver receiver, Duration atMost, Callable<Boolean> condition)
      throws InterruptedException, ExecutionException, TimeoutException {
    Serving serving = start(server, receiver);
    try {
      await().atMost(atMost).until(condition);
    } finally {
      serving.stop();
    }
  }

  /** Completes when serve returned, exceptionally with what it threw. */
  CompletableFuture<Void> done() {
    return done;
  }

  /** Shuts the server down and waits for serve to return normally. */
  void stop() throws InterruptedException, ExecutionException, TimeoutException {
    server.shutdown(Duration.ofSeconds(10));
    done.get(15, TimeUnit.SECONDS);
  }
}
