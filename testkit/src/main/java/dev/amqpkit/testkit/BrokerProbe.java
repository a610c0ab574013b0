package dev.amqpkit.testkit;

import dev.amqpkit.testkit.amqp091.BrokerCloseException;
import dev.amqpkit.testkit.amqp091.ConnectionStart;
import dev.amqpkit.testkit.amqp091.WireConnection;
import java.io.IOException;
import java.time.Duration;

/**
 * Checks that a RabbitMQ answers and accepts a login, and says what it is: {@code java -cp
 * amqpkit-testkit.jar dev.amqpkit.testkit.BrokerProbe [amqp://user:pass@host:port/vhost]}.
 *
 * <p>Without an argument it uses {@value RabbitMqExtension#URI_ENV}, else {@value
 * RabbitMqExtension#DEFAULT_URI}: the broker the tests would use. Exits 0 when the login succeeds,
 * 1 when it does not, 2 on a malformed URI.
 */
public final class BrokerProbe {
  private BrokerProbe() {}

  public static void main(String[] args) {
    String uri = args.length > 0 ? args[0] : System.getenv(RabbitMqExtension.URI_ENV);
    if (uri == null || uri.isBlank()) uri = RabbitMqExtension.DEFAULT_URI;
    BrokerEndpoint endpoint;
    try {
      endpoint = BrokerEndpoint.parse(uri);
    } catch (IllegalArgumentException e) {
      System.err.println("amqpkit: " + e.getMessage());
      System.exit(2);
      return;
    }
    try (WireConnection connection = WireConnection.open(endpoint, Duration.ofSeconds(5))) {
      ConnectionStart start = connection.start();
      System.out.printf(
          "%s %s answers at %s: AMQP %d-%d, logged in to virtual host %s%n",
          start.product(),
          start.version(),
          endpoint,
          start.versionMajor(),
          start.versionMinor(),
          endpoint.virtualHost());
      System.out.printf("  mechanisms:   %s%n", String.join(" ", start.mechanisms()));
      System.out.printf("  capabilities: %s%n", String.join(" ", start.capabilities()));
      System.out.printf(
          "  negotiated:   channel-max %d, frame-max %d%n",
          connection.channelMax(), connection.frameMax());
    } catch (BrokerCloseException e) {
      System.err.println("amqpkit: " + endpoint + " refused us: " + e.getMessage());
      System.exit(1);
    } catch (IOException e) {
      System.err.println("amqpkit: no RabbitMQ answers at " + endpoint + ": " + e.getMessage());
      System.err.println("Start one with `rabbitmq-server -detached`, or pass its amqp:// URI.");
      System.exit(1);
    }
  }
}
