package dev.amqpkit.amqp10.internal.frames;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amqpkit.amqp10.internal.protocol.Close;
import dev.amqpkit.amqp10.internal.protocol.Open;
import dev.amqpkit.amqp10.internal.protocol.SaslCode;
import dev.amqpkit.amqp10.internal.protocol.SaslInit;
import dev.amqpkit.amqp10.internal.protocol.SaslMechanisms;
import dev.amqpkit.amqp10.internal.protocol.SaslOutcome;
import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.testkit.BrokerEndpoint;
import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RequiresRabbitMq;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The frame codec against a real peer: RabbitMQ's AMQP 1.0 support, over a raw socket. SASL PLAIN,
 * then open and close, every frame RabbitMQ sends read by {@link FrameDecoder}.
 */
@RequiresRabbitMq
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RabbitMqFramingIT {
  private static final int READ_TIMEOUT_MILLIS = 5_000;
  private static final int MAX_FRAME_SIZE = 65_536;

  /** Reads headers and frames from the socket into one buffer, waiting at most the read timeout. */
  private static final class Peer {
    private final InputStream in;
    private final FrameDecoder decoder = new FrameDecoder(MAX_FRAME_SIZE);
    private final ByteBuffer buffer = ByteBuffer.allocate(MAX_FRAME_SIZE).flip();

    Peer(InputStream in) {
      this.in = in;
    }

    ProtocolHeader header() throws IOException {
      ProtocolHeader header;
      while ((header = ProtocolHeader.read(buffer)) == null) fill();
      return header;
    }

    Frame frame() throws IOException {
      Frame frame;
      while ((frame = decoder.decode(buffer)) == null) fill();
      return frame;
    }

    /** The next frame that is not a heartbeat. */
    Frame frameSkippingHeartbeats() throws IOException {
      Frame frame;
      do {
        frame = frame();
      } while (frame instanceof EmptyFrame);
      return frame;
    }

    private void fill() throws IOException {
      buffer.compact();
      int n = in.read(buffer.array(), buffer.position(), buffer.remaining());
      if (n < 0) throw new EOFException("the broker closed the connection");
      buffer.position(buffer.position() + n).flip();
    }
  }

  @Test
  void saslThenOpenAndCloseWithRabbitMq(RabbitMq broker) throws IOException {
    BrokerEndpoint endpoint = broker.endpoint();
    FrameEncoder encoder = new FrameEncoder(Frame.MIN_MAX_FRAME_SIZE);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), READ_TIMEOUT_MILLIS);
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      Peer peer = new Peer(socket.getInputStream());

      out.write(ProtocolHeader.SASL.toByteArray());
      assertThat(peer.header()).isEqualTo(ProtocolHeader.SASL);
      SaslFrame mechanisms = (SaslFrame) peer.frame();
      assertThat(((SaslMechanisms) mechanisms.performative()).saslServerMechanisms())
          .contains(Symbol.valueOf("PLAIN"));

      byte[] response =
          ("\0" + endpoint.username() + "\0" + endpoint.password())
              .getBytes(StandardCharsets.UTF_8);
      out.write(
          encoder.encodeSasl(
              new SaslInit(Symbol.valueOf("PLAIN"), Binary.wrap(response), endpoint.host())));
      SaslFrame outcome = (SaslFrame) peer.frame();
      assertThat(outcome.performative()).isInstanceOf(SaslOutcome.class);
      assertThat(((SaslOutcome) outcome.performative()).code()).isEqualTo(SaslCode.OK);

      out.write(ProtocolHeader.AMQP.toByteArray());
      assertThat(peer.header()).isEqualTo(ProtocolHeader.AMQP);
      String hostname =
          endpoint.virtualHost().equals("/") ? endpoint.host() : "vhost:" + endpoint.virtualHost();
      out.write(
          encoder.encode(
              0,
              Open.builder()
                  .containerId("amqpkit-framing-it")
                  .hostname(hostname)
                  .maxFrameSize(MAX_FRAME_SIZE)
                  .channelMax(0)
                  .build(),
              null));
      AmqpFrame opened = (AmqpFrame) peer.frameSkippingHeartbeats();
      assertThat(opened.channel()).isZero();
      Open open = (Open) opened.performative();
      assertThat(open.containerId()).isNotBlank();
      assertThat(open.maxFrameSize())
          .as("RabbitMQ's max-frame-size, not the default of 4294967295")
          .isBetween((long) Frame.MIN_MAX_FRAME_SIZE, 4294967294L);

      encoder.maxFrameSize((int) Math.min(open.maxFrameSize(), Integer.MAX_VALUE));
      out.write(encoder.encode(0, new Close(null), null));
      AmqpFrame closed = (AmqpFrame) peer.frameSkippingHeartbeats();
      assertThat(closed.performative()).isInstanceOf(Close.class);
      assertThat(((Close) closed.performative()).error()).isNull();
    }
  }
}
