package dev.amqpkit.msg.decorate;

import static dev.amqpkit.msg.decorate.ContentEncoding.BASE64;
import static dev.amqpkit.msg.decorate.ContentEncoding.GZIP;
import static dev.amqpkit.msg.decorate.ContentEncoding.ZSTD;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.msg.Attributes;
import dev.amqpkit.msg.ClosedWriterException;
import dev.amqpkit.msg.FailurePolicy;
import dev.amqpkit.msg.Message;
import dev.amqpkit.msg.MessageWriter;
import dev.amqpkit.msg.Receiver;
import dev.amqpkit.msg.Topic;
import dev.amqpkit.msg.mem.MemoryQueue;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(120)
class EncodingTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Text that compresses, with a random tail that does not. */
  private static byte[] body() {
    byte[] text = "the quick brown fox jumps over the lazy dog. ".repeat(2000).getBytes(UTF_8);
    byte[] noise = new byte[5000];
    new Random(7).nextBytes(noise);
    byte[] body = Arrays.copyOf(text, text.length + noise.length);
    System.arraycopy(noise, 0, body, text.length, noise.length);
    return body;
  }

  private static ContentEncoding named(String token) {
    return switch (token) {
      case "gzip" -> GZIP;
      case "base64" -> BASE64;
      case "zstd" -> ZSTD;
      default -> throw new IllegalArgumentException(token);
    };
  }

  /**
   * Serves {@code queue} to a receiver that collects messages, decorated by {@code decorate}, until
   * {@code count} messages came out of it, and returns them in order.
   */
  private static List<Message> receive(
      MemoryQueue queue, int count, UnaryOperator<Receiver> decorate) throws Exception {
    BlockingQueue<Message> got = new LinkedBlockingQueue<>();
    Receiver collect = m -> got.add(m.withBody(m.body().readAllBytes()));
    List<Message> messages = new ArrayList<>();
    Serving serving = Serving.start(queue.server(1), decorate.apply(collect));
    try {
      for (int i = 0; i < count; i++) {
        Message m = got.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(m).as("message " + i + " from " + queue).isNotNull();
        messages.add(m);
      }
    } finally {
      serving.stop();
    }
    return messages;
  }

  private static Message receiveOne(MemoryQueue queue, UnaryOperator<Receiver> decorate)
      throws Exception {
    return receive(queue, 1, decorate).get(0);
  }

  private static Message rawOne(MemoryQueue queue) throws Exception {
    return receiveOne(queue, UnaryOperator.identity());
  }

  private static void send(Topic topic, Attributes attributes, byte[] body) throws IOException {
    topic.send(Message.of(attributes, body));
  }

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "base64", "zstd"})
  void eachEncodingRoundTripsThroughAQueueAndLeavesNoTrace(String token) throws Exception {
    MemoryQueue queue = MemoryQueue.create("q");
    byte[] body = body();
    send(Encoding.topic(queue.topic(), named(token)), Attributes.of("X-Id", "1"), body);
    send(Encoding.topic(queue.topic(), named(token)), Attributes.of("X-Id", "2"), new byte[0]);

    List<Message> decoded = receive(queue, 2, Encoding::receiver);
    assertThat(decoded.get(0).body().readAllBytes()).isEqualTo(body);
    assertThat(decoded.get(0).attributes()).isEqualTo(Attributes.of("X-Id", "1"));
    Message empty = decoded.get(1);
    assertThat(empty.body().readAllBytes()).isEmpty();
    assertThat(empty.attributes()).isEqualTo(Attributes.of("X-Id", "2"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "zstd"})
  void compressionShrinksTheBodyOnTheWireAndNamesItself(String token) throws Exception {
    MemoryQueue queue = MemoryQueue.create("q");
    byte[] body = body();
    send(Encoding.topic(queue.topic(), named(token)), new Attributes(), body);

    Message raw = rawOne(queue);
    assertThat(raw.attributes().getAll("content-encoding")).containsExactly(token);
    assertThat(raw.body().readAllBytes().length).isLessThan(body.length / 4);
  }

  @Test
  void gzipThenBase64IsRecordedInThatOrderAndUndoneInReverse() throws Exception {
    MemoryQueue queue = MemoryQueue.create("q");
    MemoryQueue copy = MemoryQueue.create("copy");
    byte[] body = body();
    send(
        Encoding.topic(queue.topic(), GZIP, BASE64),
        Attributes.of("Content-Type", "text/plain"),
        body);
    send(
        Encoding.topic(copy.topic(), GZIP, BASE64),
        Attributes.of("Content-Type", "text/plain"),
        body);

    Message raw = rawOne(copy);
    assertThat(raw.attributes().getAll(Encoding.CONTENT_ENCODING))
        .containsExactly("gzip", "base64");
    byte[] wire = raw.body().readAllBytes();
    assertThat(new String(wire, US_ASCII)).matches("[A-Za-z0-9+/]+=*");
    byte[] gzipped = Base64.getDecoder().decode(wire);
    assertThat(new GZIPInputStream(new ByteArrayInputStream(gzipped)).readAllBytes())
        .isEqualTo(body);

    Message decoded = receiveOne(queue, Encoding::receiver);
    assertThat(decoded.body().readAllBytes()).isEqualTo(body);
    assertThat(decoded.attributes()).isEqualTo(Attributes.of("Content-Type", "text/plain"));
  }

  @Test
  void aChainOfReceiversEachKnowingOneCodingDecodesBoth() throws Exception {
    MemoryQueue queue = MemoryQueue.create("q");
    byte[] body = body();
    send(Encoding.topic(queue.topic(), ZSTD, BASE64), new Attributes(), body);

    int limit = Encoding.DEFAULT_MAX_DECODED_SIZE;
    Message decoded =
        receiveOne(
            queue, next -> Encoding.receiver(Encoding.receiver(next, limit, ZSTD), limit, BASE64));
    assertThat(decoded.body().readAllBytes()).isEqualTo(body);
    assertThat(decoded.attributes().contains(Encoding.CONTENT_ENCODING)).isFalse();
  }

  @Test
  void theTopicAppendsAfterCodingsTheWriterAlreadyNamed() throws Exception {
    MemoryQueue queue = MemoryQueue.create("q");
    MemoryQueue copy = MemoryQueue.create("copy");
    byte[] brotli = {11, 22, 33};
    send(
        Encoding.topic(copy.topic(), GZIP),
        Attributes.of(Encoding.CONTENT_ENCODING, "br", "X-Id", "1"),
        brotli);
    send(
        Encoding.topic(queue.topic(), GZIP),
        Attributes.of(Encoding.CONTENT_ENCODING, "br", "X-Id", "2"),
        brotli);

    Message raw = rawOne(copy);
    assertThat(raw.attributes().getAll(Encoding.CONTENT_ENCODING)).containsExactly("br", "gzip");

    Message decoded = receiveOne(queue, Encoding::receiver);
    assertThat(decoded.body().readAllBytes()).containsExactly(11, 22, 33);
    assertThat(decoded.attributes().getAll(Encoding.CONTENT_ENCODING)).containsExactly("br");
    assertThat(decoded.attributes().get("X-Id")).contains("2");
  }

  @Test
  void anUnknownCodingPassesThroughUntouched() throws Exception {
    Message message =
        Message.of(Attributes.of(Encoding.CONTENT_ENCODING, "br", "X-Id", "1"), new byte[] {1, 2});
    AtomicInteger calls = new AtomicInteger();
    Encoding.receiver(
            m -> {
              assertThat(m).isSameAs(message);
              assertThat(m.body().readAllBytes()).containsExactly(1, 2);
              calls.incrementAndGet();
            })
        .receive(message);
    assertThat(calls).hasValue(1);
    assertThat(message.attributes().getAll(Encoding.CONTENT_ENCODING)).containsExactly("br");
  }

  @Test
  void onlyTheKnownCodingsAfterAnUnknownOneAreUndone() throws Exception {
    ByteArrayOutputStream encoded = new ByteArrayOutputStream();
    try (OutputStream out = GZIP.encoder(encoded)) {
      out.write(new byte[] {5, 6, 7});
    }
    Message message =
        Message.of(
            Attributes.of(
                Encoding.CONTENT_ENCODING, "gzip, BR, Identity", "Content-Encoding", "GZip"),
            encoded.toByteArray());
    List<Message> got = new CopyOnWriteArrayList<>();
    Encoding.receiver(m -> got.add(m.withBody(m.body().readAllBytes()))).receive(message);

    assertThat(got).hasSize(1);
    assertThat(got.get(0).body().readAllBytes()).containsExactly(5, 6, 7);
    assertThat(got.get(0).attributes().getAll(Encoding.CONTENT_ENCODING))
        .containsExactly("gzip", "br");
  }

  @Test
  void aMessageWithoutContentEncodingIsPassedAsItIs() throws Exception {
    Message message = Message.of(Attributes.of("X-Id", "1"), new byte[] {1});
    List<Message> got = new CopyOnWriteArrayList<>();
    Encoding.receiver(got::add).receive(message);
    assertThat(got).containsExactly(message);
  }

  @Test
  void aCorruptGzipBodyFailsTheReceiveAndIsRedeliveredThenDeadLettered() throws Exception {
    MemoryQueue dead = MemoryQueue.create("dead");
    MemoryQueue queue =
        MemoryQueue.builder("q").onFailure(FailurePolicy.DEAD_LETTER).deadLetterQueue(dead).build();
    send(
        queue.topic(),
        Attributes.of(Encoding.CONTENT_ENCODING, "gzip", "X-Id", "1"),
        "not gzip at all".getBytes(UTF_8));
    List<Exception> failures = new CopyOnWriteArrayList<>();
    AtomicInteger handled = new AtomicInteger();
    Receiver decoding = Encoding.receiver(m -> handled.incrementAndGet());
    Serving.until(
        queue.server(1),
        m -> {
          try {
            decoding.receive(m);
          } catch (Exception e) {
            failures.add(e);
            throw e;
          }
        },
        WAIT,
        () -> dead.size() == 1);
    assertThat(handled).hasValue(0);
    assertThat(failures).singleElement().isInstanceOf(ContentDecodingException.class);
    ContentDecodingException failure = (ContentDecodingException) failures.get(0);
    assertThat(failure.encoding()).isEqualTo("gzip");
    assertThat(failure).hasMessageContaining("cannot decode the gzip message body");
    Message deadLettered = rawOne(dead);
    assertThat(deadLettered.attributes().getAll(Encoding.CONTENT_ENCODING)).containsExactly("gzip");
    assertThat(deadLettered.body().readAllBytes()).asString(UTF_8).isEqualTo("not gzip at all");
  }

  @Test
  void aCorruptBodyIsRedeliveredUnderTheDefaultPolicy() throws Exception {
    MemoryQueue queue = MemoryQueue.create("q");
    send(
        queue.topic(),
        Attributes.of(Encoding.CONTENT_ENCODING, "gzip"),
        "not gzip at all".getBytes(UTF_8));
    AtomicInteger deliveries = new AtomicInteger();
    Receiver decoding = Encoding.receiver(m -> {});
    Serving.until(
        queue.server(1),
        m -> {
          deliveries.incrementAndGet();
          decoding.receive(m);
        },
        WAIT,
        () -> deliveries.get() >= 3);
    assertThat(queue.held()).isEqualTo(1);
  }

  @Test
  void aTruncatedGzipBodyOrABadBase64CharacterFailsTheReceive() throws Exception {
    ByteArrayOutputStream encoded = new ByteArrayOutputStream();
    try (OutputStream out = GZIP.encoder(encoded)) {
      out.write(body());
    }
    byte[] truncated = Arrays.copyOf(encoded.toByteArray(), encoded.size() / 2);
    Receiver decoding = Encoding.receiver(m -> {});

    assertThatThrownBy(
            () ->
                decoding.receive(
                    Message.of(Attributes.of(Encoding.CONTENT_ENCODING, "gzip"), truncated)))
        .isInstanceOf(ContentDecodingException.class)
        .hasMessageContaining("gzip")
        .satisfies(e -> assertThat(((ContentDecodingException) e).encoding()).isEqualTo("gzip"));
    assertThatThrownBy(
            () ->
                decoding.receive(
                    Message.of(
                        Attributes.of(Encoding.CONTENT_ENCODING, "base64"),
                        "AAAA-not-base64".getBytes(US_ASCII))))
        .isInstanceOf(ContentDecodingException.class)
        .satisfies(e -> assertThat(((ContentDecodingException) e).encoding()).isEqualTo("base64"));
    assertThatThrownBy(
            () ->
                decoding.receive(
                    Message.of(
                        Attributes.of(Encoding.CONTENT_ENCODING, "zstd"),
                        "not zstd".getBytes(US_ASCII))))
        .isInstanceOf(ContentDecodingException.class)
        .satisfies(e -> assertThat(((ContentDecodingException) e).encoding()).isEqualTo("zstd"));
  }

  /** Compresses {@code size} zero bytes, streaming: only the compressed form is held. */
  private static byte[] zeros(ContentEncoding encoding, long size) throws IOException {
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = encoding.encoder(compressed)) {
      for (long written = 0; written < size; written += chunk.length) out.write(chunk);
    }
    return compressed.toByteArray();
  }

  @Test
  void aGzipBombOfOneGibibyteIsRefusedAtTheDefaultLimit() throws Exception {
    byte[] bomb = zeros(GZIP, 1L << 30);
    assertThat(bomb.length).isLessThan(2 << 20);
    MemoryQueue dead = MemoryQueue.create("dead");
    MemoryQueue queue =
        MemoryQueue.builder("q").onFailure(FailurePolicy.DEAD_LETTER).deadLetterQueue(dead).build();
    send(queue.topic(), Attributes.of(Encoding.CONTENT_ENCODING, "gzip"), bomb);
    List<Exception> failures = new CopyOnWriteArrayList<>();
    AtomicInteger handled = new AtomicInteger();
    Receiver decoding = Encoding.receiver(m -> handled.incrementAndGet());
    Serving.until(
        queue.server(1),
        m -> {
          try {
            decoding.receive(m);
          } catch (Exception e) {
            failures.add(e);
            throw e;
          }
        },
        Duration.ofSeconds(60),
        () -> dead.size() == 1);
    assertThat(handled).hasValue(0);
    assertThat(failures).singleElement().isInstanceOf(DecodedBodyTooLargeException.class);
    DecodedBodyTooLargeException failure = (DecodedBodyTooLargeException) failures.get(0);
    assertThat(failure.limit()).isEqualTo(Encoding.DEFAULT_MAX_DECODED_SIZE);
    assertThat(failure.encoding()).isEqualTo("gzip");
    assertThat(failure).hasMessageContaining("over 67108864 bytes");
  }

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "zstd"})
  void eachCompressionStopsAtTheLimitGiven(String token) throws Exception {
    byte[] bomb = zeros(named(token), 64L << 20);
    Receiver decoding = Encoding.receiver(m -> {}, 1 << 20, named(token));
    Message message = Message.of(Attributes.of(Encoding.CONTENT_ENCODING, token), bomb);

    assertThatThrownBy(() -> decoding.receive(message))
        .isInstanceOfSatisfying(
            DecodedBodyTooLargeException.class,
            e -> {
              assertThat(e.limit()).isEqualTo(1 << 20);
              assertThat(e.encoding()).isEqualTo(token);
            });
  }

  @Test
  void aBodyOfExactlyTheLimitIsAccepted() throws Exception {
    byte[] compressed = zeros(GZIP, 1 << 20);
    AtomicInteger size = new AtomicInteger();
    Encoding.receiver(m -> size.set(m.body().readAllBytes().length), 1 << 20, GZIP)
        .receive(Message.of(Attributes.of(Encoding.CONTENT_ENCODING, "gzip"), compressed));
    assertThat(size).hasValue(1 << 20);
  }

  /** A topic whose writers record what reaches them, and when. */
  private static final class Recording implements Topic {
    final ByteArrayOutputStream written = new ByteArrayOutputStream();
    final Attributes attributes = new Attributes();
    boolean closed;

    @Override
    public MessageWriter newWriter() {
      return new MessageWriter() {
        @Override
        public Attributes attributes() {
          return attributes;
        }

        @Override
        public void write(int b) {
          written.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          written.write(b, off, len);
        }

        @Override
        public void close() {
          closed = true;
        }
      };
    }
  }

  @Test
  void theWriterStreamsTheEncodedBodyAsItIsWritten() throws Exception {
    Recording target = new Recording();
    MessageWriter writer = Encoding.topic(target, GZIP).newWriter();
    byte[] noise = new byte[1 << 20];
    new Random(1).nextBytes(noise);
    writer.write(noise);

    assertThat(target.written.size()).isGreaterThan(noise.length / 2);
    assertThat(target.attributes.contains(Encoding.CONTENT_ENCODING)).isFalse();
    assertThat(target.closed).isFalse();
    writer.close();
    assertThat(target.closed).isTrue();
    assertThat(target.attributes.getAll(Encoding.CONTENT_ENCODING)).containsExactly("gzip");
  }

  @Test
  void aClosedWriterRefusesWritesAndCloses() throws Exception {
    Recording target = new Recording();
    MessageWriter writer = Encoding.topic(target, BASE64).newWriter();
    writer.write(1);
    writer.close();
    assertThatThrownBy(() -> writer.write(2)).isInstanceOf(ClosedWriterException.class);
    assertThatThrownBy(writer::close).isInstanceOf(ClosedWriterException.class);
    assertThat(target.attributes.getAll(Encoding.CONTENT_ENCODING)).containsExactly("base64");
  }

  @Test
  void aWriteThatFailedMeansNothingIsSent() throws Exception {
    MemoryQueue queue = MemoryQueue.builder("q").maxBodySize(100).build();
    MessageWriter writer = Encoding.topic(queue.topic(), BASE64).newWriter();
    assertThatThrownBy(() -> writer.write(new byte[1000])).isInstanceOf(IOException.class);
    assertThatThrownBy(writer::close)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("message not sent: writing its body failed");
    assertThat(queue.held()).isZero();
    assertThatThrownBy(writer::close).isInstanceOf(ClosedWriterException.class);
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> Encoding.topic(MemoryQueue.create("q").topic()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no content encoding given");
    assertThatThrownBy(() -> Encoding.receiver(m -> {}, -1, GZIP))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDecodedSize < 0: -1");
    assertThatThrownBy(() -> Encoding.receiver(m -> {}, 10))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
