package dev.amqpkit.msg.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.amqpkit.msg.Attributes;
import dev.amqpkit.msg.ClosedWriterException;
import dev.amqpkit.msg.Message;
import dev.amqpkit.msg.MessageWriter;
import dev.amqpkit.msg.Receiver;
import dev.amqpkit.msg.SafeReceiver;
import dev.amqpkit.msg.Server;
import dev.amqpkit.msg.ServerClosedException;
import dev.amqpkit.msg.Topic;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * What every msg backend does, whatever its broker: extend this class, implement {@link
 * #destination}, and run it with JUnit 5 (AssertJ and Awaitility on the test class path).
 *
 * <p>Each test gets a new destination (a queue no other test uses) and closes it after. Servers
 * made through it are shut down after the test, and each test fails if a {@code serve} does not
 * return. Every wait is bounded.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
public abstract class BackendContract {

  /** A place to send messages to and serve them from, fresh for one test. */
  public interface Destination extends AutoCloseable {

    /** The topic that sends to this destination. */
    Topic topic();

    /**
     * A server taking from this destination, {@code concurrency} messages at most at once, that
     * puts a message whose receive failed back to be delivered again.
     */
    Server server(int concurrency);

    /**
     * Whether {@link #breakConnections()} can do anything: false for a backend without a broker
     * connection; the test that needs it is then skipped.
     */
    default boolean hasConnections() {
      return false;
    }

    /**
     * Closes the broker connections of this destination's topic and servers from outside, as a
     * broker or the network would: the backend is expected to heal.
     */
    default void breakConnections() throws Exception {
      throw new UnsupportedOperationException("no connections to break");
    }

    /** Releases the destination: its connections, its queue. */
    @Override
    void close() throws Exception;
  }

  /**
   * A destination unique to the running test.
   *
   * @param name a name unique to this test, made of letters, digits, '-' and '.'
   */
  protected abstract Destination destination(String name) throws Exception;

  private final List<Serving> servings = new CopyOnWriteArrayList<>();
  private ExecutorService threads;
  private String destinationName;
  private Destination destination;

  @BeforeEach
  void nameDestination(TestInfo info) {
    threads = Executors.newCachedThreadPool();
    String method = info.getTestMethod().map(m -> m.getName()).orElse("test");
    destinationName = "msg-contract." + method + "." + System.nanoTime();
  }

  /**
   * The test's destination, made on first use: after every {@code @BeforeEach} method, a subclass's
   * included.
   */
  private Destination destination() throws Exception {
    if (destination == null) destination = destination(destinationName);
    return destination;
  }

  @AfterEach
  void closeDestination() throws Exception {
    try {
      for (Serving serving : servings) {
        serving.server.shutdown(Duration.ofSeconds(5));
        serving.awaitEnd();
      }
    } finally {
      try {
        if (destination != null) destination.close();
      } finally {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS))
            .as("test threads ended")
            .isTrue();
      }
    }
  }

  /** A server being served on a thread of the test. */
  protected final class Serving {
    final Server server;
    final Future<?> serve;

    Serving(Server server, Future<?> serve) {
      this.server = server;
      this.serve = serve;
    }

    /** Waits for {@code serve} to return, and fails if it threw or did not within 20 s. */
    void awaitEnd() throws Exception {
      try {
        serve.get(20, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw new AssertionError("serve threw " + e.getCause(), e.getCause());
      }
    }
  }

  private Serving serve(int concurrency, Receiver receiver) throws Exception {
    Server server = destination().server(concurrency);
    Future<?> future =
        threads.submit(
            () -> {
              server.serve(receiver);
              return null;
            });
    Serving serving = new Serving(server, future);
    servings.add(serving);
    return serving;
  }

  private static void send(Topic topic, Attributes attributes, byte[] body) throws IOException {
    MessageWriter writer = topic.newWriter();
    writer.attributes().addAll(attributes);
    writer.write(body);
    writer.close();
  }

  private static String id(Message message) {
    return message.attributes().get("X-Id").orElseThrow();
  }

  @Test
  void attributesRoundTripWithOddKeysManyValuesAndNonAsciiValues() throws Exception {
    Attributes sent =
        new Attributes()
            .set("Content-Type", "application/json; charset=utf-8")
            .set("x-lower-case-key", "made canonical")
            .set("X-Spaced key", "a key with a space is kept as it is")
            .set("X-Colon:Key", "a:b;c=d")
            .set("Ключ", "значение")
            .set("X-Non-Ascii", "🐇 Grüße, 中文, ∑")
            .setAll("X-Many", List.of("one", "two", "two", ""))
            .set("X-Empty", "")
            .set("Message-Id", "id-42")
            .set("Correlation-Id", "corr-7");
    send(destination().topic(), sent, "x".getBytes(UTF_8));

    AtomicReference<Attributes> received = new AtomicReference<>();
    serve(1, m -> received.compareAndSet(null, m.attributes().copy()));
    await().atMost(Duration.ofSeconds(20)).until(() -> received.get() != null);

    Attributes got = received.get();
    for (String key : sent.keys()) {
      assertThat(got.getAll(key)).as("values of %s", key).isEqualTo(sent.getAll(key));
    }
    assertThat(got.keys()).as("no key added").containsExactlyInAnyOrderElementsOf(sent.keys());
    assertThat(got.get("X-LOWER-CASE-KEY")).contains("made canonical");
    assertThat(got.get("content-type")).contains("application/json; charset=utf-8");
    assertThat(got.get("x-spaced key")).as("an odd key is matched exactly").isEmpty();
  }

  @Test
  void emptyBinaryAndMultiMebibyteBodiesArriveIntact() throws Exception {
    byte[] everyByte = new byte[256];
    for (int i = 0; i < 256; i++) everyByte[i] = (byte) i;
    byte[] large = new byte[5 * 1024 * 1024 + 17];
    new Random(7).nextBytes(large);
    Map<String, byte[]> sent = Map.of("empty", new byte[0], "binary", everyByte, "large", large);
    for (Map.Entry<String, byte[]> e : sent.entrySet()) {
      send(destination().topic(), Attributes.of("X-Id", e.getKey()), e.getValue());
    }

    Map<String, byte[]> received = new ConcurrentHashMap<>();
    serve(2, m -> received.put(id(m), m.body().readAllBytes()));
    await().atMost(Duration.ofSeconds(60)).until(() -> received.size() == sent.size());
    for (Map.Entry<String, byte[]> e : sent.entrySet()) {
      assertThat(received.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
  }

  @Test
  void aFailedReceiveIsDeliveredAgainAndEventuallyProcessed() throws Exception {
    send(destination().topic(), Attributes.of("X-Id", "flaky"), new byte[] {1});
    send(destination().topic(), Attributes.of("X-Id", "fine"), new byte[] {2});
    Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> processed = new ConcurrentHashMap<>();
    serve(
        1,
        m -> {
          String id = id(m);
          int attempt = attempts.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
          if (id.equals("flaky") && attempt < 3) {
            throw new IllegalStateException("attempt " + attempt + " fails");
          }
          processed.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        });
    await().atMost(Duration.ofSeconds(30)).until(() -> processed.size() == 2);
    assertThat(attempts.get("flaky")).hasValue(3);
    assertThat(processed.get("flaky")).hasValue(1);
    assertThat(processed.get("fine")).hasValue(1);
  }

  @Test
  void aSafeReceiverTurnsAThrownErrorIntoARedelivery() throws Exception {
    send(destination().topic(), Attributes.of("X-Id", "poison"), new byte[] {1});
    AtomicInteger attempts = new AtomicInteger();
    CountDownLatch processed = new CountDownLatch(2);
    Serving serving =
        serve(
            1,
            SafeReceiver.of(
                m -> {
                  int attempt = attempts.incrementAndGet();
                  if (attempt == 1) throw new AssertionError("an error, not an exception");
                  if (attempt == 2) throw new StackOverflowError();
                  processed.countDown();
                }));
    await().atMost(Duration.ofSeconds(30)).until(() -> attempts.get() >= 3);
    send(destination().topic(), Attributes.of("X-Id", "after"), new byte[] {2});
    assertThat(processed.await(30, TimeUnit.SECONDS)).as("both processed").isTrue();
    assertThat(attempts).hasValue(4);
    assertThat(serving.serve.isDone()).as("serve still running").isFalse();
  }

  @Test
  void anErrorFromAnUnsafeReceiverEndsServeAndTheMessageIsKept() throws Exception {
    send(destination().topic(), Attributes.of("X-Id", "poison"), new byte[] {1});
    Serving serving =
        serve(
            1,
            m -> {
              throw new AssertionError("boom");
            });
    assertThatThrownBy(() -> serving.serve.get(60, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(AssertionError.class)
        .hasMessage("boom");
    servings.remove(serving);

    AtomicReference<String> again = new AtomicReference<>();
    serve(1, m -> again.set(id(m)));
    await().atMost(Duration.ofSeconds(30)).until(() -> "poison".equals(again.get()));
  }

  @Test
  void theConcurrencyLimitIsNeverExceeded() throws Exception {
    int limit = 3;
    for (int i = 0; i < 30; i++) {
      send(destination().topic(), Attributes.of("X-Id", "m" + i), new byte[] {(byte) i});
    }
    AtomicInteger active = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    serve(
        limit,
        m -> {
          int now = active.incrementAndGet();
          most.accumulateAndGet(now, Math::max);
          try {
            // Hold on until the limit is reached (or 2 s), so that a server allowing more shows.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (active.get() < limit && System.nanoTime() < until) Thread.sleep(5);
            Thread.sleep(10);
          } finally {
            active.decrementAndGet();
            done.incrementAndGet();
          }
        });
    await().atMost(Duration.ofSeconds(60)).until(() -> done.get() == 30);
    assertThat(most).as("most receives at once").hasValue(limit);
  }

  @Test
  void shutdownStopsTakingAndWaitsForMessagesInFlight() throws Exception {
    send(destination().topic(), Attributes.of("X-Id", "first"), new byte[] {1});
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> processed = new CopyOnWriteArrayList<>();
    Serving serving =
        serve(
            2,
            m -> {
              started.countDown();
              assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
              processed.add(id(m));
            });
    assertThat(started.await(20, TimeUnit.SECONDS)).as("receive started").isTrue();

    Future<Boolean> shutdown =
        threads.submit(() -> serving.server.shutdown(Duration.ofSeconds(30)));
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !shutdown.isDone() && !serving.serve.isDone());
    send(destination().topic(), Attributes.of("X-Id", "second"), new byte[] {2});
    release.countDown();

    assertThat(shutdown.get(20, TimeUnit.SECONDS)).as("all finished in time").isTrue();
    serving.awaitEnd();
    assertThat(processed).as("not taken once shutdown began").containsExactly("first");

    List<String> later = new CopyOnWriteArrayList<>();
    serve(1, m -> later.add(id(m)));
    await().atMost(Duration.ofSeconds(20)).until(() -> later.contains("second"));
    assertThat(later).containsExactly("second");
  }

  @Test
  void shutdownHonoursItsTimeoutAndTheUnfinishedMessageComesBack() throws Exception {
    send(destination().topic(), Attributes.of("X-Id", "stuck"), new byte[] {1});
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    Serving serving =
        serve(
            1,
            m -> {
              started.countDown();
              never.await(60, TimeUnit.SECONDS);
              throw new IllegalStateException("not processed");
            });
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

    long begin = System.nanoTime();
    boolean finished = serving.server.shutdown(Duration.ofMillis(500));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
    assertThat(finished).as("the stuck receive did not finish").isFalse();
    assertThat(tookMillis).as("shutdown returned near its timeout").isBetween(450L, 10_000L);
    serving.awaitEnd();

    AtomicReference<String> again = new AtomicReference<>();
    serve(1, m -> again.set(id(m)));
    await().atMost(Duration.ofSeconds(30)).until(() -> "stuck".equals(again.get()));
  }

  @Test
  void writingOrClosingAClosedWriterFails() throws Exception {
    MessageWriter writer = destination().topic().newWriter();
    writer.write(new byte[] {1, 2, 3});
    writer.close();
    assertThatThrownBy(() -> writer.write(4)).isInstanceOf(ClosedWriterException.class);
    assertThatThrownBy(() -> writer.write(new byte[] {5}))
        .isInstanceOf(ClosedWriterException.class);
    assertThatThrownBy(writer::close).isInstanceOf(ClosedWriterException.class);
  }

  @Test
  void servingAfterShutdownFails() throws Exception {
    Server never = destination().server(1);
    assertThat(never.shutdown(Duration.ofSeconds(5))).isTrue();
    assertThatThrownBy(() -> never.serve(m -> {})).isInstanceOf(ServerClosedException.class);

    Serving serving = serve(1, m -> {});
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> serving.server.shutdown(Duration.ofSeconds(5)));
    serving.awaitEnd();
    assertThatThrownBy(() -> serving.server.serve(m -> {}))
        .isInstanceOf(ServerClosedException.class);
  }

  @Test
  void theBodyCannotBeReadAfterReceiveReturned() throws Exception {
    send(destination().topic(), Attributes.of("X-Id", "kept"), new byte[] {1, 2, 3});
    AtomicReference<Message> kept = new AtomicReference<>();
    serve(
        1,
        m -> {
          assertThat(m.body().read()).isEqualTo(1);
          kept.set(m);
        });
    await().atMost(Duration.ofSeconds(20)).until(() -> kept.get() != null);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> kept.get().body().read()).isInstanceOf(IOException.class));
  }

  @Test
  void tenThousandMessagesFromConcurrentWritersArriveExactlyOnce() throws Exception {
    int writers = 8;
    int each = 1250;
    Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
    AtomicInteger total = new AtomicInteger();
    serve(
        8,
        m -> {
          received.computeIfAbsent(id(m), k -> new AtomicInteger()).incrementAndGet();
          total.incrementAndGet();
        });
    List<Future<?>> sends = new ArrayList<>();
    Topic topic = destination().topic();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      sends.add(
          threads.submit(
              () -> {
                for (int i = 0; i < each; i++) {
                  send(topic, Attributes.of("X-Id", writer + "-" + i), new byte[16]);
                }
                return null;
              }));
    }
    for (Future<?> f : sends) f.get(120, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(60)).until(() -> total.get() >= writers * each);
    // Give a duplicate the time to show.
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> true);
    assertThat(received).hasSize(writers * each);
    assertThat(total).hasValue(writers * each);
  }

  @Test
  void messagesSurviveTheBrokerConnectionClosedMidStream() throws Exception {
    assumeTrue(destination().hasConnections(), "this backend has no broker connection");
    int count = 2000;
    Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
    AtomicInteger total = new AtomicInteger();
    serve(
        4,
        m -> {
          received.computeIfAbsent(id(m), k -> new AtomicInteger()).incrementAndGet();
          total.incrementAndGet();
        });
    Topic topic = destination().topic();
    AtomicInteger sent = new AtomicInteger();
    Future<?> sending =
        threads.submit(
            () -> {
              for (int i = 0; i < count; i++) {
                send(topic, Attributes.of("X-Id", "m" + i), new byte[64]);
                sent.incrementAndGet();
              }
              return null;
            });
    await().atMost(Duration.ofSeconds(60)).until(() -> total.get() >= count / 4);
    destination().breakConnections();
    sending.get(120, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(120)).until(() -> received.size() == count);
    int duplicates = total.get() - count;
    System.out.printf(
        "%s: %d messages sent, all received, %d duplicates after the connections were closed%n",
        getClass().getSimpleName(), count, duplicates);
    assertThat(received).hasSize(count);
  }
}
