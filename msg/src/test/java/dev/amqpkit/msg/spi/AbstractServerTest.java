package dev.amqpkit.msg.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.msg.Message;
import dev.amqpkit.msg.Server;
import dev.amqpkit.msg.ServerFailedException;
import dev.amqpkit.msg.mem.MemoryQueue;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class AbstractServerTest {
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stop() throws InterruptedException {
    threads.shutdownNow();
    assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void servingTwiceAtOnceIsRefused() throws Exception {
    Server server = MemoryQueue.create("q").server(1);
    Future<?> serving =
        threads.submit(
            () -> {
              server.serve(m -> {});
              return null;
            });
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> server.serve(m -> {}))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("already serving q"));
    assertThat(server.shutdown(Duration.ofSeconds(5))).isTrue();
    serving.get(5, TimeUnit.SECONDS);
  }

  @Test
  void anInterruptedServeShutsTheServerDownAndThrows() throws Exception {
    MemoryQueue queue = MemoryQueue.create("q");
    queue.topic().send(Message.of(new byte[1]));
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    Server server = queue.server(1);
    Future<?> serving =
        threads.submit(
            () -> {
              server.serve(
                  m -> {
                    started.countDown();
                    try {
                      Thread.sleep(20_000);
                    } catch (InterruptedException e) {
                      interrupted.set(true);
                      throw e;
                    }
                  });
              return null;
            });
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    serving.cancel(true);
    await().atMost(Duration.ofSeconds(5)).untilTrue(interrupted);
    assertThat(server.shutdown(Duration.ofSeconds(5)))
        .as("already shut down, not in time")
        .isFalse();
    await().atMost(Duration.ofSeconds(5)).until(() -> queue.size() == 1);
  }

  @Test
  void aFailingBackendEndsServeWithServerFailedException() {
    Server server =
        new AbstractServer("broken", 2) {
          @Override
          protected void startTaking() {
            throw new IllegalStateException("queue 'broken' not found");
          }

          @Override
          protected void stopTaking() {}

          @Override
          protected void release() {}
        };
    assertThatThrownBy(() -> server.serve(m -> {}))
        .isInstanceOf(ServerFailedException.class)
        .hasMessage("broken: queue 'broken' not found")
        .hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void aShutdownCalledFromAnotherThreadWhileAnotherWaitsGetsTheSameAnswer() throws Exception {
    MemoryQueue queue = MemoryQueue.create("q");
    queue.topic().send(Message.of(new byte[1]));
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Server server = queue.server(1);
    Future<?> serving =
        threads.submit(
            () -> {
              server.serve(
                  m -> {
                    started.countDown();
                    release.await(10, TimeUnit.SECONDS);
                  });
              return null;
            });
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    Future<Boolean> first = threads.submit(() -> server.shutdown(Duration.ofSeconds(10)));
    Future<Boolean> second = threads.submit(() -> server.shutdown(Duration.ofSeconds(10)));
    release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(second.get(10, TimeUnit.SECONDS)).isTrue();
    serving.get(5, TimeUnit.SECONDS);
  }

  @Test
  void workerThreadsEndWithTheServer() throws Exception {
    MemoryQueue queue = MemoryQueue.create("q");
    for (int i = 0; i < 20; i++) queue.topic().send(Message.of(new byte[1]));
    Server server = queue.server(4);
    Future<?> serving =
        threads.submit(
            () -> {
              server.serve(m -> {});
              return null;
            });
    await().atMost(Duration.ofSeconds(5)).until(() -> queue.held() == 0);
    assertThat(server.shutdown(Duration.ofSeconds(5))).isTrue();
    serving.get(5, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("amqpkit-msg-")));
  }
}
