package dev.amqpkit.amqp10;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Sym;
import dev.amqpkit.testkit.amqp10.Frame;
import dev.amqpkit.testkit.amqp10.Performatives;
import java.io.InputStream;
import java.net.Socket;
import org.apache.qpid.protonj2.client.Client;
import org.apache.qpid.protonj2.client.DeliveryState;
import org.apache.qpid.protonj2.client.Tracker;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link EmbeddedBroker} fixture, and amqpkit's connections and sessions against it: an AMQP
 * 1.0 broker other than RabbitMQ.
 */
@Timeout(value = 60, unit = SECONDS)
class EmbeddedBrokerIT {
  private static EmbeddedBroker broker;

  @BeforeAll
  @Timeout(value = 30, unit = SECONDS)
  static void startBroker() {
    broker = EmbeddedBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) broker.close();
  }

  @Test
  void offersPlainAndAnonymous() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", broker.port())) {
      socket.setSoTimeout(5_000);
      InputStream in = socket.getInputStream();
      socket.getOutputStream().write(Frame.protocolHeader(Frame.PROTOCOL_SASL));
      assertThat(Frame.readProtocolHeader(in)).isEqualTo(Frame.PROTOCOL_SASL);

      Frame mechanisms = Frame.readFrom(in, 512);
      assertThat(mechanisms.isPerformative(Performatives.SASL_MECHANISMS)).isTrue();
      assertThat(mechanisms.field("sasl-server-mechanisms"))
          .asInstanceOf(InstanceOfAssertFactories.LIST)
          .containsExactlyInAnyOrder(Sym.of("PLAIN"), Sym.of("ANONYMOUS"));
    }
  }

  @Test
  void plainLogsInAndOpens() {
    Connection c = Connection.open(plain().build());

    assertThat(c.isOpen()).isTrue();
    assertThat(c.remoteContainerId()).isNotBlank();
    assertThat(c.remoteProperties())
        .containsEntry(Symbol.valueOf("product"), "apache-activemq-artemis");
    assertThat(c.maxFrameSize()).isEqualTo(128 * 1024); // Artemis's limit, below our 1 MiB

    c.close();
    assertThat(c.isOpen()).isFalse();
    assertThat(c.closeCause().initiator()).isEqualTo(CloseInitiator.APPLICATION);
  }

  @Test
  void anonymousLogsInAsTheDefaultUser() {
    try (Connection c = Connection.open(broker.uri())) {
      assertThat(c.openSession().isOpen()).isTrue();
    }
  }

  @Test
  void aWrongPasswordIsAnAuthenticationError() {
    ConnectionOptions options =
        ConnectionOptions.builder()
            .uri(broker.uri())
            .credentials(EmbeddedBroker.USER, "not-the-password")
            .build();

    assertThatThrownBy(() -> Connection.open(options))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("refused the login of user '" + EmbeddedBroker.USER + "'")
        .hasMessageNotContaining("not-the-password");
  }

  @Test
  void sessionsBeginAndEndOnTheirOwn() {
    try (Connection c = Connection.open(plain().build())) {
      Session first = c.openSession();
      Session second = c.openSession();
      assertThat(second.channel()).isNotEqualTo(first.channel());

      first.close();
      assertThat(first.isOpen()).isFalse();
      assertThat(first.closeCause().initiator()).isEqualTo(CloseInitiator.APPLICATION);
      assertThat(second.isOpen()).isTrue();
      assertThat(c.openSession().isOpen()).isTrue();
    }
  }

  /**
   * A bare address is a queue: a message sent before any receiver exists waits for the first one.
   * Written with the protonj2 client, whose {@code Connection} and {@code Message} share their
   * simple names with amqpkit's, hence {@code var} and the qualified name.
   */
  @Test
  void aBareAddressKeepsAMessageForALaterReceiver() throws Exception {
    String address = "embedded-broker-it.queue";
    try (Client client = Client.create();
        var peer = client.connect("127.0.0.1", broker.port())) {
      var message = org.apache.qpid.protonj2.client.Message.create("sent before any receiver");
      Tracker tracker = peer.openSender(address).send(message).awaitSettlement(5, SECONDS);
      assertThat(tracker.remoteState().getType()).isEqualTo(DeliveryState.Type.ACCEPTED);

      var delivery = peer.openReceiver(address).receive(5, SECONDS);
      assertThat(delivery).as("the message waited in the queue").isNotNull();
      assertThat(delivery.message().body()).isEqualTo("sent before any receiver");
    }
  }

  @Test
  void aClosedBrokerRefusesConnections() {
    EmbeddedBroker other = EmbeddedBroker.start();
    try (Connection c = Connection.open(other.uri())) {
      assertThat(other.port()).isNotEqualTo(broker.port());
      assertThat(c.isOpen()).isTrue();
    } finally {
      other.close();
    }
    other.close(); // idempotent

    assertThatThrownBy(() -> Connection.open(other.uri()))
        .isInstanceOf(ConnectFailedException.class);
  }

  private static ConnectionOptions.Builder plain() {
    return ConnectionOptions.builder()
        .uri(broker.uri())
        .credentials(EmbeddedBroker.USER, EmbeddedBroker.PASSWORD);
  }
}
