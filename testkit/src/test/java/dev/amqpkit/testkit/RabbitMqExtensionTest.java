package dev.amqpkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.skippedWithReason;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** What tests marked {@link RequiresRabbitMq} do when no broker answers. */
class RabbitMqExtensionTest {

  /** Run through the engine below, never directly: nothing listens at the URI it is given. */
  @RequiresRabbitMq
  static class NeedsABroker {
    @Test
    void usesTheBroker(RabbitMq broker) {
      throw new AssertionError("must not run without a broker: " + broker.endpoint());
    }
  }

  private static String uriWithNothingListening() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "amqp://guest:guest@127.0.0.1:" + socket.getLocalPort() + "/";
    }
  }

  private static Events run(String uri, String require) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter(RabbitMqExtension.URI_PROPERTY, uri)
        .configurationParameter(RabbitMqExtension.REQUIRE_PROPERTY, require)
        .selectors(selectClass(NeedsABroker.class))
        .execute()
        .allEvents();
  }

  @Test
  void skipsWithOneLineSayingHowToStartABroker() throws IOException {
    String uri = uriWithNothingListening();

    Events events = run(uri, "false");

    events.assertStatistics(stats -> stats.skipped(1).failed(0).succeeded(1));
    events
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                skippedWithReason(
                    reason ->
                        reason.contains("RabbitMQ does not answer at amqp://guest@127.0.0.1:")
                            && reason.contains("rabbitmq-server -detached")
                            && reason.contains(RabbitMqExtension.URI_ENV)
                            && !reason.contains("\n"))));
  }

  @Test
  void failsInsteadWhenABrokerIsRequired() throws IOException {
    Events events = run(uriWithNothingListening(), "true");

    events
        .assertThatEvents()
        .haveAtLeastOne(
            event(
                finishedWithFailure(
                    message(
                        m ->
                            m.contains("RabbitMQ does not answer")
                                && m.contains(RabbitMqExtension.REQUIRE_ENV + "=true")))));
    assertThat(events.succeeded().filter(e -> e.getTestDescriptor().isTest()).count()).isZero();
  }

  @Test
  void namesAreUniqueAndSayWhoseTheyAre() {
    RabbitMq broker =
        new RabbitMq(BrokerEndpoint.parse(RabbitMqExtension.DEFAULT_URI), "MyIT.my test");

    String first = broker.queueName("orders");
    String second = broker.queueName("orders");

    assertThat(first).startsWith("amqpkit-test.MyIT.my_test.orders.").isNotEqualTo(second);
    assertThat(broker.trackedQueues()).containsExactly(first, second);
  }

  @Test
  void longNamesAreCutToFitAShortString() {
    RabbitMq broker =
        new RabbitMq(BrokerEndpoint.parse(RabbitMqExtension.DEFAULT_URI), "x".repeat(300));

    String name = broker.exchangeName("y".repeat(300));

    assertThat(name).hasSizeLessThanOrEqualTo(RabbitMq.MAX_NAME_LENGTH);
    assertThat(broker.queueName("z".repeat(300))).isNotEqualTo(name);
  }
}
