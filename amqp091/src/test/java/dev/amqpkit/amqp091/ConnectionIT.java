package dev.amqpkit.amqp091;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RequiresRabbitMq;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@RequiresRabbitMq
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionIT {

  @Test
  void opensNegotiatesAndCloses(RabbitMq broker) {
    Connection connection =
        Connection.open(
            ConnectionOptions.builder()
                .uri(broker.uri())
                .heartbeat(Duration.ofSeconds(20))
                .build());
    try {
      assertThat(connection.isOpen()).isTrue();
      assertThat(connection.serverProperties()).containsEntry("product", "RabbitMQ");
      assertThat(connection.frameMax()).isEqualTo(131_072);
      assertThat(connection.channelMax()).isEqualTo(2047);
      assertThat(connection.heartbeat()).isEqualTo(Duration.ofSeconds(20));
    } finally {
      connection.close();
    }
    assertThat(connection.isOpen()).isFalse();
    assertThat(connection.closeCause().initiator()).isEqualTo(CloseInitiator.APPLICATION);
    connection.close(); // idempotent
  }

  @Test
  void anInterruptedThreadStillConnectsAndKeepsItsInterrupt(RabbitMq broker) {
    // The socket is a channel's, which an interrupt would close: open must not let it.
    Thread.currentThread().interrupt();
    try (Connection connection = Connection.open(broker.uri())) {
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
      Thread.interrupted();
      connection
          .openChannel()
          .queueDeclare(QueueSpec.serverNamed().exclusive()); // gone with the connection
      assertThat(connection.isOpen()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void aWrongPasswordIsAnAuthenticationError(RabbitMq broker) {
    ConnectionOptions options =
        ConnectionOptions.builder().uri(broker.uri()).password("wrong-password").build();

    assertThatThrownBy(() -> Connection.open(options))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("refused the login of user 'guest'")
        .hasMessageContaining("ACCESS_REFUSED")
        .message()
        .doesNotContain("wrong-password");
  }

  @Test
  void everyMechanismLogsIn(RabbitMq broker) {
    for (SaslMechanism mechanism :
        new SaslMechanism[] {SaslMechanism.PLAIN, SaslMechanism.AMQPLAIN}) {
      try (Connection connection =
          Connection.open(
              ConnectionOptions.builder().uri(broker.uri()).saslMechanism(mechanism).build())) {
        assertThat(connection.isOpen()).as(mechanism.name()).isTrue();
      }
    }
  }

  @Test
  void anUnknownVirtualHostIsAConnectionError(RabbitMq broker) {
    ConnectionOptions options =
        ConnectionOptions.builder().uri(broker.uri()).virtualHost("amqpkit-nope").build();

    assertThatThrownBy(() -> Connection.open(options))
        .isInstanceOfSatisfying(
            ConnectionClosedException.class,
            e -> {
              assertThat(e.replyCode()).isEqualTo(530);
              assertThat(e.initiator()).isEqualTo(CloseInitiator.BROKER);
            });
  }

  @Test
  void endpointsAreTriedInOrder(RabbitMq broker) throws Exception {
    int closedPort;
    try (var socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    ConnectionOptions options =
        ConnectionOptions.builder()
            .uri(broker.uri())
            .endpoints(
                java.util.List.of(
                    new Endpoint("127.0.0.1", closedPort),
                    new Endpoint(broker.endpoint().host(), broker.endpoint().port())))
            .build();

    try (Connection connection = Connection.open(options)) {
      assertThat(connection.endpoint().port()).isEqualTo(broker.endpoint().port());
    }
  }

  @Test
  void noEndpointAnsweringNamesEachOne() throws Exception {
    int closedPort;
    try (var socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    ConnectionOptions options =
        ConnectionOptions.builder()
            .endpoint("127.0.0.1", closedPort)
            .endpoint("127.0.0.1", closedPort)
            .build();

    assertThatThrownBy(() -> Connection.open(options))
        .isInstanceOf(ConnectFailedException.class)
        .hasMessageContaining("any of 127.0.0.1:" + closedPort)
        .hasMessageContaining("Connection refused");
  }

  @Test
  void brokerCloseReachesListenersWithItsReason(RabbitMq broker) throws Exception {
    String name = "amqpkit-forced-" + System.nanoTime();
    Connection connection =
        Connection.open(ConnectionOptions.builder().uri(broker.uri()).connectionName(name).build());
    CompletableFuture<ConnectionClosedException> closed = new CompletableFuture<>();
    connection.addListener(
        new ConnectionListener() {
          @Override
          public void closed(ConnectionClosedException cause) {
            closed.complete(cause);
          }
        });
    Channel channel = connection.openChannel();

    // A connection-level error: channel.flow(false) is not implemented by RabbitMQ (540).
    assertThatThrownBy(() -> channel.channelFlow(false)).isInstanceOf(AmqpException.class);

    ConnectionClosedException cause = closed.get(10, TimeUnit.SECONDS);
    assertThat(cause.replyCode()).isEqualTo(540);
    assertThat(cause.initiator()).isEqualTo(CloseInitiator.BROKER);
    assertThat(connection.isOpen()).isFalse();
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void channelMaxIsHonoured(RabbitMq broker) {
    try (Connection connection =
        Connection.open(ConnectionOptions.builder().uri(broker.uri()).channelMax(3).build())) {
      assertThat(connection.channelMax()).isEqualTo(3);
      Channel first = connection.openChannel();
      connection.openChannel();
      connection.openChannel();

      assertThatThrownBy(connection::openChannel)
          .isInstanceOf(AmqpException.class)
          .hasMessageContaining("all 3 channels");

      first.close();
      assertThat(connection.openChannel().number()).isEqualTo(first.number());
    }
  }

  @Test
  void synchronousCallsFromManyThreadsTakeTurnsOnOneChannel(RabbitMq broker) throws Exception {
    try (Connection connection = Connection.open(broker.uri())) {
      Channel channel = connection.openChannel();
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(8);
      try {
        java.util.List<java.util.concurrent.Future<QueueDeclareOk>> results =
            new java.util.ArrayList<>();
        for (int i = 0; i < 64; i++) {
          String queue = broker.queueName("turns-" + i);
          results.add(pool.submit(() -> channel.queueDeclare(QueueSpec.named(queue))));
        }
        java.util.Set<String> declared = new java.util.HashSet<>();
        for (var result : results) declared.add(result.get(30, TimeUnit.SECONDS).queue());
        assertThat(declared).hasSize(64);
        assertThat(channel.isOpen()).isTrue();
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
