package dev.amqpkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BrokerEndpointTest {

  @Test
  void theDefaultUriIsTheLocalGuestBroker() {
    BrokerEndpoint endpoint = BrokerEndpoint.parse(RabbitMqExtension.DEFAULT_URI);

    assertThat(endpoint).isEqualTo(new BrokerEndpoint("127.0.0.1", 5672, "guest", "guest", "/"));
  }

  @Test
  void missingPartsTakeRabbitMqDefaults() {
    assertThat(BrokerEndpoint.parse("amqp://broker.example"))
        .isEqualTo(new BrokerEndpoint("broker.example", 5672, "guest", "guest", "/"));
  }

  @Test
  void percentEncodedPartsAreDecoded() {
    BrokerEndpoint endpoint =
        BrokerEndpoint.parse("amqp://us%40er:p%3Ass%2Bw@host:5673/my%2Fvhost");

    assertThat(endpoint).isEqualTo(new BrokerEndpoint("host", 5673, "us@er", "p:ss+w", "my/vhost"));
  }

  @Test
  void slashTwoFIsTheDefaultVirtualHost() {
    assertThat(BrokerEndpoint.parse("amqp://h/%2F").virtualHost()).isEqualTo("/");
  }

  @Test
  void uriRoundTripsThroughParse() {
    BrokerEndpoint endpoint = new BrokerEndpoint("::1", 5672, "a b", "p@ss:w/rd", "/");

    assertThat(BrokerEndpoint.parse(endpoint.uri())).isEqualTo(endpoint);
  }

  @Test
  void thePasswordNeverAppearsInToString() {
    BrokerEndpoint endpoint = BrokerEndpoint.parse("amqp://bob:s3cret@host/");

    assertThat(endpoint.toString()).isEqualTo("amqp://bob@host:5672/%2F").doesNotContain("s3cret");
  }

  @Test
  void rejectsOtherSchemesAndMissingHosts() {
    assertThatThrownBy(() -> BrokerEndpoint.parse("http://host/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("amqp://");
    assertThatThrownBy(() -> BrokerEndpoint.parse("amqp:///vhost"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no host");
  }

  @Test
  void aMalformedUriDoesNotEchoThePassword() {
    assertThatThrownBy(() -> BrokerEndpoint.parse("amqp://bob:s3cret@/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .doesNotContain("s3cret");
  }
}
