package dev.amqpkit.amqp10;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.amqp10.types.UnsignedLong;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.qpid.protonj2.client.Client;
import org.apache.qpid.protonj2.client.DeliveryState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Messages between amqpkit and Apache Qpid ProtonJ2 through an embedded Artemis, both ways, with
 * every section a broker passes on: header, message annotations, properties, application
 * properties, each body kind, footer. (Delivery annotations are for the next hop only: a broker
 * does not pass them on.)
 */
@Timeout(value = 60, unit = SECONDS)
class ProtonJ2InteropIT {
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static final long CREATED = 1_700_000_000_000L;
  private static final long EXPIRES = 1_900_000_000_000L;
  private static EmbeddedBroker broker;
  private static Client protonj2;

  @BeforeAll
  @Timeout(value = 30, unit = SECONDS)
  static void start() {
    broker = EmbeddedBroker.start();
    protonj2 = Client.create();
  }

  @AfterAll
  static void stop() {
    if (protonj2 != null) protonj2.close();
    if (broker != null) broker.close();
  }

  private static String address() {
    return "interop-it." + NAMES.incrementAndGet();
  }

  /** Application properties of every simple type both libraries map to the same Java type. */
  private static Map<String, Object> properties() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("string", "ACME Corp — café");
    p.put("int", 42);
    p.put("long", 1_234_567_890_123L);
    p.put("boolean", true);
    p.put("double", 2.5);
    p.put("uuid", new UUID(7, 11));
    p.put("null", null);
    return p;
  }

  @Test
  void everySectionAmqpkitSendsReachesProtonJ2() throws Exception {
    String address = address();
    Message.Builder b =
        Message.builder()
            .durable(true)
            .priority(7)
            .ttl(Duration.ofMinutes(5))
            .messageAnnotation(Symbol.valueOf("x-opt-origin"), "amqpkit")
            .messageId("order-4711")
            .userId("guest".getBytes(StandardCharsets.UTF_8))
            .to(address)
            .subject("new-order")
            .replyTo("replies")
            .correlationId(UnsignedLong.valueOf(99))
            .contentType("application/octet-stream")
            .absoluteExpiryTime(Instant.ofEpochMilli(EXPIRES))
            .creationTime(Instant.ofEpochMilli(CREATED))
            .groupId("group-1")
            .groupSequence(5L)
            .replyToGroupId("reply-group")
            .footer(Symbol.valueOf("x-opt-checksum"), "abc")
            .data(new byte[] {1, 2, 3});
    properties().forEach(b::applicationProperty);
    try (Connection c = Connection.open(broker.uri())) {
      Sender sender = c.openSession().openSender(address);
      assertThat(sender.send(b.build()).get(10, SECONDS)).isEqualTo(Outcome.ACCEPTED);
    }

    try (var peer = protonj2.connect("127.0.0.1", broker.port())) {
      var delivery = peer.openReceiver(address).receive(10, SECONDS);
      assertThat(delivery).isNotNull();
      var m = delivery.message();
      assertThat(m.durable()).isTrue();
      assertThat(m.priority()).isEqualTo((byte) 7);
      assertThat(m.timeToLive()).isEqualTo(Duration.ofMinutes(5).toMillis());
      assertThat(m.annotation("x-opt-origin")).isEqualTo("amqpkit");
      assertThat(m.messageId()).isEqualTo("order-4711");
      assertThat(m.userId()).isEqualTo("guest".getBytes(StandardCharsets.UTF_8));
      assertThat(m.to()).isEqualTo(address);
      assertThat(m.subject()).isEqualTo("new-order");
      assertThat(m.replyTo()).isEqualTo("replies");
      assertThat(m.correlationId())
          .isEqualTo(org.apache.qpid.protonj2.types.UnsignedLong.valueOf(99));
      assertThat(m.contentType()).isEqualTo("application/octet-stream");
      assertThat(m.absoluteExpiryTime()).isEqualTo(EXPIRES);
      assertThat(m.creationTime()).isEqualTo(CREATED);
      assertThat(m.groupId()).isEqualTo("group-1");
      assertThat(m.groupSequence()).isEqualTo(5);
      assertThat(m.replyToGroupId()).isEqualTo("reply-group");
      for (Map.Entry<String, Object> e : properties().entrySet()) {
        assertThat(m.property(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
      }
      assertThat(m.footer("x-opt-checksum")).isEqualTo("abc");
      assertThat(m.body()).isEqualTo(new byte[] {1, 2, 3});
      delivery.accept();
    }
  }

  @Test
  void everySectionProtonJ2SendsReachesAmqpkit() throws Exception {
    String address = address();
    try (var peer = protonj2.connect("127.0.0.1", broker.port())) {
      var m = org.apache.qpid.protonj2.client.Message.create(new byte[] {4, 5, 6});
      m.durable(true);
      m.priority((byte) 2);
      m.timeToLive(60_000);
      m.annotation("x-opt-origin", "protonj2");
      m.messageId(new UUID(1, 2));
      m.userId("guest".getBytes(StandardCharsets.UTF_8));
      m.to(address);
      m.subject("subject");
      m.replyTo("replies");
      m.correlationId("correlation");
      m.contentType("application/octet-stream");
      m.contentEncoding("gzip");
      m.absoluteExpiryTime(EXPIRES);
      m.creationTime(CREATED);
      m.groupId("group-2");
      m.groupSequence(9);
      m.replyToGroupId("reply-group");
      for (Map.Entry<String, Object> e : properties().entrySet()) {
        m.property(e.getKey(), e.getValue());
      }
      m.footer("x-opt-checksum", "def");
      var tracker = peer.openSender(address).send(m).awaitSettlement(10, SECONDS);
      assertThat(tracker.remoteState().getType()).isEqualTo(DeliveryState.Type.ACCEPTED);
    }

    try (Connection c = Connection.open(broker.uri())) {
      Delivery delivery = c.openSession().openReceiver(address).receive(Duration.ofSeconds(10));
      Message m = delivery.message();
      assertThat(m.durable()).isTrue();
      assertThat(m.priority()).isEqualTo(2);
      assertThat(m.ttl()).isEqualTo(Duration.ofMinutes(1));
      assertThat(m.messageAnnotations()).containsEntry(Symbol.valueOf("x-opt-origin"), "protonj2");
      assertThat(m.messageId()).isEqualTo(new UUID(1, 2));
      assertThat(m.userId()).isEqualTo(Binary.wrap("guest".getBytes(StandardCharsets.UTF_8)));
      assertThat(m.to()).isEqualTo(address);
      assertThat(m.subject()).isEqualTo("subject");
      assertThat(m.replyTo()).isEqualTo("replies");
      assertThat(m.correlationId()).isEqualTo("correlation");
      assertThat(m.contentType()).isEqualTo("application/octet-stream");
      assertThat(m.contentEncoding()).isEqualTo("gzip");
      assertThat(m.absoluteExpiryTime()).isEqualTo(Instant.ofEpochMilli(EXPIRES));
      assertThat(m.creationTime()).isEqualTo(Instant.ofEpochMilli(CREATED));
      assertThat(m.groupId()).isEqualTo("group-2");
      assertThat(m.groupSequence()).isEqualTo(9L);
      assertThat(m.replyToGroupId()).isEqualTo("reply-group");
      assertThat(m.applicationProperties()).isEqualTo(properties());
      assertThat(m.footer()).containsEntry(Symbol.valueOf("x-opt-checksum"), "def");
      assertThat(m.bodyBytes()).containsExactly(4, 5, 6);
      delivery.accept();
    }
  }

  @Test
  void valueAndSequenceBodiesTravelBothWays() throws Exception {
    String toProtonJ2 = address();
    String toAmqpkit = address();
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("a", 1);
    map.put("b", List.of("x", "y"));
    try (Connection c = Connection.open(broker.uri());
        var peer = protonj2.connect("127.0.0.1", broker.port())) {
      Session session = c.openSession();
      Sender sender = session.openSender(toProtonJ2);
      sender.send(Message.ofValue(map)).get(10, SECONDS);
      sender.send(Message.ofValue("just a string")).get(10, SECONDS);
      sender
          .send(Message.builder().body(new Body.Sequence(List.of(List.of(1, "two")))).build())
          .get(10, SECONDS);

      var receiver = peer.openReceiver(toProtonJ2);
      assertThat(receiver.receive(10, SECONDS).message().body()).isEqualTo(map);
      assertThat(receiver.receive(10, SECONDS).message().body()).isEqualTo("just a string");
      var sequence = receiver.receive(10, SECONDS).message().toAdvancedMessage();
      assertThat(sequence.bodySections()).hasSize(1);
      assertThat(
              ((org.apache.qpid.protonj2.types.messaging.AmqpSequence<?>)
                      sequence.bodySections().iterator().next())
                  .getValue())
          .isEqualTo(List.of(1, "two"));

      var protonSender = peer.openSender(toAmqpkit);
      protonSender.send(org.apache.qpid.protonj2.client.Message.create(map)).awaitSettlement();
      protonSender
          .send(org.apache.qpid.protonj2.client.Message.create("a string from protonj2"))
          .awaitSettlement();
      Receiver ours = session.openReceiver(toAmqpkit);
      assertThat(ours.receive(Duration.ofSeconds(10)).message().body())
          .isEqualTo(new Body.Value(map));
      assertThat(ours.receive(Duration.ofSeconds(10)).message().body())
          .isEqualTo(new Body.Value("a string from protonj2"));
    }
  }
}
