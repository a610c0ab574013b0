package dev.amqpkit.amqp091;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.testkit.amqp091.Frame;
import dev.amqpkit.testkit.amqp091.ScriptedServer;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A null name is refused before anything is sent: on the wire it would become "", which means the
 * default exchange or the channel's last declared queue.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class NullNamesTest {
  private final ScriptedServer server;
  private Connection connection;

  NullNamesTest() throws IOException {
    server = new ScriptedServer();
  }

  @AfterEach
  void close() {
    if (connection != null) connection.close();
    server.close();
  }

  @Test
  void nullNamesAreRefusedWithTheirName() {
    server.handshake(0).acceptChannelOpen(1).start();
    connection =
        Connection.open(
            ConnectionOptions.builder()
                .endpoint(server.host(), server.port())
                .heartbeat(Duration.ZERO)
                .build());
    Channel channel = connection.openChannel();

    assertThatThrownBy(() -> channel.queueBind(null, "amq.direct", "k", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("queue == null");
    assertThatThrownBy(() -> channel.exchangeBind("x", null, "k", null))
        .hasMessage("source == null");
    assertThatThrownBy(() -> channel.exchangeDelete(null)).hasMessage("name == null");
    assertThatThrownBy(() -> channel.queueDelete(null)).hasMessage("queue == null");
    assertThatThrownBy(() -> channel.basicGet(null)).hasMessage("queue == null");
    assertThatThrownBy(() -> channel.basicConsume(null, d -> {})).hasMessage("queue == null");

    assertThat(channel.isOpen()).isTrue();
    // Nothing after channel.open reached the server.
    assertThat(server.received())
        .filteredOn(f -> f.type() == Frame.METHOD && f.channel() == 1)
        .extracting(f -> f.classId() + "." + f.methodId())
        .containsExactly("20.10");
  }
}
