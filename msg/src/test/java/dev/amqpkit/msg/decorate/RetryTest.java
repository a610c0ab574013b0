package dev.amqpkit.msg.decorate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.msg.Attributes;
import dev.amqpkit.msg.FailurePolicy;
import dev.amqpkit.msg.Message;
import dev.amqpkit.msg.MessageWriter;
import dev.amqpkit.msg.Receiver;
import dev.amqpkit.msg.SendFailedException;
import dev.amqpkit.msg.Topic;
import dev.amqpkit.msg.mem.MemoryQueue;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class RetryTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** The delays asked for, in order, with no real waiting. */
  private final List<Duration> slept = new CopyOnWriteArrayList<>();

  private final Sleeper sleeper = slept::add;

  private Retry.Builder linear(int maxAttempts) {
    return Retry.builder()
        .maxAttempts(maxAttempts)
        .backoff(retry -> Duration.ofMillis(100L * retry));
  }

  @AfterEach
  void clearInterrupt() {
    Thread.interrupted();
  }

  @Test
  void aFailedReceiveIsTriedAgainWithAFreshMessageAfterTheBackoffDelays() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    Receiver flaky =
        m -> {
          String body = new String(m.body().readAllBytes(), UTF_8);
          seen.add(body + "/" + m.attributes().getAll("X-Id"));
          m.attributes().add("X-Id", "changed");
          if (seen.size() < 3) throw new IOException("attempt " + seen.size());
        };
    Message message = Message.of(Attributes.of("X-Id", "7"), "hello".getBytes(UTF_8));

    linear(5).build(sleeper).receiver(flaky).receive(message);

    assertThat(seen).containsExactly("hello/[7]", "hello/[7]", "hello/[7]");
    assertThat(slept).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(message.body().readAllBytes()).asString(UTF_8).isEqualTo("hello");
  }

  @Test
  void afterTheLastAttemptTheLastFailureIsThrownWithTheEarlierOnesSuppressed() {
    AtomicInteger attempts = new AtomicInteger();
    Receiver failing =
        m -> {
          throw new IllegalStateException("attempt " + attempts.incrementAndGet());
        };
    Receiver retrying = linear(3).build(sleeper).receiver(failing);

    assertThatThrownBy(() -> retrying.receive(Message.of(new byte[] {1})))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("attempt 3")
        .satisfies(
            e ->
                assertThat(e.getSuppressed())
                    .extracting(Throwable::getMessage)
                    .containsExactly("attempt 1", "attempt 2"));
    assertThat(attempts).hasValue(3);
    assertThat(slept).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
  }

  @Test
  void theSameExceptionThrownEachTimeIsNotSuppressedInItself() {
    IOException same = new IOException("always");
    Receiver retrying =
        linear(3)
            .build(sleeper)
            .receiver(
                m -> {
                  throw same;
                });
    assertThatThrownBy(() -> retrying.receive(Message.of(new byte[0]))).isSameAs(same);
    assertThat(same.getSuppressed()).isEmpty();
  }

  @Test
  void anErrorIsNotRetried() {
    AtomicInteger attempts = new AtomicInteger();
    Receiver retrying =
        linear(5)
            .build(sleeper)
            .receiver(
                m -> {
                  attempts.incrementAndGet();
                  throw new AssertionError("boom");
                });
    assertThatThrownBy(() -> retrying.receive(Message.of(new byte[0])))
        .isInstanceOf(AssertionError.class);
    assertThat(attempts).hasValue(1);
    assertThat(slept).isEmpty();
  }

  @Test
  void aFailureThatRetryIfRefusesEndsTheRetries() {
    AtomicInteger attempts = new AtomicInteger();
    Receiver retrying =
        linear(5)
            .retryIf(e -> !(e instanceof ContentDecodingException))
            .build(sleeper)
            .receiver(
                m -> {
                  if (attempts.incrementAndGet() == 1) throw new IOException("transient");
                  throw new ContentDecodingException("gzip", "corrupt", null);
                });
    assertThatThrownBy(() -> retrying.receive(Message.of(new byte[0])))
        .isInstanceOf(ContentDecodingException.class)
        .satisfies(
            e ->
                assertThat(e.getSuppressed())
                    .extracting(Throwable::getMessage)
                    .containsExactly("transient"));
    assertThat(attempts).hasValue(2);
    assertThat(slept).hasSize(1);
  }

  @Test
  void anInterruptedWaitSetsTheFlagAgainAndThrowsTheLastFailure() {
    Sleeper interrupted =
        delay -> {
          throw new InterruptedException("shutdown");
        };
    AtomicInteger attempts = new AtomicInteger();
    Receiver retrying =
        linear(5)
            .build(interrupted)
            .receiver(
                m -> {
                  throw new IOException("attempt " + attempts.incrementAndGet());
                });
    assertThatThrownBy(() -> retrying.receive(Message.of(new byte[0])))
        .isInstanceOf(IOException.class)
        .hasMessage("attempt 1")
        .satisfies(
            e ->
                assertThat(e.getSuppressed())
                    .singleElement()
                    .isInstanceOf(InterruptedException.class));
    assertThat(Thread.currentThread().isInterrupted()).isTrue();
    assertThat(attempts).hasValue(1);
  }

  @Test
  void throughAServerARetriedReceiveSettlesTheMessageOnce() throws Exception {
    MemoryQueue queue = MemoryQueue.create("q");
    queue.topic().send(Message.of(Attributes.of("X-Id", "1"), "body".getBytes(UTF_8)));
    AtomicInteger attempts = new AtomicInteger();
    List<String> processed = new CopyOnWriteArrayList<>();
    Receiver flaky =
        m -> {
          String body = new String(m.body().readAllBytes(), UTF_8);
          if (attempts.incrementAndGet() < 3) throw new IOException("not yet");
          processed.add(body);
        };
    Serving.until(
        queue.server(1), linear(3).build(sleeper).receiver(flaky), WAIT, () -> queue.held() == 0);
    assertThat(processed).containsExactly("body");
    assertThat(attempts).hasValue(3);
  }

  @Test
  void whenTheAttemptsAreUsedUpTheServerDeadLettersTheMessage() throws Exception {
    MemoryQueue dead = MemoryQueue.create("dead");
    MemoryQueue queue =
        MemoryQueue.builder("q").onFailure(FailurePolicy.DEAD_LETTER).deadLetterQueue(dead).build();
    queue.topic().send(Message.of(new byte[] {1}));
    AtomicInteger attempts = new AtomicInteger();
    Receiver failing =
        m -> {
          attempts.incrementAndGet();
          throw new IOException("never");
        };
    Serving.until(
        queue.server(1), linear(4).build(sleeper).receiver(failing), WAIT, () -> dead.size() == 1);
    assertThat(attempts).hasValue(4);
    assertThat(slept).hasSize(3);
  }

  @Test
  void aSendThatFailedIsSentAgainOnceTheQueueHasRoom() throws Exception {
    MemoryQueue queue = MemoryQueue.builder("q").capacity(1).sendTimeout(Duration.ZERO).build();
    queue.topic().send(Message.of(Attributes.of("X-Id", "first"), new byte[] {1}));
    AtomicInteger delays = new AtomicInteger();
    Sleeper drainOnSecondWait =
        delay -> {
          slept.add(delay);
          if (delays.incrementAndGet() == 2) {
            try {
              Serving.until(queue.server(1), m -> {}, WAIT, () -> queue.held() == 0);
            } catch (ExecutionException | TimeoutException e) {
              throw new AssertionError(e);
            }
          }
        };
    Topic retrying = linear(5).build(drainOnSecondWait).topic(queue.topic());

    retrying.send(Message.of(Attributes.of("X-Id", "second"), "again".getBytes(UTF_8)));

    assertThat(slept).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    List<Message> got = new CopyOnWriteArrayList<>();
    Serving.until(
        queue.server(1),
        m -> got.add(m.withBody(m.body().readAllBytes())),
        WAIT,
        () -> got.size() == 1);
    assertThat(got.get(0).attributes()).isEqualTo(Attributes.of("X-Id", "second"));
    assertThat(got.get(0).body().readAllBytes()).asString(UTF_8).isEqualTo("again");
  }

  @Test
  void aSendToAQueueThatStaysFullFailsAfterTheLastAttempt() throws Exception {
    MemoryQueue queue = MemoryQueue.builder("q").capacity(1).sendTimeout(Duration.ZERO).build();
    queue.topic().send(Message.of(new byte[] {1}));
    Topic retrying = linear(3).build(sleeper).topic(queue.topic());

    assertThatThrownBy(() -> retrying.send(Message.of(new byte[] {2})))
        .isInstanceOf(SendFailedException.class)
        .hasMessageContaining("'q' full")
        .satisfies(e -> assertThat(e.getSuppressed()).hasSize(2));
    assertThat(slept).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(queue.held()).isEqualTo(1);
  }

  /** A topic whose writers fail on close with the given exceptions, one per writer, then send. */
  private static Topic failingThen(MemoryQueue queue, List<IOException> failures) {
    AtomicInteger writers = new AtomicInteger();
    return () -> {
      int n = writers.getAndIncrement();
      MessageWriter target = queue.topic().newWriter();
      return new MessageWriter() {
        @Override
        public Attributes attributes() {
          return target.attributes();
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          target.write(b, off, len);
        }

        @Override
        public void write(int b) throws IOException {
          target.write(b);
        }

        @Override
        public void close() throws IOException {
          if (n < failures.size()) throw failures.get(n);
          target.close();
        }
      };
    };
  }

  @Test
  void sendsAreTriedAtMostMaxAttemptsTimes() {
    MemoryQueue queue = MemoryQueue.create("q");
    List<IOException> failures =
        List.of(
            new SendFailedException("1"),
            new SendFailedException("2"),
            new SendFailedException("3"),
            new SendFailedException("4"));
    Topic retrying = linear(3).build(sleeper).topic(failingThen(queue, failures));

    assertThatThrownBy(() -> retrying.send(Message.of(new byte[] {1})))
        .isSameAs(failures.get(2))
        .satisfies(
            e -> assertThat(e.getSuppressed()).containsExactly(failures.get(0), failures.get(1)));
    assertThat(slept).hasSize(2);
    assertThat(queue.held()).isZero();
  }

  @Test
  void otherSendFailuresAreNotRetried() {
    MemoryQueue queue = MemoryQueue.create("q");
    IOException transformFailed = new IOException("transform failed");
    Topic retrying =
        linear(3)
            .build(sleeper)
            .topic(failingThen(queue, List.of(new SendFailedException("1"), transformFailed)));

    assertThatThrownBy(() -> retrying.send(Message.of(new byte[] {1})))
        .isSameAs(transformFailed)
        .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
    assertThat(slept).hasSize(1);
  }

  @Test
  void theTopicKeepsNoMoreThanMaxBodySize() {
    MemoryQueue queue = MemoryQueue.create("q");
    Topic retrying = linear(3).maxBodySize(4).build(sleeper).topic(queue.topic());
    assertThatThrownBy(() -> retrying.send(Message.of(new byte[5])))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("over 4 bytes");
    assertThat(queue.held()).isZero();
  }

  @Test
  void exponentialDelaysDoubleUpToTheMaxWithinTheirUpperHalf() {
    Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1));
    for (int i = 0; i < 200; i++) {
      assertThat(backoff.delay(1)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
      assertThat(backoff.delay(2)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
      assertThat(backoff.delay(4)).isBetween(Duration.ofMillis(400), Duration.ofMillis(800));
      assertThat(backoff.delay(5)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
      assertThat(backoff.delay(Integer.MAX_VALUE))
          .isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
    }
    assertThat(Backoff.fixed(Duration.ofSeconds(3)).delay(9)).isEqualTo(Duration.ofSeconds(3));
    assertThatThrownBy(() -> backoff.delay(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("max delay PT1S below initial delay PT2S");
    assertThatThrownBy(() -> Retry.builder().maxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAttempts < 1: 0");
  }
}
