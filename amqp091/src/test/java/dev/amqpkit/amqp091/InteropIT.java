package dev.amqpkit.amqp091;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.LongString;
import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RequiresRabbitMq;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What amqpkit sends, the official Java client reads intact, and the other way round. */
@RequiresRabbitMq
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InteropIT {
  private static final Instant WHEN = Instant.ofEpochSecond(1_700_000_000L);

  private static com.rabbitmq.client.Connection reference(RabbitMq broker) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(broker.uri());
    return factory.newConnection("amqpkit-interop");
  }

  private static Map<String, Object> headers() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("string", "text");
    h.put("int", 42);
    h.put("long", 1L << 40);
    h.put("bool", true);
    h.put("double", 2.5d);
    h.put("float", 1.5f);
    h.put("decimal", new BigDecimal("12.34"));
    h.put("bytes", new byte[] {1, 2, 3});
    h.put("nested", Map.of("inner", "value"));
    h.put("array", List.of(1, "two"));
    return h;
  }

  @Test
  void theOfficialClientReadsWhatAmqpkitPublishes(RabbitMq broker) throws Exception {
    String queue = broker.queueName("to-reference");
    try (Connection connection = Connection.open(broker.uri());
        com.rabbitmq.client.Connection ref = reference(broker)) {
      Channel channel = connection.openChannel();
      channel.queueDeclare(QueueSpec.named(queue));
      BasicProperties props =
          BasicProperties.builder()
              .contentType("application/json")
              .contentEncoding("gzip")
              .headers(headers())
              .persistent()
              .priority(7)
              .correlationId("corr")
              .replyTo("reply")
              .expiration("60000")
              .messageId("msg-1")
              .timestamp(WHEN)
              .type("kind")
              .userId("guest")
              .appId("amqpkit")
              .build();
      channel.basicPublish("", queue, props, "{}".getBytes(UTF_8));

      com.rabbitmq.client.Channel refChannel = ref.createChannel();
      GetResponse got =
          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> refChannel.basicGet(queue, true), r -> r != null);
      AMQP.BasicProperties p = got.getProps();
      assertThat(new String(got.getBody(), UTF_8)).isEqualTo("{}");
      assertThat(p.getContentType()).isEqualTo("application/json");
      assertThat(p.getContentEncoding()).isEqualTo("gzip");
      assertThat(p.getDeliveryMode()).isEqualTo(2);
      assertThat(p.getPriority()).isEqualTo(7);
      assertThat(p.getCorrelationId()).isEqualTo("corr");
      assertThat(p.getReplyTo()).isEqualTo("reply");
      assertThat(p.getExpiration()).isEqualTo("60000");
      assertThat(p.getMessageId()).isEqualTo("msg-1");
      assertThat(p.getTimestamp()).isEqualTo(Date.from(WHEN));
      assertThat(p.getType()).isEqualTo("kind");
      assertThat(p.getUserId()).isEqualTo("guest");
      assertThat(p.getAppId()).isEqualTo("amqpkit");
      Map<String, Object> h = p.getHeaders();
      assertThat(h.get("string")).isInstanceOf(LongString.class).hasToString("text");
      assertThat(h)
          .containsEntry("int", 42)
          .containsEntry("long", 1L << 40)
          .containsEntry("bool", true);
      assertThat(h).containsEntry("double", 2.5d).containsEntry("float", 1.5f);
      assertThat(h).containsEntry("decimal", new BigDecimal("12.34"));
      assertThat((byte[]) h.get("bytes")).containsExactly(1, 2, 3);
      assertThat(((Map<?, ?>) h.get("nested")).get("inner")).hasToString("value");
      assertThat((List<?>) h.get("array")).hasSize(2).first().isEqualTo(1);
    }
  }

  @Test
  void amqpkitReadsWhatTheOfficialClientPublishes(RabbitMq broker) throws Exception {
    String queue = broker.queueName("from-reference");
    try (Connection connection = Connection.open(broker.uri());
        com.rabbitmq.client.Connection ref = reference(broker)) {
      Channel channel = connection.openChannel();
      channel.queueDeclare(QueueSpec.named(queue));
      Map<String, Object> sent = headers();
      sent.put("timestamp", Date.from(WHEN));
      AMQP.BasicProperties props =
          new AMQP.BasicProperties.Builder()
              .contentType("text/plain")
              .contentEncoding("utf-8")
              .headers(sent)
              .deliveryMode(1)
              .priority(2)
              .correlationId("c")
              .replyTo("r")
              .expiration("1000")
              .messageId("m")
              .timestamp(Date.from(WHEN))
              .type("t")
              .userId("guest")
              .appId("ref")
              .build();
      ref.createChannel().basicPublish("", queue, props, "hello".getBytes(UTF_8));

      Delivery d =
          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> channel.basicGetAutoAck(queue), Optional::isPresent)
              .get();
      BasicProperties p = d.properties();
      assertThat(new String(d.body(), UTF_8)).isEqualTo("hello");
      assertThat(p.contentType()).isEqualTo("text/plain");
      assertThat(p.contentEncoding()).isEqualTo("utf-8");
      assertThat(p.deliveryMode()).isEqualTo(1);
      assertThat(p.priority()).isEqualTo(2);
      assertThat(p.correlationId()).isEqualTo("c");
      assertThat(p.replyTo()).isEqualTo("r");
      assertThat(p.expiration()).isEqualTo("1000");
      assertThat(p.messageId()).isEqualTo("m");
      assertThat(p.timestamp()).isEqualTo(WHEN);
      assertThat(p.type()).isEqualTo("t");
      assertThat(p.userId()).isEqualTo("guest");
      assertThat(p.appId()).isEqualTo("ref");
      Map<String, Object> h = p.headers();
      assertThat(h)
          .containsEntry("string", "text")
          .containsEntry("int", 42)
          .containsEntry("long", 1L << 40)
          .containsEntry("bool", true)
          .containsEntry("double", 2.5d)
          .containsEntry("float", 1.5f)
          .containsEntry("decimal", new BigDecimal("12.34"))
          .containsEntry("timestamp", WHEN)
          .containsEntry("nested", Map.of("inner", "value"))
          .containsEntry("array", List.of(1, "two"));
      assertThat((byte[]) h.get("bytes")).containsExactly(1, 2, 3);
    }
  }
}
