package dev.amqpkit.amqp091;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.common.Recovery;
import dev.amqpkit.testkit.amqp091.ScriptedServer;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every blocking call returns within its timeout when the server stops answering. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class BoundedWaitsTest {
  private static final Duration SHORT = Duration.ofMillis(700);

  private final ScriptedServer server;
  private Connection connection;

  BoundedWaitsTest() throws IOException {
    server = new ScriptedServer();
  }

  @AfterEach
  void close() {
    server.close();
    if (connection != null) connection.close();
  }

  private Connection open() {
    connection =
        Connection.open(
            ConnectionOptions.builder()
                // The bare client: these tests are about how a failure ends the connection.
                .recovery(Recovery.disabled())
                .endpoint(server.host(), server.port())
                .heartbeat(Duration.ZERO)
                .rpcTimeout(SHORT)
                .closeTimeout(SHORT)
                .build());
    return connection;
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  @Test
  void anRpcWithoutAReplyTimesOutAndClosesOnlyItsChannel() {
    // The server accepts the channel, then never answers queue.declare.
    server
        .handshake(0)
        .acceptChannelOpen(1)
        .expectMethod(1, 50, 10) // queue.declare, never answered
        .expectChannelCloseAndAccept(1) // the client gives the channel up after its timeout
        .acceptChannelOpen(2)
        .start();
    Channel channel = open().openChannel();

    long start = System.nanoTime();
    assertThatThrownBy(() -> channel.queueDeclare(QueueSpec.named("q")))
        .isInstanceOf(AmqpTimeoutException.class)
        .hasMessageContaining("queue.declare")
        .hasMessageContaining("no reply within");

    assertThat(millisSince(start)).isBetween(SHORT.toMillis() - 50, SHORT.toMillis() + 3000);
    assertThat(channel.isOpen()).isFalse();
    assertThat(connection.isOpen()).isTrue();
    assertThat(connection.openChannel().isOpen()).isTrue();
  }

  @Test
  void closingAChannelWithoutCloseOkReturnsWithinTheCloseTimeout() {
    server.handshake(0).acceptChannelOpen(1).start();
    Channel channel = open().openChannel();

    long start = System.nanoTime();
    assertThatThrownBy(channel::close)
        .isInstanceOf(AmqpTimeoutException.class)
        .hasMessageContaining("close-ok");

    assertThat(millisSince(start)).isLessThan(SHORT.toMillis() + 3000);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void closingAConnectionWithoutCloseOkReturnsWithinTheCloseTimeout() {
    server.handshake(0).start();
    open();

    long start = System.nanoTime();
    connection.close();

    assertThat(millisSince(start)).isBetween(SHORT.toMillis() - 50, SHORT.toMillis() + 3000);
    assertThat(connection.isOpen()).isFalse();
    assertThat(connection.closeCause().initiator()).isEqualTo(CloseInitiator.APPLICATION);
  }
}
