package dev.amqpkit.msg.amqp10;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amqpkit.amqp10.Connection;
import dev.amqpkit.amqp10.ConnectionOptions;
import dev.amqpkit.common.Backoff;
import dev.amqpkit.common.Recovery;
import dev.amqpkit.msg.Server;
import dev.amqpkit.msg.Topic;
import dev.amqpkit.msg.contract.BackendContract;
import dev.amqpkit.testkit.BrokerEndpoint;
import dev.amqpkit.testkit.FaultProxy;
import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RequiresRabbitMq;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;

/** The conformance suite over RabbitMQ's AMQP 1.0 plugin, through a proxy that can cut it. */
@RequiresRabbitMq
class Amqp10ContractIT extends BackendContract {
  private RabbitMq broker;

  @BeforeEach
  void broker(RabbitMq broker) {
    this.broker = broker;
  }

  @Override
  protected Destination destination(String name) throws Exception {
    String queue = broker.queueName(name);
    broker.admin().declareQueue(queue);
    String address = "/amq/queue/" + queue;
    BrokerEndpoint b = broker.endpoint();
    FaultProxy proxy = FaultProxy.start(b.host(), b.port());
    Connection connection =
        Connection.open(
            ConnectionOptions.builder()
                .endpoint(proxy.host(), proxy.port())
                .credentials(b.username(), b.password())
                .recovery(Recovery.builder().backoff(Backoff.fixed(Duration.ofMillis(200))).build())
                .build());
    Amqp10Topic topic = Amqp10Topic.create(connection, address);
    return new Destination() {
      @Override
      public Topic topic() {
        return topic;
      }

      @Override
      public Server server(int concurrency) {
        return Amqp10Server.builder(connection, address).concurrency(concurrency).build();
      }

      @Override
      public boolean hasConnections() {
        return true;
      }

      @Override
      public void breakConnections() {
        assertThat(proxy.cut()).isEqualTo(1);
      }

      @Override
      public void close() {
        try {
          connection.close();
        } finally {
          proxy.close();
        }
      }
    };
  }
}
