package dev.amqpkit.testkit.amqp10;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amqpkit.testkit.BrokerEndpoint;
import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RequiresRabbitMq;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Sym;
import dev.amqpkit.testkit.amqp10.Amqp10Value.UByte;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The independent AMQP 1.0 codec against a real peer: RabbitMQ reads what it writes, and it reads
 * what RabbitMQ writes, through SASL PLAIN, open and close on a raw socket.
 */
@RequiresRabbitMq
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RabbitMqAmqp10IT {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final int MAX_FRAME = 1 << 20;

  @Test
  void logsInOpensAndClosesWithTheTestkitCodec(RabbitMq broker) throws Exception {
    BrokerEndpoint endpoint = broker.endpoint();
    try (Socket socket = new Socket(endpoint.host(), endpoint.port())) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();

      out.write(Frame.protocolHeader(Frame.PROTOCOL_SASL));
      assertThat(Frame.readProtocolHeader(in)).isEqualTo(Frame.PROTOCOL_SASL);
      Frame mechanisms = nextFrame(in);
      assertThat(mechanisms.isSasl()).isTrue();
      assertThat(mechanisms.isPerformative(Performatives.SASL_MECHANISMS)).isTrue();
      List<?> offered = (List<?>) mechanisms.field("sasl-server-mechanisms");
      assertThat(offered.contains(Sym.of("PLAIN"))).as(mechanisms.describe()).isTrue();

      Performatives.saslInitPlain(endpoint.username(), endpoint.password()).writeTo(out);
      Frame outcome = nextFrame(in);
      assertThat(outcome.isPerformative(Performatives.SASL_OUTCOME))
          .as(outcome.describe())
          .isTrue();
      assertThat(outcome.field("code")).isEqualTo(new UByte(Performatives.SASL_OK));

      out.write(Frame.protocolHeader(Frame.PROTOCOL_AMQP));
      assertThat(Frame.readProtocolHeader(in)).isEqualTo(Frame.PROTOCOL_AMQP);
      Performatives.open("amqpkit-testkit-it", 65_536, 15, null)
          .with("hostname", "vhost:" + endpoint.virtualHost())
          .writeTo(out);
      Frame open = nextFrame(in);
      assertThat(open.isPerformative(Performatives.OPEN, 0)).as(open.describe()).isTrue();
      assertThat(open.field("container-id")).isInstanceOf(String.class);
      assertThat((String) open.field("container-id")).isNotEmpty();

      Performatives.close(null).writeTo(out);
      Frame close = nextFrame(in);
      assertThat(close.isPerformative(Performatives.CLOSE, 0)).as(close.describe()).isTrue();
      assertThat(close.field("error")).isNull();
    }
  }

  /** The next frame other than a heartbeat. */
  private static Frame nextFrame(InputStream in) throws IOException {
    while (true) {
      Frame frame = Frame.readFrom(in, MAX_FRAME);
      if (!frame.isHeartbeat()) return frame;
    }
  }
}
