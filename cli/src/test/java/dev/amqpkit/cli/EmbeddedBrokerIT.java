package dev.amqpkit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.testkit.ResourceBaseline;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The subcommands against the embedded Apache Qpid Broker-J: one started by the test (so that
 * several commands share it), and one each command starts for itself when given no URI.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedBrokerIT {
  private static EmbeddedBroker broker;

  @BeforeAll
  static void start() {
    broker = EmbeddedBroker.start();
  }

  @AfterAll
  static void stop() {
    if (broker != null) broker.close();
  }

  @Test
  void bothProtocolsPublishAndConsumeAcrossEachOther() {
    String u = broker.uri();
    assertThat(Cli.run("topology", "declare-queue", "--uri", u, "cli-embedded").exit()).isZero();

    Cli.Result published =
        Cli.run("publish", "--uri", u, "-q", "cli-embedded", "-b", "from 0-9-1", "-H", "k=v");
    assertThat(published.exit()).as(published.toString()).isZero();
    assertThat(published.out()).contains("1 confirmed");

    Cli.Result sent =
        Cli.run(
            "publish",
            "--protocol",
            "1.0",
            "--uri",
            u,
            "-a",
            "cli-embedded",
            "-b",
            "from 1.0",
            "--subject",
            "s");
    assertThat(sent.exit()).as(sent.toString()).isZero();

    Cli.Result received =
        Cli.run(
            "consume",
            "--protocol",
            "1.0",
            "--uri",
            u,
            "-a",
            "cli-embedded",
            "-n",
            "1",
            "--json",
            "--timeout",
            "20s");
    assertThat(received.exit()).as(received.toString()).isZero();
    assertThat(received.out())
        .contains("\"application_properties\":{\"k\":\"v\"}")
        .contains("\"body\":\"from 0-9-1\"");

    Cli.Result consumed =
        Cli.run("consume", "--uri", u, "-q", "cli-embedded", "-n", "1", "--timeout", "20s");
    assertThat(consumed.exit()).as(consumed.toString()).isZero();
    assertThat(consumed.out()).isEqualTo("from 1.0\n");

    assertThat(Cli.run("topology", "delete-queue", "--uri", u, "cli-embedded").exit()).isZero();
  }

  @Test
  void aMissingQueueIsNotFoundHereToo() {
    Cli.Result r = Cli.run("consume", "--uri", broker.uri(), "-q", "no-such-queue", "-n", "1");
    assertThat(r.exit()).as(r.toString()).isEqualTo(Exit.NOT_FOUND);
    assertThat(r.err().lines()).singleElement().asString().contains("404");
  }

  @Test
  void rabbitMqQueueTypesAreRefusedHere() {
    Cli.Result r = Cli.run("perf", "--uri", broker.uri(), "--queue-type", "quorum", "-C", "10");
    assertThat(r.exit()).as(r.toString()).isEqualTo(Exit.USAGE);
    assertThat(r.err()).contains("--queue-type quorum is RabbitMQ's");
  }

  private static final Pattern EMBEDDED =
      Pattern.compile(
          "amqpkit: no --uri given: using an embedded Apache Qpid Broker-J [\\d.]+ at"
              + " amqp://127\\.0\\.0\\.1:(\\d+) \\(in memory; it stops when this command ends\\)");

  @Test
  void withoutAUriPerfRunsOnItsOwnBrokerAndStopsIt() throws Exception {
    ResourceBaseline before = ResourceBaseline.measure();
    Cli.Result r = Cli.run("perf", "-C", "3000", "--json");
    assertThat(r.exit()).as(r.toString()).isZero();
    Matcher line = EMBEDDED.matcher(r.err());
    assertThat(line.find()).as(r.err()).isTrue();
    assertThat(r.out())
        .contains("\"type\":\"summary\"")
        .contains("\"received\":3000")
        .contains("\"lost\":0");

    int port = Integer.parseInt(line.group(1));
    assertThatThrownBy(
            () -> {
              try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
              }
            })
        .as("the embedded broker stopped with the command")
        .isInstanceOf(IOException.class);
    ResourceBaseline after = ResourceBaseline.settledTo(before, Duration.ofSeconds(30));
    assertThat(after.threads())
        .as("threads back to baseline")
        .isLessThanOrEqualTo(before.threads());
  }
}
