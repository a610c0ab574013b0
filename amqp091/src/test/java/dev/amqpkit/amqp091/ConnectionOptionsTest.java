package dev.amqpkit.amqp091;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectionOptionsTest {
  private static final String SECRET = "Sup3rS3cret";

  @Test
  void aBareUriTakesItsHostAndTheDefaults() {
    ConnectionOptions options = ConnectionOptions.fromUri("amqp://broker.example");

    assertThat(options.endpoints()).containsExactly(new Endpoint("broker.example", 5672));
    assertThat(options.username()).isEqualTo("guest");
    assertThat(options.password()).isEqualTo("guest");
    assertThat(options.virtualHost()).isEqualTo("/");
    assertThat(options.saslMechanism()).isEqualTo(SaslMechanism.PLAIN);
    assertThat(options.tls()).isFalse();
    assertThat(options.heartbeat()).isEqualTo(Duration.ofSeconds(60));
    assertThat(options.connectionTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(options.channelMax()).isEqualTo(2047);
    assertThat(options.frameMax()).isEqualTo(131_072);
  }

  @Test
  void amqpsTurnsTlsOnAndDefaultsToPort5671() {
    ConnectionOptions options = ConnectionOptions.fromUri("amqps://broker.example");

    assertThat(options.tls()).isTrue();
    assertThat(options.verifyHostname()).isTrue();
    assertThat(options.endpoints()).containsExactly(new Endpoint("broker.example", 5671));
  }

  @Test
  void theSchemeIsCaseInsensitive() {
    assertThat(ConnectionOptions.fromUri("AMQPS://h").tls()).isTrue();
  }

  @Test
  void anExplicitPortWins() {
    assertThat(ConnectionOptions.fromUri("amqps://h:5000").endpoints())
        .containsExactly(new Endpoint("h", 5000));
    assertThat(ConnectionOptions.fromUri("amqp://h:15672/").endpoints())
        .containsExactly(new Endpoint("h", 15672));
  }

  @ParameterizedTest
  @ValueSource(strings = {"amqp://host", "amqp://host/", "amqp://host/%2F", "amqp://host/%2f"})
  void noPathALoneSlashAndPercent2FAllMeanTheDefaultVirtualHost(String uri) {
    assertThat(ConnectionOptions.fromUri(uri).virtualHost()).isEqualTo("/");
  }

  @Test
  void theVirtualHostIsPercentDecoded() {
    assertThat(ConnectionOptions.fromUri("amqp://host/production").virtualHost())
        .isEqualTo("production");
    assertThat(ConnectionOptions.fromUri("amqp://host/my%2Fvhost").virtualHost())
        .isEqualTo("my/vhost");
    assertThat(ConnectionOptions.fromUri("amqp://host/caf%C3%A9%20bar").virtualHost())
        .isEqualTo("café bar");
  }

  @Test
  void anUnencodedSlashInTheVirtualHostIsRejected() {
    assertThatThrownBy(() -> ConnectionOptions.fromUri("amqp://host/a/b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("percent-encoded");
  }

  @Test
  void userAndPasswordArePercentDecoded() {
    ConnectionOptions options =
        ConnectionOptions.fromUri("amqp://us%40er%3Aname:p%40ss%3Aw%2Fd%25@host");

    assertThat(options.username()).isEqualTo("us@er:name");
    assertThat(options.password()).isEqualTo("p@ss:w/d%");
  }

  @Test
  void aPlusInTheUserInfoIsALiteralPlus() {
    ConnectionOptions options = ConnectionOptions.fromUri("amqp://a+b:c+d@host");

    assertThat(options.username()).isEqualTo("a+b");
    assertThat(options.password()).isEqualTo("c+d");
  }

  @Test
  void anIpv6LiteralIsTheHostWithoutBrackets() {
    assertThat(ConnectionOptions.fromUri("amqp://[::1]").endpoints())
        .containsExactly(new Endpoint("::1", 5672));
    assertThat(ConnectionOptions.fromUri("amqps://[2001:db8::7]:5999/vh").endpoints())
        .containsExactly(new Endpoint("2001:db8::7", 5999));
  }

  @Test
  void aHostNameWithAnUnderscoreIsAHost() {
    // RFC 3986 reg-name, which the RabbitMQ URI spec uses for the host, allows '_'; Docker
    // Compose service names such as my_rabbit are common.
    assertThat(ConnectionOptions.fromUri("amqp://my_rabbit:5673/").endpoints())
        .containsExactly(new Endpoint("my_rabbit", 5673));
  }

  @Test
  void queryParametersSetHeartbeatTimeoutChannelMaxFrameMaxAndMechanism() {
    ConnectionOptions options =
        ConnectionOptions.fromUri(
            "amqp://host/vh?heartbeat=5&connection_timeout=2500&channel_max=10"
                + "&frame_max=8192&auth_mechanism=amqplain");

    assertThat(options.heartbeat()).isEqualTo(Duration.ofSeconds(5));
    assertThat(options.connectionTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(options.channelMax()).isEqualTo(10);
    assertThat(options.frameMax()).isEqualTo(8192);
    assertThat(options.saslMechanism()).isEqualTo(SaslMechanism.AMQPLAIN);
    assertThat(options.virtualHost()).isEqualTo("vh");
  }

  @Test
  void aHeartbeatOfZeroAsksForNone() {
    assertThat(ConnectionOptions.fromUri("amqp://host?heartbeat=0").heartbeat())
        .isEqualTo(Duration.ZERO);
  }

  @Test
  void authMechanismAcceptsPlainAndExternalOverTls() {
    assertThat(ConnectionOptions.fromUri("amqp://host?auth_mechanism=plain").saslMechanism())
        .isEqualTo(SaslMechanism.PLAIN);
    assertThat(ConnectionOptions.fromUri("amqps://host?auth_mechanism=external").saslMechanism())
        .isEqualTo(SaslMechanism.EXTERNAL);
  }

  @Test
  void externalWithoutTlsIsRejectedByBuild() {
    assertThatThrownBy(() -> ConnectionOptions.fromUri("amqp://host?auth_mechanism=external"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("EXTERNAL")
        .hasMessageContaining("TLS");
    assertThatThrownBy(
            () -> ConnectionOptions.builder().saslMechanism(SaslMechanism.EXTERNAL).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(
            ConnectionOptions.builder().saslMechanism(SaslMechanism.EXTERNAL).tls().build().tls())
        .isTrue();
  }

  private static void assertRejected(String uri, String... messageParts) {
    assertThatThrownBy(() -> ConnectionOptions.fromUri(uri))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll(messageParts)
        .message()
        .doesNotContain(SECRET);
  }

  @Test
  void anUnknownQueryParameterIsRejectedByName() {
    assertRejected("amqp://user:" + SECRET + "@host/?heartbeat=5&colour=blue", "colour");
  }

  @Test
  void aNonNumericQueryValueIsRejectedNamingTheParameter() {
    assertRejected("amqp://user:" + SECRET + "@host/?heartbeat=ten", "heartbeat", "ten");
    assertRejected("amqp://user:" + SECRET + "@host/?channel_max=", "channel_max");
    assertRejected("amqp://user:" + SECRET + "@host/?connection_timeout=1.5", "connection_timeout");
  }

  @Test
  void anUnknownAuthMechanismIsRejected() {
    assertRejected("amqp://user:" + SECRET + "@host/?auth_mechanism=kerberos", "kerberos");
  }

  @Test
  void aSchemeOtherThanAmqpIsRejected() {
    assertRejected("http://user:" + SECRET + "@host/", "amqp://", "http");
    assertRejected("//user:" + SECRET + "@host/", "amqp://");
  }

  @Test
  void aUriWithoutAHostIsRejected() {
    assertRejected("amqp://user:" + SECRET + "@/vhost", "host");
    assertRejected("amqp:///vhost", "host");
  }

  @Test
  void aFrameMaxBelow4096IsRejected() {
    assertRejected("amqp://user:" + SECRET + "@host/?frame_max=4095", "4096");
    assertThat(ConnectionOptions.fromUri("amqp://host/?frame_max=4096").frameMax()).isEqualTo(4096);
  }

  @Test
  void outOfRangeQueryValuesAreRejected() {
    assertRejected("amqp://user:" + SECRET + "@host/?heartbeat=65536", "heartbeat");
    assertRejected("amqp://user:" + SECRET + "@host/?channel_max=0", "channelMax");
    assertRejected("amqp://user:" + SECRET + "@host/?connection_timeout=0", "connectionTimeout");
  }

  @Test
  void aMalformedUriIsRejectedWithoutThePassword() {
    assertRejected("amqp://user:" + SECRET + "@ho st/", "malformed");
    assertRejected("amqp://user:" + SECRET + "%zz@host/", "malformed");
  }

  @Test
  void toStringNeverShowsThePassword() {
    ConnectionOptions fromUri = ConnectionOptions.fromUri("amqps://alice:" + SECRET + "@host/vh");
    ConnectionOptions built =
        ConnectionOptions.builder().username("bob").password(SECRET).endpoint("h", 1).build();

    assertThat(fromUri.password()).isEqualTo(SECRET);
    assertThat(fromUri.toString()).contains("alice").contains("host").doesNotContain(SECRET);
    assertThat(built.toString()).contains("bob").doesNotContain(SECRET);
  }

  @Test
  void heartbeatMustBeWithinZeroTo65535Seconds() {
    ConnectionOptions.Builder b = ConnectionOptions.builder();

    assertThat(b.heartbeat(Duration.ZERO).build().heartbeat()).isZero();
    assertThat(b.heartbeat(Duration.ofSeconds(65535)).build().heartbeat())
        .isEqualTo(Duration.ofSeconds(65535));
    assertThatThrownBy(() -> b.heartbeat(Duration.ofSeconds(65536)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("heartbeat");
    assertThatThrownBy(() -> b.heartbeat(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("heartbeat");
  }

  @Test
  void channelMaxMustBeWithin1To65535() {
    ConnectionOptions.Builder b = ConnectionOptions.builder();

    assertThat(b.channelMax(1).build().channelMax()).isEqualTo(1);
    assertThat(b.channelMax(65535).build().channelMax()).isEqualTo(65535);
    assertThatThrownBy(() -> b.channelMax(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.channelMax(65536)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void frameMaxMustBeAtLeast4096() {
    assertThat(ConnectionOptions.builder().frameMax(4096).build().frameMax()).isEqualTo(4096);
    assertThatThrownBy(() -> ConnectionOptions.builder().frameMax(4095))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4096");
  }

  @Test
  void timeoutsMustBePositive() {
    ConnectionOptions.Builder b = ConnectionOptions.builder();

    for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofMillis(-1)}) {
      assertThatThrownBy(() -> b.connectionTimeout(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("connectionTimeout");
      assertThatThrownBy(() -> b.rpcTimeout(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("rpcTimeout");
      assertThatThrownBy(() -> b.closeTimeout(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("closeTimeout");
    }
    ConnectionOptions options =
        b.connectionTimeout(Duration.ofMillis(1))
            .rpcTimeout(Duration.ofMillis(2))
            .closeTimeout(Duration.ofMillis(3))
            .build();
    assertThat(options.connectionTimeout()).isEqualTo(Duration.ofMillis(1));
    assertThat(options.rpcTimeout()).isEqualTo(Duration.ofMillis(2));
    assertThat(options.closeTimeout()).isEqualTo(Duration.ofMillis(3));
  }

  @Test
  void aBuilderWithoutEndpointsConnectsToLocalhostOnTheSchemesPort() {
    assertThat(ConnectionOptions.builder().build().endpoints())
        .containsExactly(new Endpoint("127.0.0.1", 5672));
    assertThat(ConnectionOptions.builder().tls().build().endpoints())
        .containsExactly(new Endpoint("127.0.0.1", 5671));
  }

  @Test
  void aUserWithoutAPasswordKeepsTheDefaultPassword() {
    ConnectionOptions options = ConnectionOptions.fromUri("amqp://alice@host/");

    assertThat(options.username()).isEqualTo("alice");
    assertThat(options.password()).isEqualTo("guest");
  }

  @Test
  void aPortThatIsNotANumberIsNamed() {
    assertThatThrownBy(() -> ConnectionOptions.fromUri("amqp://host:abc/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port is not a number: abc");
  }
}
