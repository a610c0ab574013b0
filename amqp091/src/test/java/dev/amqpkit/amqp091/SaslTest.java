package dev.amqpkit.amqp091;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.amqp091.internal.Decoder;
import dev.amqpkit.testkit.TestCertificates;
import dev.amqpkit.testkit.TlsProxy;
import dev.amqpkit.testkit.amqp091.ArgumentReader;
import dev.amqpkit.testkit.amqp091.Frame;
import dev.amqpkit.testkit.amqp091.ScriptedServer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the client says in connection.start-ok, for each mechanism, against a scripted server. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SaslTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final ScriptedServer server;
  private final AtomicReference<Frame> startOk = new AtomicReference<>();

  SaslTest() throws java.io.IOException {
    server = new ScriptedServer();
  }

  @AfterEach
  void close() {
    server.close();
  }

  /** A server that offers these mechanisms, records start-ok and completes the handshake. */
  private ScriptedServer script(String mechanisms) {
    return server
        .expectProtocolHeader()
        .sendConnectionStart(Map.of("product", "Scripted"), mechanisms)
        .expectMethod(0, 10, 11, startOk::set)
        .sendTune(2047, 131_072, 0)
        .expectMethod(0, 10, 31)
        .expectOpenAndAccept()
        .expectConnectionCloseAndAccept();
  }

  /** start-ok's arguments: client properties, mechanism, response, locale. */
  private record StartOk(Map<String, Object> clientProperties, String mechanism, byte[] response) {}

  private StartOk startOk() throws Exception {
    ArgumentReader args = startOk.get().arguments();
    return new StartOk(args.table(), args.shortString(), args.longString());
  }

  private ConnectionOptions.Builder options(int port) {
    return ConnectionOptions.builder()
        .endpoint("127.0.0.1", port)
        .username("alice")
        .password("s3cret")
        .connectionTimeout(WAIT);
  }

  @Test
  void plainSendsUserAndPasswordAndTheCapabilities() throws Exception {
    script("PLAIN AMQPLAIN").start();

    try (Connection connection = Connection.open(options(server.port()).build())) {
      assertThat(connection.isOpen()).isTrue();
    }
    server.awaitDone(WAIT);

    StartOk ok = startOk();
    assertThat(ok.mechanism()).isEqualTo("PLAIN");
    assertThat(new String(ok.response(), StandardCharsets.UTF_8)).isEqualTo("\0alice\0s3cret");
    assertThat(ok.clientProperties()).containsEntry("product", "amqpkit");
    @SuppressWarnings("unchecked")
    Map<String, Object> capabilities =
        (Map<String, Object>) ok.clientProperties().get("capabilities");
    assertThat(capabilities)
        .containsOnlyKeys(
            "publisher_confirms",
            "exchange_exchange_bindings",
            "basic.nack",
            "consumer_cancel_notify",
            "connection.blocked",
            "authentication_failure_close",
            "per_consumer_qos",
            "direct_reply_to")
        .allSatisfy((k, v) -> assertThat(v).isEqualTo(true));
  }

  @Test
  void amqplainSendsATableWithoutItsLength() throws Exception {
    script("PLAIN AMQPLAIN").start();

    try (Connection connection =
        Connection.open(options(server.port()).saslMechanism(SaslMechanism.AMQPLAIN).build())) {
      assertThat(connection.isOpen()).isTrue();
    }
    server.awaitDone(WAIT);

    StartOk ok = startOk();
    assertThat(ok.mechanism()).isEqualTo("AMQPLAIN");
    byte[] withLength =
        ByteBuffer.allocate(4 + ok.response().length)
            .putInt(ok.response().length)
            .put(ok.response())
            .array();
    assertThat(new Decoder(withLength, 0, withLength.length).table())
        .containsExactly(Map.entry("LOGIN", "alice"), Map.entry("PASSWORD", "s3cret"));
  }

  @Test
  void aMechanismTheServerDoesNotOfferIsRefusedBeforeAnythingIsSent() {
    server.expectProtocolHeader().sendConnectionStart(Map.of(), "PLAIN").start();

    assertThatThrownBy(
            () ->
                Connection.open(
                    options(server.port()).saslMechanism(SaslMechanism.AMQPLAIN).build()))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("does not offer SASL AMQPLAIN (it offers: PLAIN)");
  }

  @Test
  void externalOverTlsSendsAnEmptyResponse() throws Exception {
    TestCertificates certificates = TestCertificates.create("localhost");
    script("PLAIN EXTERNAL").start();
    try (TlsProxy proxy =
        TlsProxy.start(certificates.serverContext(), "127.0.0.1", server.port())) {
      ConnectionOptions options =
          ConnectionOptions.builder()
              .uri("amqps://localhost:" + proxy.port() + "/%2F?auth_mechanism=external")
              .sslContext(certificates.clientContext())
              .connectionTimeout(WAIT)
              .build();

      try (Connection connection = Connection.open(options)) {
        assertThat(connection.isOpen()).isTrue();
      }
      server.awaitDone(WAIT);
    }

    StartOk ok = startOk();
    assertThat(ok.mechanism()).isEqualTo("EXTERNAL");
    assertThat(ok.response()).isEmpty();
  }

  @Test
  void externalWithoutTlsIsRefusedWhenBuilt() {
    assertThatThrownBy(() -> ConnectionOptions.fromUri("amqp://host/?auth_mechanism=external"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("EXTERNAL needs TLS");
  }
}
