package dev.amqpkit.msg.amqp091;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amqpkit.amqp091.Connection;
import dev.amqpkit.amqp091.ConnectionOptions;
import dev.amqpkit.msg.Server;
import dev.amqpkit.msg.Topic;
import dev.amqpkit.msg.contract.BackendContract;
import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RabbitMqControl;
import dev.amqpkit.testkit.RequiresRabbitMq;
import org.junit.jupiter.api.BeforeEach;

@RequiresRabbitMq
class Amqp091ContractIT extends BackendContract {
  private RabbitMq broker;

  @BeforeEach
  void broker(RabbitMq broker) {
    this.broker = broker;
  }

  @Override
  protected Destination destination(String name) {
    String queue = broker.queueName(name);
    broker.admin().declareQueue(queue);
    String connectionName = "msg-contract-" + System.nanoTime();
    Connection connection =
        Connection.open(
            ConnectionOptions.builder().uri(broker.uri()).connectionName(connectionName).build());
    Amqp091Topic topic = Amqp091Topic.forQueue(connection, queue);
    return new Destination() {
      @Override
      public Topic topic() {
        return topic;
      }

      @Override
      public Server server(int concurrency) {
        return Amqp091Server.builder(connection, queue).concurrency(concurrency).build();
      }

      @Override
      public boolean hasConnections() {
        return RabbitMqControl.availableFor(broker.endpoint());
      }

      @Override
      public void breakConnections() {
        assertThat(RabbitMqControl.closeConnectionsNamed(connectionName)).isEqualTo(1);
      }

      @Override
      public void close() {
        connection.close();
      }
    };
  }
}
