package dev.amqpkit.amqp10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectionOptionsTest {

  @Test
  void aUriGivesTheEndpointSchemeAndCredentials() {
    ConnectionOptions o = ConnectionOptions.fromUri("amqps://us%40er:p%3Ass@broker.example:5999");

    assertThat(o.endpoints())
        .containsExactly(new ConnectionOptions.Endpoint("broker.example", 5999));
    assertThat(o.tls()).isTrue();
    assertThat(o.username()).isEqualTo("us@er");
    assertThat(o.password()).isEqualTo("p:ss");
    assertThat(o.saslMechanism()).isEqualTo(SaslMechanism.PLAIN);
  }

  @Test
  void aMalformedUriIsRefusedWithoutQuotingItsPassword() {
    assertThatThrownBy(() -> ConnectionOptions.fromUri("amqp://user:s3%ZZcret@host/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("malformed URI: Malformed escape pair at index ")
        .hasNoCause()
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3"));
  }

  @Test
  void defaultsAreDocumentedOnes() {
    ConnectionOptions o = ConnectionOptions.fromUri("amqp://localhost");

    assertThat(o.endpoints()).containsExactly(new ConnectionOptions.Endpoint("localhost", 5672));
    assertThat(ConnectionOptions.fromUri("amqps://h").endpoints().get(0).port()).isEqualTo(5671);
    assertThat(o.saslMechanism()).isEqualTo(SaslMechanism.ANONYMOUS);
    assertThat(o.containerId()).startsWith("amqpkit-");
    assertThat(o.maxFrameSize()).isEqualTo(1024 * 1024);
    assertThat(o.channelMax()).isEqualTo(65535);
    assertThat(o.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(o.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.closeTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.verifyHostname()).isTrue();
    assertThat(o.tls()).isFalse();
    assertThat(ConnectionOptions.fromUri("amqp://[::1]:5673").endpoints().get(0).host())
        .isEqualTo("::1");
  }

  @Test
  void aBearerTokenMeansXoauth2() {
    ConnectionOptions o =
        ConnectionOptions.builder().endpoint("h", 5672).bearerToken("svc", "tok").build();

    assertThat(o.saslMechanism()).isEqualTo(SaslMechanism.XOAUTH2);
    assertThat(o.toString()).doesNotContain("tok");
  }

  @Test
  void toStringNeverShowsThePassword() {
    assertThat(ConnectionOptions.fromUri("amqp://u:hunter2@h").toString())
        .contains("user=u")
        .doesNotContain("hunter2");
  }

  @Test
  void badOptionsAreRefusedWithTheirName() {
    assertThatThrownBy(() -> ConnectionOptions.fromUri("http://h"))
        .hasMessageContaining("scheme must be amqp or amqps, not 'http'");
    assertThatThrownBy(() -> ConnectionOptions.fromUri("amqp:///x"))
        .hasMessageContaining("names no host");
    assertThatThrownBy(() -> ConnectionOptions.fromUri("amqp://h:port"))
        .isInstanceOf(IllegalArgumentException.class);
    ConnectionOptions.Builder b = ConnectionOptions.builder();
    assertThatThrownBy(() -> b.maxFrameSize(511)).hasMessageContaining("at least 512");
    assertThatThrownBy(() -> b.channelMax(65536)).hasMessageContaining("channelMax");
    assertThatThrownBy(() -> b.idleTimeout(Duration.ofMillis(-1)))
        .hasMessageContaining("idleTimeout");
    assertThatThrownBy(() -> b.connectTimeout(Duration.ZERO)).hasMessageContaining("positive");
    assertThatThrownBy(b::build).hasMessageContaining("no endpoint");
    assertThatThrownBy(
            () ->
                ConnectionOptions.builder()
                    .endpoint("h", 1)
                    .saslMechanism(SaslMechanism.PLAIN)
                    .build())
        .hasMessageContaining("SASL PLAIN needs credentials");
    assertThatThrownBy(() -> new ConnectionOptions.Endpoint("h", 0)).hasMessageContaining("port");
  }
}
