package dev.amqpkit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RabbitMqControl;
import dev.amqpkit.testkit.RequiresRabbitMq;
import dev.amqpkit.testkit.TestCertificates;
import dev.amqpkit.testkit.TlsProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The subcommands against RabbitMQ, over both protocols: output, exit codes and errors. */
@RequiresRabbitMq
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliIT {

  /** A 1.0 URI for the same broker (1.0 has no virtual host in its URI). */
  private static String uri10(RabbitMq broker) {
    return "amqp://"
        + broker.endpoint().username()
        + ":"
        + broker.endpoint().password()
        + "@"
        + broker.endpoint().host()
        + ":"
        + broker.endpoint().port();
  }

  private static byte[] binaryBody() {
    byte[] body = new byte[3000];
    new Random(7).nextBytes(body);
    body[0] = (byte) 0xC3; // and then not a continuation byte: never valid UTF-8
    body[1] = (byte) 0x28;
    return body;
  }

  @Test
  void publishThenConsumeRoundTripsPropertiesHeadersAndABinaryBody091(
      RabbitMq broker, @TempDir Path dir) throws Exception {
    String queue = broker.queueName("cli-roundtrip");
    broker.admin().declareQueue(queue);
    byte[] body = binaryBody();
    Path file = dir.resolve("body.bin");
    Files.write(file, body);

    Cli.Result published =
        Cli.run(
            "publish",
            "--uri",
            broker.uri(),
            "--queue",
            queue,
            "--file",
            file.toString(),
            "--content-type",
            "application/octet-stream",
            "--content-encoding",
            "identity",
            "--message-id",
            "m-1",
            "--correlation-id",
            "c-1",
            "--reply-to",
            "replies",
            "--user-id",
            broker.endpoint().username(),
            "--priority",
            "3",
            "--persistent",
            "--ttl",
            "60s",
            "--timestamp",
            "2026-11-23T10:00:00Z",
            "--type",
            "order",
            "--app-id",
            "amqpkit-test",
            "-H",
            "text=héllo",
            "-H",
            "n:int=5",
            "-H",
            "big:long=5000000000",
            "-H",
            "ok:bool=true",
            "-H",
            "x:double=2.5");
    assertThat(published.exit()).as(published.toString()).isZero();
    assertThat(published.out())
        .startsWith("published 1 message to exchange '' with routing key '" + queue + "'")
        .contains(": 1 confirmed");

    Cli.Result consumed =
        Cli.run("consume", "--uri", broker.uri(), "--queue", queue, "--json", "--count", "1");
    assertThat(consumed.exit()).as(consumed.toString()).isZero();
    assertThat(consumed.out())
        .isEqualTo(
            "{\"exchange\":\"\",\"routing_key\":\""
                + queue
                + "\",\"redelivered\":false,\"properties\":{\"content_type\":\"application/octet-stream\","
                + "\"content_encoding\":\"identity\",\"delivery_mode\":2,\"priority\":3,"
                + "\"correlation_id\":\"c-1\",\"reply_to\":\"replies\",\"expiration\":\"60000\","
                + "\"message_id\":\"m-1\",\"timestamp\":\"2026-11-23T10:00:00Z\",\"type\":\"order\","
                + "\"user_id\":\""
                + broker.endpoint().username()
                + "\",\"app_id\":\"amqpkit-test\"},\"headers\":{\"text\":\"héllo\",\"n\":5,"
                + "\"big\":5000000000,\"ok\":true,\"x\":2.5},\"body\":\""
                + Base64.getEncoder().encodeToString(body)
                + "\",\"body_encoding\":\"base64\"}\n");
    assertThat(consumed.err().lines())
        .singleElement()
        .asString()
        .startsWith("amqpkit: " + consumedLine(1, "queue '" + queue + "'"));
    assertThat(broker.admin().messageCount(queue)).isZero();
  }

  /** A queue of this test holding these bodies, published through the command, one a line. */
  private static String queueWith(RabbitMq broker, String hint, String... bodies) {
    String queue = broker.queueName(hint);
    broker.admin().declareQueue(queue);
    Cli.Result published =
        Cli.run(
            String.join("\n", bodies).getBytes(UTF_8),
            "publish",
            "--uri",
            broker.uri(),
            "-q",
            queue,
            "--lines");
    assertThat(published.exit()).as(published.toString()).isZero();
    return queue;
  }

  /**
   * Waits for the queue to hold {@code n} ready messages: a broker requeues a closed consumer's
   * unacknowledged messages a moment after the close.
   */
  private static void awaitReady(RabbitMq broker, String queue, long n) {
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(broker.admin().messageCount(queue)).isEqualTo(n));
  }

  private static String consumedLine(int n, String from) {
    return "consumed " + n + " message" + (n == 1 ? "" : "s") + " from " + from + " in ";
  }

  @Test
  void publishThenConsumeRoundTripsPropertiesAndABinaryBody10(RabbitMq broker, @TempDir Path dir)
      throws Exception {
    String queue = broker.queueName("cli-roundtrip10");
    broker.admin().declareQueue(queue);
    String address = "/amq/queue/" + queue;
    byte[] body = binaryBody();
    Path file = dir.resolve("body.bin");
    Files.write(file, body);

    Cli.Result published =
        Cli.run(
            "publish",
            "--protocol",
            "1.0",
            "--uri",
            uri10(broker),
            "--address",
            address,
            "--file",
            file.toString(),
            "--content-type",
            "application/octet-stream",
            "--message-id",
            "m-1",
            "--correlation-id",
            "c-1",
            "--reply-to",
            "replies",
            "--subject",
            "orders",
            "--priority",
            "7",
            "--persistent",
            "--timestamp",
            "2026-11-23T10:00:00Z",
            "--group-id",
            "g",
            "--group-sequence",
            "4",
            "-H",
            "text=héllo",
            "-H",
            "n:int=5",
            "-H",
            "ok:bool=true");
    assertThat(published.exit()).as(published.toString()).isZero();
    assertThat(published.out()).contains("to address '" + address + "'").contains(": 1 confirmed");

    Cli.Result consumed =
        Cli.run(
            "consume",
            "--protocol",
            "1.0",
            "--uri",
            uri10(broker),
            "--address",
            address,
            "--json",
            "--count",
            "1",
            "--timeout",
            "20s");
    assertThat(consumed.exit()).as(consumed.toString()).isZero();
    String line = consumed.out();
    assertThat(line).endsWith("\n").doesNotContain("\n{");
    assertThat(line)
        .contains("\"header\":{\"durable\":true,\"priority\":7")
        .contains("\"message_id\":\"m-1\"")
        .contains("\"subject\":\"orders\"")
        .contains("\"reply_to\":\"replies\"")
        .contains("\"correlation_id\":\"c-1\"")
        .contains("\"content_type\":\"application/octet-stream\"")
        .contains("\"creation_time\":\"2026-11-23T10:00:00Z\"")
        .contains("\"group_id\":\"g\",\"group_sequence\":4")
        .contains("\"application_properties\":{\"text\":\"héllo\",\"n\":5,\"ok\":true}")
        .contains(
            "\"body\":\""
                + Base64.getEncoder().encodeToString(body)
                + "\",\"body_encoding\":\"base64\"}");
    assertThat(broker.admin().messageCount(queue)).isZero();
  }

  @Test
  void linesFromStandardInputAreMessagesAndTextModePrintsBodies(RabbitMq broker) {
    String queue = broker.queueName("cli-lines");
    broker.admin().declareQueue(queue);
    Cli.Result published =
        Cli.run(
            "one\ntwo\r\n\nthree".getBytes(UTF_8),
            "publish",
            "--uri",
            broker.uri(),
            "-q",
            queue,
            "--lines");
    assertThat(published.exit()).as(published.toString()).isZero();
    assertThat(published.out()).contains("published 4 messages").contains("4 confirmed");

    Cli.Result consumed = Cli.run("consume", "--uri", broker.uri(), "-q", queue, "-n", "4");
    assertThat(consumed.exit()).as(consumed.toString()).isZero();
    assertThat(consumed.out()).isEqualTo("one\ntwo\n\nthree\n");
  }

  @Test
  void consumingStopsAtTheCountAndLeavesTheRestInTheQueue(RabbitMq broker) {
    String queue = broker.queueName("cli-count");
    broker.admin().declareQueue(queue);
    assertThat(Cli.run("publish", "--uri", broker.uri(), "-q", queue, "-b", "m", "-n", "5").exit())
        .isZero();

    Cli.Result two = Cli.run("consume", "--uri", broker.uri(), "-q", queue, "-n", "2");
    assertThat(two.exit()).as(two.toString()).isZero();
    assertThat(two.out()).isEqualTo("m\nm\n");
    awaitReady(broker, queue, 3);

    Cli.Result tooFew =
        Cli.run("consume", "--uri", broker.uri(), "-q", queue, "-n", "10", "--timeout", "3s");
    assertThat(tooFew.exit()).as(tooFew.toString()).isEqualTo(Exit.TIMEOUT);
    assertThat(tooFew.out()).isEqualTo("m\nm\nm\n");
    assertThat(tooFew.err())
        .contains("consumed 3 messages")
        .contains("--timeout ran out before 10 came");
  }

  @Test
  void ackModesDecideWhatStaysInTheQueue(RabbitMq broker) {
    String queue = queueWith(broker, "cli-ack", "a", "b", "c");
    String u = broker.uri();

    // requeue: a look at each message once; all stay.
    Cli.Result look =
        Cli.run("consume", "--uri", u, "-q", queue, "--ack", "requeue", "--timeout", "3s");
    assertThat(look.exit()).as(look.toString()).isZero();
    assertThat(look.out()).isEqualTo("a\nb\nc\n");
    awaitReady(broker, queue, 3);

    Cli.Result rejected =
        Cli.run("consume", "--uri", u, "-q", queue, "-n", "1", "--ack", "reject", "--json");
    assertThat(rejected.out()).contains("\"redelivered\":true").contains("\"body\":\"a\"");
    awaitReady(broker, queue, 2);

    assertThat(Cli.run("consume", "--uri", u, "-q", queue, "-n", "1", "--ack", "auto").out())
        .isEqualTo("b\n");
    awaitReady(broker, queue, 1);
    assertThat(Cli.run("consume", "--uri", u, "-q", queue, "-n", "1").out()).isEqualTo("c\n");
    assertThat(broker.admin().messageCount(queue)).isZero();
  }

  @Test
  void requeueWithACountAboveThePrefetchShowsThemAll(RabbitMq broker) {
    String queue = queueWith(broker, "cli-look-count", "a", "b", "c");
    Cli.Result look =
        Cli.run(
            "consume",
            "--uri",
            broker.uri(),
            "-q",
            queue,
            "--ack",
            "requeue",
            "-n",
            "3",
            "--prefetch",
            "1",
            "--timeout",
            "10s");
    assertThat(look.exit()).as(look.toString()).isZero();
    assertThat(look.out()).isEqualTo("a\nb\nc\n");
    awaitReady(broker, queue, 3);
  }

  @Test
  void ctrlCEndsASlowRateAndAWaitForInputAtOnce(RabbitMq broker) throws Exception {
    String queue = broker.queueName("cli-stop-wait");
    broker.admin().declareQueue(queue);
    // Stopped once the first message is in: the next waits 20 s for its turn.
    StopSignal slow = stopWhen(() -> broker.admin().messageCount(queue) == 1);
    long start = System.nanoTime();
    Cli.Result paced =
        Cli.run(
            new byte[0],
            slow,
            "publish",
            "--uri",
            broker.uri(),
            "-q",
            queue,
            "-b",
            "m",
            "-n",
            "5",
            "--rate",
            "0.05");
    assertThat(paced.exit()).as(paced.toString()).isEqualTo(Exit.INTERRUPTED);
    assertThat(paced.out()).contains("published 1 message").contains("1 confirmed (stopped)");

    java.io.PipedOutputStream typing = new java.io.PipedOutputStream();
    java.io.PipedInputStream stdin = new java.io.PipedInputStream(typing);
    typing.write("typed\n".getBytes(UTF_8));
    typing.flush();
    Cli.Result waiting =
        Cli.run(
            stdin,
            // Stopped once the typed line is in: the command then waits for more input.
            stopWhen(() -> broker.admin().messageCount(queue) == 2),
            new java.io.ByteArrayOutputStream(),
            "publish",
            "--uri",
            broker.uri(),
            "-q",
            queue,
            "--lines");
    assertThat(waiting.exit()).as(waiting.toString()).isEqualTo(Exit.INTERRUPTED);
    assertThat(waiting.out()).contains("published 1 message").contains("(stopped)");
    assertThat(System.nanoTime() - start).isLessThan(15_000_000_000L);
    awaitReady(broker, queue, 2);
    typing.close();
  }

  /** A stop requested (as Ctrl-C would) once {@code condition} holds; polled for 60 s at most. */
  private static StopSignal stopWhen(java.util.concurrent.Callable<Boolean> condition) {
    StopSignal stop = new StopSignal();
    CompletableFuture.runAsync(
        () -> {
          org.awaitility.Awaitility.await()
              .atMost(java.time.Duration.ofSeconds(60))
              .pollInterval(java.time.Duration.ofMillis(50))
              .until(condition);
          stop.request();
        });
    return stop;
  }

  /** Standard output a test can watch while the command runs. */
  private static final class Watched extends java.io.ByteArrayOutputStream {
    boolean shows(String text) {
      return toString(UTF_8).contains(text);
    }
  }

  @Test
  void requeueLooksAtMessagesOver10Too(RabbitMq broker) {
    String queue = queueWith(broker, "cli-look10", "a", "b", "c");
    Cli.Result look =
        Cli.run(
            "consume",
            "--protocol",
            "1.0",
            "--uri",
            uri10(broker),
            "-a",
            "/amq/queue/" + queue,
            "--ack",
            "requeue",
            "--timeout",
            "2s");
    assertThat(look.exit()).as(look.toString()).isZero();
    assertThat(look.out()).isEqualTo("a\nb\nc\n");
    awaitReady(broker, queue, 3);
  }

  @Test
  void aClosedOutputStopsConsumeAndLosesNothing(RabbitMq broker) {
    String queue = queueWith(broker, "cli-pipe-closed", "a", "b", "c", "d");
    String u = broker.uri();
    for (List<String> protocol :
        List.of(
            List.of("--uri", u, "-q", queue),
            List.of("--protocol", "1.0", "--uri", uri10(broker), "-a", "/amq/queue/" + queue))) {
      long before = broker.admin().messageCount(queue);
      List<String> args = new java.util.ArrayList<>(List.of("consume", "--timeout", "10s"));
      args.addAll(protocol);
      // Takes one message and its line end ("a\n"), then fails as a closed pipe does.
      Cli.Result r =
          Cli.run(new byte[0], new StopSignal(), Cli.closingAfter(2), args.toArray(String[]::new));
      assertThat(r.exit()).as(r.toString()).isEqualTo(Exit.FAILURE);
      assertThat(r.err()).contains("standard output was closed after 1 messages");
      awaitReady(broker, queue, before - 1); // only the printed message was taken
    }
  }

  @Test
  void aConsumerWhoseQueueIsDeletedEndsWithNotFound(RabbitMq broker) throws Exception {
    String queue = broker.queueName("cli-deleted");
    broker.admin().declareQueue(queue);
    CompletableFuture<Cli.Result> consume =
        CompletableFuture.supplyAsync(
            () -> Cli.run("consume", "--uri", broker.uri(), "-q", queue, "--timeout", "60s"));
    try (dev.amqpkit.amqp091.Connection c = dev.amqpkit.amqp091.Connection.open(broker.uri())) {
      dev.amqpkit.amqp091.Channel ch = c.openChannel();
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(20))
          .until(() -> ch.queueDeclarePassive(queue).consumerCount() == 1);
    }
    broker.admin().deleteQueue(queue);
    Cli.Result r = consume.get(20, TimeUnit.SECONDS);
    assertThat(r.exit()).as(r.toString()).isEqualTo(Exit.NOT_FOUND);
    assertThat(r.err()).contains("the broker cancelled the consumer of queue '" + queue + "'");
  }

  @Test
  void withoutConfirmsBothProtocolsPublishAndAnUnroutableMessageIsStillAnError(RabbitMq broker) {
    String queue = broker.queueName("cli-noconfirm");
    broker.admin().declareQueue(queue);
    Cli.Result p091 =
        Cli.run(
            "publish", "--uri", broker.uri(), "-q", queue, "-b", "x", "-n", "2", "--no-confirm");
    assertThat(p091.exit()).as(p091.toString()).isZero();
    assertThat(p091.out())
        .contains("published 2 messages")
        .contains("(not confirmed: --no-confirm)");
    Cli.Result p10 =
        Cli.run(
            "publish",
            "--protocol",
            "1.0",
            "--uri",
            uri10(broker),
            "-a",
            "/amq/queue/" + queue,
            "-b",
            "y",
            "-n",
            "2",
            "--no-confirm");
    assertThat(p10.exit()).as(p10.toString()).isZero();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> broker.admin().messageCount(queue) == 4);

    Cli.Result unroutable =
        Cli.run(
            "publish",
            "--uri",
            broker.uri(),
            "-q",
            broker.queueName("cli-nowhere"),
            "-b",
            "x",
            "--no-confirm");
    assertThat(unroutable.exit()).as(unroutable.toString()).isEqualTo(Exit.NOT_FOUND);
    assertThat(unroutable.err()).contains("returned unroutable");
  }

  @Test
  void ctrlCStopsPublishWithAReportOfWhatWasSent(RabbitMq broker) throws Exception {
    String queue = broker.queueName("cli-stop-publish");
    broker.admin().declareQueue(queue);
    StopSignal stop = stopWhen(() -> broker.admin().messageCount(queue) >= 100);
    long start = System.nanoTime();
    Cli.Result r =
        Cli.run(
            new byte[0],
            stop,
            "publish",
            "--uri",
            broker.uri(),
            "-q",
            queue,
            "-b",
            "m",
            "-n",
            "100000",
            "--rate",
            "500");
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start))
        .isLessThan(StopSignal.GRACE_SECONDS);
    assertThat(r.exit()).as(r.toString()).isEqualTo(Exit.INTERRUPTED);
    Matcher m =
        Pattern.compile("published (\\d+) messages .*: (\\d+) confirmed \\(stopped\\)")
            .matcher(r.out());
    assertThat(m.find()).as(r.out()).isTrue();
    long sent = Long.parseLong(m.group(1));
    assertThat(sent).isBetween(100L, 99_999L);
    assertThat(Long.parseLong(m.group(2))).isEqualTo(sent);
    assertThat(broker.admin().messageCount(queue)).isEqualTo(sent);
  }

  @Test
  void ctrlCStopsPerfWithinTheGraceWithASummaryAndNoLoss(RabbitMq broker) throws Exception {
    Watched out = new Watched();
    // Stopped once a second of the run has been reported.
    StopSignal stop = stopWhen(() -> out.shows("\"type\":\"interval\""));
    long start = System.nanoTime();
    Cli.Result r =
        Cli.run(
            new java.io.ByteArrayInputStream(new byte[0]),
            stop,
            out,
            "perf",
            "--uri",
            broker.uri(),
            "--time",
            "60s",
            "--json");
    // Well under the 60 s asked: about a second of the run, then at most the grace.
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start))
        .isLessThan(2 + StopSignal.GRACE_SECONDS);
    assertThat(r.exit()).as(r.toString()).isEqualTo(Exit.INTERRUPTED);
    String summary = summaryOf(r);
    assertThat(summary).contains("\"stopped\":true");
    // Stopped early: what the broker took and no consumer had yet is "not received", not lost.
    assertThat(field(summary, "not_received")).isNotNegative();
    assertThat(field(summary, "sent")).isPositive();
    assertThat(field(summary, "received") - field(summary, "duplicates"))
        .isLessThanOrEqualTo(field(summary, "sent"));
  }

  @Test
  void confirmedMessagesThatNeverArriveAreLostExitTwelve(RabbitMq broker) {
    String queue = broker.queueName("cli-ttl0");
    // A message no consumer can take at once expires: the broker confirmed it, then dropped it.
    assertThat(
            Cli.run(
                    "topology",
                    "declare-queue",
                    "--uri",
                    broker.uri(),
                    queue,
                    "--no-durable",
                    "--arg",
                    "x-message-ttl=0")
                .exit())
        .isZero();
    Cli.Result r =
        Cli.run(
            "perf",
            "--uri",
            broker.uri(),
            "--queue",
            queue,
            "-C",
            "20000",
            "--prefetch",
            "1",
            "--json");
    assertThat(r.exit()).as(r.toString()).isEqualTo(Exit.LOST);
    assertThat(field(summaryOf(r), "lost")).isPositive();
    assertThat(r.err()).contains("messages the broker took never reached a consumer");
  }

  @Test
  void perfOver10WithoutConfirmsReceivesWhatWasSent(RabbitMq broker) {
    Cli.Result r =
        Cli.run(
            "perf",
            "--protocol",
            "1.0",
            "--uri",
            uri10(broker),
            "-C",
            "3000",
            "--confirm",
            "0",
            "--json");
    assertThat(r.exit()).as(r.toString()).isZero();
    String summary = summaryOf(r);
    assertThat(field(summary, "sent")).isEqualTo(3000);
    assertThat(field(summary, "received")).isEqualTo(3000);
    assertThat(field(summary, "lost")).isZero();
  }

  @Test
  void aMissingQueueIsExitSevenInEveryCommand(RabbitMq broker) {
    String missing = broker.queueName("cli-missing");

    Cli.Result publish = Cli.run("publish", "--uri", broker.uri(), "-q", missing, "-b", "x");
    assertThat(publish.exit()).as(publish.toString()).isEqualTo(Exit.NOT_FOUND);
    assertThat(publish.err().lines())
        .singleElement()
        .asString()
        .contains("returned unroutable")
        .contains("routing key '" + missing + "'")
        .contains("312 NO_ROUTE");

    Cli.Result consume = Cli.run("consume", "--uri", broker.uri(), "-q", missing, "-n", "1");
    assertThat(consume.exit()).as(consume.toString()).isEqualTo(Exit.NOT_FOUND);
    assertThat(consume.err().lines())
        .singleElement()
        .asString()
        .contains("404 NOT_FOUND")
        .contains(missing);

    Cli.Result consume10 =
        Cli.run(
            "consume",
            "--protocol",
            "1.0",
            "--uri",
            uri10(broker),
            "--address",
            "/amq/queue/" + missing,
            "-n",
            "1",
            "--timeout",
            "10s");
    assertThat(consume10.exit()).as(consume10.toString()).isEqualTo(Exit.NOT_FOUND);
    assertThat(consume10.err().lines()).singleElement().asString().contains("amqp:not-found");

    long start = System.nanoTime();
    Cli.Result noExchange =
        Cli.run("publish", "--uri", broker.uri(), "--exchange", missing, "-k", "k", "-b", "x");
    assertThat(noExchange.exit()).as(noExchange.toString()).isEqualTo(Exit.NOT_FOUND);
    assertThat(noExchange.err()).contains("404 NOT_FOUND");
    assertThat(noExchange.out()).contains("1 failed");
    assertThat(System.nanoTime() - start).as("not the confirm timeout").isLessThan(10_000_000_000L);

    Cli.Result passive =
        Cli.run("topology", "declare-queue", "--uri", broker.uri(), "--passive", missing);
    assertThat(passive.exit()).isEqualTo(Exit.NOT_FOUND);

    Cli.Result unconfirmed =
        Cli.run("publish", "--uri", broker.uri(), "-q", missing, "-b", "x", "--no-mandatory");
    assertThat(unconfirmed.exit()).as("without --mandatory, RabbitMQ confirms and drops").isZero();
  }

  @Test
  void aRefusedLoginIsExitFiveAndNeverShowsThePassword(RabbitMq broker) {
    String wrong091 =
        "amqp://"
            + broker.endpoint().username()
            + ":wr0ng-s3cret@"
            + broker.endpoint().host()
            + ":"
            + broker.endpoint().port()
            + "/%2F";
    Cli.Result r = Cli.run("consume", "--uri", wrong091, "-q", "q");
    assertThat(r.exit()).as(r.toString()).isEqualTo(Exit.LOGIN_REFUSED);
    assertThat(r.err().lines())
        .singleElement()
        .asString()
        .contains("refused the login of user '" + broker.endpoint().username() + "'");
    assertThat(r.err() + r.out()).doesNotContain("wr0ng-s3cret");

    String wrong10 = wrong091.substring(0, wrong091.length() - "/%2F".length());
    Cli.Result r10 = Cli.run("consume", "--protocol", "1.0", "--uri", wrong10, "-a", "q");
    assertThat(r10.exit()).as(r10.toString()).isEqualTo(Exit.LOGIN_REFUSED);
    assertThat(r10.err().lines()).hasSize(1);
    assertThat(r10.err() + r10.out()).doesNotContain("wr0ng-s3cret");
  }

  @Test
  void topologyDeclaresBindsPurgesAndDeletes(RabbitMq broker) {
    String exchange = broker.exchangeName("cli-topic");
    String second = broker.exchangeName("cli-fanout");
    String queue = broker.queueName("cli-bound");
    String u = broker.uri();

    assertThat(
            Cli.run(
                    "topology",
                    "declare-exchange",
                    "--uri",
                    u,
                    exchange,
                    "--type",
                    "topic",
                    "--no-durable")
                .out())
        .isEqualTo("exchange '" + exchange + "' (topic) declared\n");
    assertThat(
            Cli.run("topology", "declare-exchange", "--uri", u, second, "--type", "fanout").exit())
        .isZero();
    Cli.Result declared =
        Cli.run(
            "topology",
            "declare-queue",
            "--uri",
            u,
            queue,
            "--no-durable",
            "--arg",
            "x-max-length=2");
    assertThat(declared.out()).isEqualTo("queue '" + queue + "': 0 messages, 0 consumers\n");
    assertThat(
            Cli.run(
                    "topology",
                    "bind",
                    "--uri",
                    u,
                    "--exchange",
                    exchange,
                    "-q",
                    queue,
                    "-k",
                    "a.*")
                .out())
        .isEqualTo("queue '" + queue + "' bound to exchange '" + exchange + "' with key 'a.*'\n");
    assertThat(
            Cli.run(
                    "topology",
                    "bind",
                    "--uri",
                    u,
                    "--exchange",
                    second,
                    "--to-exchange",
                    exchange,
                    "-k",
                    "")
                .exit())
        .isZero();

    // Through the topic exchange, and through the fanout one bound to it (key a.b goes on).
    assertThat(
            Cli.run("publish", "--uri", u, "--exchange", exchange, "-k", "a.b", "-b", "1").exit())
        .isZero();
    assertThat(Cli.run("publish", "--uri", u, "--exchange", second, "-k", "a.c", "-b", "2").exit())
        .isZero();
    assertThat(
            Cli.run("publish", "--uri", u, "--exchange", exchange, "-k", "b.a", "-b", "3").exit())
        .isEqualTo(Exit.NOT_FOUND);
    assertThat(
            Cli.run("publish", "--uri", u, "--exchange", exchange, "-k", "a.d", "-b", "4").exit())
        .isZero();
    assertThat(broker.admin().messageCount(queue))
        .as("x-max-length=2 took as a number")
        .isEqualTo(2);

    Cli.Result inequivalent =
        Cli.run(
            "topology",
            "declare-queue",
            "--uri",
            u,
            queue,
            "--no-durable",
            "--arg",
            "x-max-length=5");
    assertThat(inequivalent.exit()).as(inequivalent.toString()).isEqualTo(Exit.BROKER_REFUSED);
    assertThat(inequivalent.err()).contains("406 PRECONDITION_FAILED");

    assertThat(Cli.run("topology", "purge-queue", "--uri", u, queue).out())
        .isEqualTo("queue '" + queue + "' purged: 2 messages removed\n");
    assertThat(
            Cli.run(
                    "topology",
                    "unbind",
                    "--uri",
                    u,
                    "--exchange",
                    exchange,
                    "-q",
                    queue,
                    "-k",
                    "a.*")
                .exit())
        .isZero();
    assertThat(
            Cli.run("publish", "--uri", u, "--exchange", exchange, "-k", "a.b", "-b", "5").exit())
        .isEqualTo(Exit.NOT_FOUND);
    assertThat(Cli.run("topology", "delete-queue", "--uri", u, queue, "--if-empty").out())
        .isEqualTo("queue '" + queue + "' deleted with 0 messages\n");
    assertThat(Cli.run("topology", "delete-exchange", "--uri", u, second).exit()).isZero();
    assertThat(Cli.run("topology", "delete-exchange", "--uri", u, exchange, "--if-unused").exit())
        .isZero();
    assertThat(broker.admin().exchangeExists(exchange)).isFalse();
    assertThat(broker.admin().queueExists(queue)).isFalse();
  }

  @Test
  void tlsFailuresSayWhichAndCacertTrustsAPrivateCa(RabbitMq broker) throws Exception {
    TestCertificates certificates = TestCertificates.create("localhost");
    String queue = broker.queueName("cli-tls");
    broker.admin().declareQueue(queue);
    try (TlsProxy proxy =
        TlsProxy.start(
            certificates.serverContext(), broker.endpoint().host(), broker.endpoint().port())) {
      String credentials = broker.endpoint().username() + ":" + broker.endpoint().password() + "@";
      String good = "amqps://" + credentials + "localhost:" + proxy.port() + "/%2F";
      String wrongHost = "amqps://" + credentials + "127.0.0.1:" + proxy.port() + "/%2F";
      String ca = certificates.caCertificate().toString();

      Cli.Result trusted =
          Cli.run("publish", "--uri", good, "--cacert", ca, "-q", queue, "-b", "over tls");
      assertThat(trusted.exit()).as(trusted.toString()).isZero();
      assertThat(broker.admin().messageCount(queue)).isEqualTo(1);

      Cli.Result untrusted = Cli.run("publish", "--uri", good, "-q", queue, "-b", "x");
      assertThat(untrusted.exit()).as(untrusted.toString()).isEqualTo(Exit.TLS);
      assertThat(untrusted.err().lines())
          .singleElement()
          .asString()
          .startsWith("amqpkit: TLS failed: ")
          .containsIgnoringCase("certificate");

      Cli.Result mismatch =
          Cli.run("publish", "--uri", wrongHost, "--cacert", ca, "-q", queue, "-b", "x");
      assertThat(mismatch.exit()).as(mismatch.toString()).isEqualTo(Exit.TLS);
      assertThat(mismatch.err().lines())
          .singleElement()
          .asString()
          .startsWith("amqpkit: TLS failed: ")
          .containsIgnoringCase("127.0.0.1");
      assertThat(broker.admin().messageCount(queue)).isEqualTo(1);
    }
  }

  private static final Pattern QUEUE = Pattern.compile("\"queue\":\"([^\"]+)\"");

  private static long field(String json, String name) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":(-?\\d+)").matcher(json);
    assertThat(m.find()).as(name + " in " + json).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static String summaryOf(Cli.Result r) {
    return r.out()
        .lines()
        .filter(l -> l.startsWith("{\"type\":\"summary\""))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no summary in " + r));
  }

  @Test
  void perfMeasuresBothProtocolsAndDeletesItsQueue(RabbitMq broker) {
    for (List<String> protocol :
        List.of(
            List.of("--uri", broker.uri()), List.of("--protocol", "1.0", "--uri", uri10(broker)))) {
      List<String> args = new java.util.ArrayList<>(List.of("perf", "-C", "5000", "--json"));
      args.addAll(protocol);
      Cli.Result r = Cli.run(args.toArray(String[]::new));
      assertThat(r.exit()).as(r.toString()).isZero();
      String summary = summaryOf(r);
      assertThat(field(summary, "sent")).isEqualTo(5000);
      assertThat(field(summary, "confirmed")).isEqualTo(5000);
      assertThat(field(summary, "received")).isEqualTo(5000);
      assertThat(field(summary, "lost")).isZero();
      assertThat(summary).contains("\"latency_ms\":{\"min\":");
      Matcher queue = QUEUE.matcher(r.out());
      assertThat(queue.find()).isTrue();
      assertThat(broker.admin().queueExists(queue.group(1))).as("deleted after the run").isFalse();
    }
  }

  @Test
  void perfRunsOnRabbitMqsQueueTypes(RabbitMq broker) {
    // A stream over 1.0 meets RabbitMQ 3.10's string-keyed x-stream-offset annotation.
    for (List<String> args :
        List.of(
            List.of("--uri", broker.uri(), "--queue-type", "quorum"),
            List.of("--uri", broker.uri(), "--queue-type", "stream"),
            List.of("--protocol", "1.0", "--uri", uri10(broker), "--queue-type", "stream"))) {
      List<String> all = new java.util.ArrayList<>(List.of("perf", "-C", "2000", "--json"));
      all.addAll(args);
      Cli.Result r = Cli.run(all.toArray(String[]::new));
      assertThat(r.exit()).as(args + "\n" + r).isZero();
      String summary = summaryOf(r);
      assertThat(field(summary, "received")).as(args.toString()).isEqualTo(2000);
      assertThat(field(summary, "lost")).isZero();
    }
  }

  @Test
  void perfPrintsALineASecondAndATextSummary(RabbitMq broker) {
    Cli.Result r =
        Cli.run(
            "perf",
            "--uri",
            broker.uri(),
            "--time",
            "2500ms",
            "--rate",
            "2000",
            "-x",
            "2",
            "-y",
            "2");
    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0))
        .startsWith("amqpkit perf: AMQP 0-9-1, 2 producers, 2 consumers, 100 B messages");
    assertThat(lines.stream().filter(l -> l.matches("\\s+\\d+s\\s.*")))
        .hasSizeGreaterThanOrEqualTo(2);
    assertThat(lines)
        .anyMatch(l -> l.startsWith("sent "))
        .anyMatch(l -> l.startsWith("received "))
        .anyMatch(l -> l.startsWith("latency ms "))
        .anyMatch(l -> l.startsWith("confirmed "));
  }

  @Test
  void perfRecoverLosesNothingWhenTheBrokerClosesItsConnections(RabbitMq broker) throws Exception {
    assumeTrue(
        RabbitMqControl.availableFor(broker.endpoint()), "rabbitmqctl cannot reach the broker");
    Watched out = new Watched();
    CompletableFuture<Cli.Result> run =
        CompletableFuture.supplyAsync(
            () ->
                Cli.run(
                    new java.io.ByteArrayInputStream(new byte[0]),
                    new StopSignal(),
                    out,
                    "perf",
                    "--uri",
                    broker.uri(),
                    "--recover",
                    "-C",
                    "30000",
                    "--rate",
                    "6000",
                    "--json"));
    // The fault hits once a second of the run (of five) has been reported.
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(() -> out.shows("\"type\":\"interval\""));
    RabbitMqControl.closeAllConnections();
    Cli.Result r = run.get(100, TimeUnit.SECONDS);
    assertThat(r.exit()).as(r.toString()).isZero();
    String summary = summaryOf(r);
    assertThat(field(summary, "sent")).isEqualTo(30000);
    assertThat(field(summary, "confirmed")).isEqualTo(30000);
    assertThat(field(summary, "lost")).isZero();
    assertThat(field(summary, "reconnects")).isGreaterThanOrEqualTo(1);
    assertThat(field(summary, "received") - field(summary, "duplicates")).isEqualTo(30000);
  }
}
