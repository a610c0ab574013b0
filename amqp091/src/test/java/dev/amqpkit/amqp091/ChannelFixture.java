package dev.amqpkit.amqp091;

import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RequiresRabbitMq;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/** For ITs that each need one open connection and channel on the test broker. */
@RequiresRabbitMq
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class ChannelFixture {
  protected Connection connection;
  protected Channel channel;

  @BeforeEach
  void openConnectionAndChannel(RabbitMq broker) {
    connection = Connection.open(broker.uri());
    channel = connection.openChannel();
  }

  @AfterEach
  void closeConnection() {
    if (connection != null) connection.close();
  }
}
