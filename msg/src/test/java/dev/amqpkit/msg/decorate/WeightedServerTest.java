package dev.amqpkit.msg.decorate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.msg.Attributes;
import dev.amqpkit.msg.Message;
import dev.amqpkit.msg.Receiver;
import dev.amqpkit.msg.Server;
import dev.amqpkit.msg.ServerClosedException;
import dev.amqpkit.msg.ServerFailedException;
import dev.amqpkit.msg.mem.MemoryQueue;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class WeightedServerTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static MemoryQueue backlog(String name, int messages) throws IOException {
    MemoryQueue queue = MemoryQueue.create(name);
    for (int i = 0; i < messages; i++) {
      queue.topic().send(Message.of(Attributes.of("From", name), new byte[] {(byte) i}));
    }
    return queue;
  }

  @Test
  void underContentionMessagesAreProcessedInProportionToTheWeights() throws Exception {
    MemoryQueue a = backlog("a", 200);
    MemoryQueue b = backlog("b", 200);
    WeightedServer server =
        WeightedServer.builder(1).add(a.server(200), 3).add(b.server(200), 1).build();
    List<String> order = Collections.synchronizedList(new java.util.ArrayList<>());
    CountDownLatch bothWaiting = new CountDownLatch(1);
    Receiver receiver =
        m -> {
          if (order.isEmpty()) bothWaiting.await(10, TimeUnit.SECONDS);
          order.add(m.attributes().get("From").orElseThrow());
        };
    Serving serving = Serving.start(server, receiver);
    try {
      // The first message is admitted alone; hold it until both servers took their backlog, so
      // that both have messages waiting at every admission after it.
      await().atMost(WAIT).until(() -> a.size() == 0 && b.size() == 0);
      bothWaiting.countDown();
      await().atMost(WAIT).until(() -> order.size() == 400);
      assertThat(serving.done()).isNotDone();
    } finally {
      serving.stop();
    }
    List<String> contended = order.subList(1, 81);
    assertThat(Collections.frequency(contended, "a")).isEqualTo(60);
    assertThat(Collections.frequency(contended, "b")).isEqualTo(20);
    assertThat(order.subList(1, 9)).containsExactly("a", "a", "b", "a", "a", "a", "b", "a");
    assertThat(Collections.frequency(order, "a")).isEqualTo(200);
    assertThat(a.held() + b.held()).isZero();
  }

  @Test
  void aServerWithNothingWaitingHoldsNoOneBack() throws Exception {
    MemoryQueue idle = MemoryQueue.create("idle");
    MemoryQueue busy = backlog("busy", 50);
    WeightedServer server =
        WeightedServer.builder(1).add(idle.server(2), 100).add(busy.server(2), 1).build();
    AtomicInteger processed = new AtomicInteger();
    Serving.until(server, m -> processed.incrementAndGet(), WAIT, () -> processed.get() == 50);
  }

  @Test
  void noMoreThanTheCombinedConcurrencyRunsAtOnce() throws Exception {
    MemoryQueue a = backlog("a", 60);
    MemoryQueue b = backlog("b", 60);
    MemoryQueue c = backlog("c", 60);
    WeightedServer server =
        WeightedServer.builder(2)
            .add(a.server(4), 1)
            .add(b.server(4), 2)
            .add(c.server(4), 3)
            .build();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger processed = new AtomicInteger();
    CountDownLatch twoAtOnce = new CountDownLatch(2);
    Receiver receiver =
        m -> {
          most.accumulateAndGet(running.incrementAndGet(), Math::max);
          twoAtOnce.countDown();
          twoAtOnce.await(10, TimeUnit.SECONDS);
          running.decrementAndGet();
          processed.incrementAndGet();
        };
    Serving.until(server, receiver, WAIT, () -> processed.get() == 180);
    assertThat(most).hasValue(2);
  }

  @Test
  void shutdownEndsServeAndServeAfterShutdownIsRefused() throws Exception {
    MemoryQueue a = backlog("a", 3);
    MemoryQueue b = backlog("b", 3);
    Server innerA = a.server(2);
    Server innerB = b.server(2);
    WeightedServer server = WeightedServer.builder(2).add(innerA, 1).add(innerB, 1).build();
    AtomicInteger processed = new AtomicInteger();
    Serving serving = Serving.start(server, m -> processed.incrementAndGet());
    await().atMost(WAIT).until(() -> processed.get() == 6);

    assertThat(server.shutdown(Duration.ofSeconds(5))).isTrue();
    serving.done().get(5, TimeUnit.SECONDS);
    assertThat(server.shutdown(Duration.ofSeconds(1))).isTrue();
    assertThatThrownBy(() -> server.serve(m -> {})).isInstanceOf(ServerClosedException.class);
    assertThatThrownBy(() -> innerA.serve(m -> {})).isInstanceOf(ServerClosedException.class);
    assertThatThrownBy(() -> innerB.serve(m -> {})).isInstanceOf(ServerClosedException.class);
  }

  @Test
  void shutdownBeforeServeClosesTheInnerServers() {
    Server inner = MemoryQueue.create("q").server(1);
    WeightedServer server = WeightedServer.builder(1).add(inner, 1).build();
    assertThat(server.shutdown(Duration.ofSeconds(1))).isTrue();
    assertThatThrownBy(() -> server.serve(m -> {})).isInstanceOf(ServerClosedException.class);
    assertThatThrownBy(() -> inner.serve(m -> {})).isInstanceOf(ServerClosedException.class);
  }

  @Test
  void serveTwiceAtOnceIsRefused() throws Exception {
    WeightedServer server =
        WeightedServer.builder(1).add(MemoryQueue.create("q").server(1), 1).build();
    Serving serving = Serving.start(server, m -> {});
    try {
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThatThrownBy(() -> server.serve(m -> {}))
                      .isInstanceOf(IllegalStateException.class)
                      .hasMessage("already serving"));
    } finally {
      serving.stop();
    }
  }

  @Test
  void theInnerServersAreShutDownInParallelWithinTheOneTimeout() throws Exception {
    MemoryQueue a = backlog("a", 1);
    MemoryQueue b = backlog("b", 1);
    WeightedServer server =
        WeightedServer.builder(2).add(a.server(1), 1).add(b.server(1), 1).build();
    CountDownLatch stuck = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    Serving serving =
        Serving.start(
            server,
            m -> {
              started.incrementAndGet();
              stuck.await(30, TimeUnit.SECONDS);
            });
    await().atMost(WAIT).until(() -> started.get() == 2);

    long begin = System.nanoTime();
    boolean idle = server.shutdown(Duration.ofSeconds(1));
    Duration took = Duration.ofNanos(System.nanoTime() - begin);

    assertThat(idle).isFalse();
    assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofMillis(1900));
    serving.done().get(5, TimeUnit.SECONDS);
    // The stuck receives were interrupted past the timeout; their messages went back.
    await().atMost(WAIT).until(() -> a.size() == 1 && b.size() == 1);
  }

  /** A server whose serve fails once {@code go} is released. */
  private static Server failing(CountDownLatch go, Exception failure) {
    return new Server() {
      @Override
      public void serve(Receiver receiver) throws IOException, InterruptedException {
        go.await();
        if (failure instanceof IOException e) throw e;
        throw (RuntimeException) failure;
      }

      @Override
      public boolean shutdown(Duration timeout) {
        go.countDown();
        return true;
      }
    };
  }

  @Test
  void aFailingInnerServerShutsTheOthersDownAndItsFailureIsThrown() throws Exception {
    MemoryQueue a = backlog("a", 1);
    Server healthy = a.server(1);
    CountDownLatch go = new CountDownLatch(1);
    ServerFailedException failure = new ServerFailedException("queue deleted", null);
    WeightedServer server =
        WeightedServer.builder(1).add(healthy, 1).add(failing(go, failure), 1).build();
    AtomicInteger processed = new AtomicInteger();
    CompletableFuture<Void> done = Serving.start(server, m -> processed.incrementAndGet()).done();
    await().atMost(WAIT).until(() -> processed.get() == 1);

    go.countDown();

    assertThatThrownBy(() -> done.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isSameAs(failure);
    assertThatThrownBy(() -> healthy.serve(m -> {})).isInstanceOf(ServerClosedException.class);
    assertThatThrownBy(() -> server.serve(m -> {})).isInstanceOf(ServerClosedException.class);
  }

  @Test
  void anErrorFromTheReceiverEndsServingWithThatError() throws Exception {
    MemoryQueue a = backlog("a", 1);
    MemoryQueue b = MemoryQueue.create("b");
    Server other = b.server(1);
    WeightedServer server = WeightedServer.builder(1).add(a.server(1), 1).add(other, 1).build();
    CompletableFuture<Void> done =
        Serving.start(
                server,
                m -> {
                  throw new AssertionError("broken receiver");
                })
            .done();

    assertThatThrownBy(() -> done.get(40, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(AssertionError.class)
        .hasMessage("broken receiver");
    assertThatThrownBy(() -> other.serve(m -> {})).isInstanceOf(ServerClosedException.class);
    assertThat(a.size()).isEqualTo(1);
  }

  @Test
  void badOptionsAreRefused() {
    assertThatThrownBy(() -> WeightedServer.builder(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("concurrency < 1: 0");
    assertThatThrownBy(() -> WeightedServer.builder(1).add(MemoryQueue.create("q").server(1), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight < 1: 0");
    Server twice = MemoryQueue.create("q").server(1);
    assertThatThrownBy(() -> WeightedServer.builder(1).add(twice, 1).add(twice, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("server added twice");
    assertThatThrownBy(() -> WeightedServer.builder(1).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("no server added");
  }
}
