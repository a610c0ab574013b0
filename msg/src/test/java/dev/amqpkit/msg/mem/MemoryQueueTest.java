package dev.amqpkit.msg.mem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.msg.Attributes;
import dev.amqpkit.msg.FailurePolicy;
import dev.amqpkit.msg.Message;
import dev.amqpkit.msg.SendFailedException;
import dev.amqpkit.msg.Server;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MemoryQueueTest {

  @Test
  void aFullQueueFailsTheSendAfterItsTimeout() throws Exception {
    MemoryQueue q =
        MemoryQueue.builder("small").capacity(2).sendTimeout(Duration.ofMillis(100)).build();
    q.topic().send(Message.of(new byte[1]));
    q.topic().send(Message.of(new byte[1]));
    assertThatThrownBy(() -> q.topic().send(Message.of(new byte[1])))
        .isInstanceOf(SendFailedException.class)
        .hasMessageContaining("'small' full: 2 messages");
    assertThat(q.size()).isEqualTo(2);
  }

  @Test
  void aMessageBeingProcessedStillTakesRoom() throws Exception {
    MemoryQueue q = MemoryQueue.builder("q").capacity(1).sendTimeout(Duration.ZERO).build();
    q.topic().send(Message.of(new byte[1]));
    CompletableFuture<Void> release = new CompletableFuture<>();
    Server server = q.server(1);
    CompletableFuture<Void> serving =
        CompletableFuture.runAsync(
            () -> {
              try {
                server.serve(m -> release.get(10, TimeUnit.SECONDS));
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    await().atMost(Duration.ofSeconds(5)).until(() -> q.size() == 0);
    assertThat(q.held()).isEqualTo(1);
    assertThatThrownBy(() -> q.topic().send(Message.of(new byte[1])))
        .isInstanceOf(SendFailedException.class);
    release.complete(null);
    await().atMost(Duration.ofSeconds(5)).until(() -> q.held() == 0);
    assertThat(server.shutdown(Duration.ofSeconds(5))).isTrue();
    serving.get(5, TimeUnit.SECONDS);
  }

  @Test
  void deadLetteredMessagesGoToTheDeadLetterQueueWithTheirAttributes() throws Exception {
    MemoryQueue dead = MemoryQueue.create("dead");
    MemoryQueue q =
        MemoryQueue.builder("q").onFailure(FailurePolicy.DEAD_LETTER).deadLetterQueue(dead).build();
    q.topic().send(Message.of(Attributes.of("X-Id", "7"), new byte[] {1, 2}));
    Server server = q.server(1);
    CompletableFuture<Void> serving =
        CompletableFuture.runAsync(
            () -> {
              try {
                server.serve(
                    m -> {
                      throw new IllegalArgumentException("cannot");
                    });
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    await().atMost(Duration.ofSeconds(5)).until(() -> dead.size() == 1);
    assertThat(q.held()).isZero();
    assertThat(server.shutdown(Duration.ofSeconds(5))).isTrue();
    serving.get(5, TimeUnit.SECONDS);

    Server reader = dead.server(1);
    CompletableFuture<Message> got = new CompletableFuture<>();
    CompletableFuture<Void> reading =
        CompletableFuture.runAsync(
            () -> {
              try {
                reader.serve(m -> got.complete(m.withBody(m.body().readAllBytes())));
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    Message m = got.get(5, TimeUnit.SECONDS);
    assertThat(m.attributes().get("X-Id")).contains("7");
    assertThat(m.body().readAllBytes()).containsExactly(1, 2);
    assertThat(reader.shutdown(Duration.ofSeconds(5))).isTrue();
    reading.get(5, TimeUnit.SECONDS);
  }
}
