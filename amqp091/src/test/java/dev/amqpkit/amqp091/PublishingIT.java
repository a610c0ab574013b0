package dev.amqpkit.amqp091;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RequiresRabbitMq;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@RequiresRabbitMq
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PublishingIT {

  /** A body that says who published it and carries a checksum of itself. */
  private static byte[] body(int thread, int index, int size) {
    ByteBuffer b = ByteBuffer.allocate(Math.max(16, size));
    b.putInt(thread).putInt(index);
    for (int i = 16; i < b.capacity(); i++) b.put(i, (byte) (thread * 31 + index + i));
    CRC32 crc = new CRC32();
    crc.update(b.array(), 16, b.capacity() - 16);
    b.putLong(8, crc.getValue());
    return b.array();
  }

  private static boolean intact(byte[] body) {
    CRC32 crc = new CRC32();
    crc.update(body, 16, body.length - 16);
    return ByteBuffer.wrap(body).getLong(8) == crc.getValue();
  }

  @Test
  void manyThreadsPublishOnOneChannelWithoutInterleavingFrames(RabbitMq broker) throws Exception {
    int threads = 8;
    int perThread = 1000;
    String queue = broker.queueName("shared");
    try (Connection connection =
        Connection.open(ConnectionOptions.builder().uri(broker.uri()).frameMax(4096).build())) {
      Channel channel = connection.openChannel();
      channel.queueDeclare(QueueSpec.named(queue));
      channel.confirmSelect();
      Map<Integer, Integer> lastIndex = new ConcurrentHashMap<>();
      CountDownLatch all = new CountDownLatch(threads * perThread);
      List<String> problems = new ArrayList<>();
      Channel consumer = connection.openChannel();
      consumer.basicConsume(
          queue,
          ConsumeOptions.defaults().autoAck(),
          d -> {
            ByteBuffer b = ByteBuffer.wrap(d.body());
            int thread = b.getInt(0);
            int index = b.getInt(4);
            Integer previous = lastIndex.put(thread, index);
            if (!intact(d.body()) || (previous != null && previous != index - 1)) {
              synchronized (problems) {
                problems.add("thread " + thread + " message " + index + " after " + previous);
              }
            }
            all.countDown();
          });

      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<List<CompletableFuture<Void>>>> publishers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        publishers.add(
            pool.submit(
                () -> {
                  List<CompletableFuture<Void>> confirms = new ArrayList<>();
                  for (int i = 0; i < perThread; i++) {
                    // Sizes from a few bytes to several frames of 4 KiB.
                    int size = (i * 997 + thread * 131) % 12_000;
                    confirms.add(
                        channel.basicPublishWithConfirm(
                            "", queue, BasicProperties.EMPTY, body(thread, i, size)));
                  }
                  return confirms;
                }));
      }
      for (Future<List<CompletableFuture<Void>>> p : publishers) {
        for (CompletableFuture<Void> c : p.get(60, TimeUnit.SECONDS)) c.get(30, TimeUnit.SECONDS);
      }
      pool.shutdown();

      assertThat(all.await(60, TimeUnit.SECONDS)).as("all deliveries").isTrue();
      assertThat(problems).isEmpty();
      assertThat(lastIndex)
          .hasSize(threads)
          .allSatisfy((t, last) -> assertThat(last).isEqualTo(perThread - 1));
    }
  }

  @Test
  void largeBodiesStreamedFromManyThreadsStayWholeBesideSmallOnes(RabbitMq broker)
      throws Exception {
    // Bodies over 256 KiB are written from the caller's array while other threads keep queueing
    // frames: on one channel none may get between them (RabbitMQ would close the connection with
    // 505 UNEXPECTED_FRAME).
    int threads = 4;
    int perThread = 6;
    String queue = broker.queueName("large");
    try (Connection connection = Connection.open(broker.uri())) {
      Channel channel = connection.openChannel();
      channel.queueDeclare(QueueSpec.named(queue));
      channel.confirmSelect(4);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<List<CompletableFuture<Void>>>> publishers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        publishers.add(
            pool.submit(
                () -> {
                  List<CompletableFuture<Void>> confirms = new ArrayList<>();
                  for (int i = 0; i < perThread; i++) {
                    // Odd messages are large (up to 3 MiB), even ones small.
                    int size = i % 2 == 1 ? 1_000_000 * (1 + (thread + i) % 3) : 100 + i;
                    confirms.add(
                        channel.basicPublishWithConfirm(
                            "", queue, BasicProperties.EMPTY, body(thread, i, size)));
                    // Another method on the same channel goes before or after a body, never inside.
                    channel.basicQos(10);
                  }
                  return confirms;
                }));
      }
      for (Future<List<CompletableFuture<Void>>> p : publishers) {
        for (CompletableFuture<Void> c : p.get(60, TimeUnit.SECONDS)) c.get(30, TimeUnit.SECONDS);
      }
      pool.shutdown();

      Map<Integer, Integer> perPublisher = new ConcurrentHashMap<>();
      for (int n = 0; n < threads * perThread; n++) {
        Delivery d = channel.basicGetAutoAck(queue).orElseThrow();
        assertThat(intact(d.body())).as("message %d intact", n).isTrue();
        perPublisher.merge(ByteBuffer.wrap(d.body()).getInt(0), 1, Integer::sum);
      }
      assertThat(channel.basicGetAutoAck(queue)).isEmpty();
      assertThat(perPublisher).hasSize(threads).allSatisfy((t, c) -> assertThat(c).isEqualTo(6));
      assertThat(connection.isOpen()).isTrue();
    }
  }

  @Test
  void unsignedHeaderValuesComeBackFromRabbitMqWithTheirTypes(RabbitMq broker) {
    String queue = broker.queueName("unsigned");
    try (Connection connection = Connection.open(broker.uri())) {
      Channel channel = connection.openChannel();
      channel.queueDeclare(QueueSpec.named(queue));
      Map<String, Object> headers =
          Map.of(
              "B", new UnsignedByte(200),
              "u", new UnsignedShort(60_000),
              "i", new UnsignedInt(4_000_000_000L),
              "I", 7);
      channel.basicPublish(
          "", queue, BasicProperties.builder().headers(headers).build(), new byte[] {1});

      Delivery d =
          org.awaitility.Awaitility.await()
              .atMost(Duration.ofSeconds(5))
              .until(() -> channel.basicGetAutoAck(queue), java.util.Optional::isPresent)
              .orElseThrow();
      assertThat(d.properties().headers()).isEqualTo(headers);
    }
  }

  @Test
  void heartbeatsKeepAnIdleConnectionAlive(RabbitMq broker) throws Exception {
    try (Connection connection =
        Connection.open(
            ConnectionOptions.builder()
                .uri(broker.uri())
                .heartbeat(Duration.ofSeconds(1))
                .build())) {
      assertThat(connection.heartbeat()).isEqualTo(Duration.ofSeconds(1));
      CountDownLatch closed = new CountDownLatch(1);
      connection.addListener(
          new ConnectionListener() {
            @Override
            public void closed(ConnectionClosedException cause) {
              closed.countDown();
            }
          });

      // RabbitMQ closes a connection that sends nothing for two intervals: staying open for four
      // intervals proves the client's heartbeats flow, and the client seeing the broker's proves
      // the other direction (it would close with MissedHeartbeatException).
      assertThat(closed.await(4, TimeUnit.SECONDS)).isFalse();
      assertThat(connection.isOpen()).isTrue();
      Channel channel = connection.openChannel();
      assertThat(channel.queueDeclare(QueueSpec.serverNamed().exclusive()).queue()).isNotEmpty();
    }
  }

  @Test
  void updateSecretIsAcceptedForTheSameUser(RabbitMq broker) {
    try (Connection connection = Connection.open(broker.uri())) {
      connection.updateSecret(broker.endpoint().password(), "rotation test");
      assertThat(connection.isOpen()).isTrue();
      assertThat(connection.openChannel().isOpen()).isTrue();
    }
  }
}
