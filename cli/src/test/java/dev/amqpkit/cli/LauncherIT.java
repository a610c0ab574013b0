package dev.amqpkit.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.testkit.RabbitMq;
import dev.amqpkit.testkit.RequiresRabbitMq;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/amqpkit} as a person runs it: the launcher script and the runnable jar the build made,
 * in a process of their own.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LauncherIT {
  /** The checkout's root: tests run in the cli module's directory. */
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  private static final Path LAUNCHER = ROOT.resolve("bin/amqpkit");

  private record Run(int exit, String out, String err) {}

  private static Process start(Path dir, List<String> command) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
    pb.redirectOutput(dir.resolve("out").toFile());
    pb.redirectError(dir.resolve("err").toFile());
    pb.environment().remove("AMQPKIT_URI");
    return pb.start();
  }

  private static Run finish(Path dir, Process p, Duration within) throws Exception {
    if (!p.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          "still running after " + within + ": " + Files.readString(dir.resolve("err")));
    }
    return new Run(
        p.exitValue(), Files.readString(dir.resolve("out")), Files.readString(dir.resolve("err")));
  }

  private static List<String> amqpkit(String... args) {
    List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
    command.addAll(List.of(args));
    return command;
  }

  @Test
  void theReadmesMainProgramRunsPerfOnTheEmbeddedBroker(@TempDir Path dir) throws Exception {
    assertThat(LAUNCHER).isExecutable();
    Run r = finish(dir, start(dir, amqpkit("perf", "--time", "2s")), Duration.ofSeconds(90));
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("no --uri given: using an embedded Apache Qpid Broker-J");
    assertThat(r.out())
        .startsWith("amqpkit perf: AMQP 0-9-1, 1 producer, 1 consumer")
        .contains("latency ms")
        .containsPattern("(?m)^received +[\\d,]+ +[\\d,]+$");
  }

  @Test
  void ctrlCStopsPerfOnTheEmbeddedBrokerWithASummary(@TempDir Path dir) throws Exception {
    Process perf = start(dir, amqpkit("perf", "--time", "60s"));
    Path out = dir.resolve("out");
    await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(out).contains("    2s "));
    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(perf.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    Run r = finish(dir, perf, Duration.ofSeconds(StopSignal.GRACE_SECONDS + 5));
    assertThat(r.exit()).isEqualTo(Exit.INTERRUPTED);
    assertThat(r.out()).containsPattern("(?m)^in [\\d.]+ s \\(stopped\\)").contains("latency ms");
    // The broker stops after the command's connections, not under them.
    assertThat(r.err())
        .doesNotContain("WARN")
        .doesNotContain("ERROR")
        .doesNotContain("Exception")
        .doesNotContain("could not delete queue");
  }

  @Test
  void theBrokerCommandServesOtherCommandsUntilCtrlC(@TempDir Path dir) throws Exception {
    Process broker = start(dir, amqpkit("broker", "--port", "0"));
    Path out = dir.resolve("out");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.readString(out).startsWith("amqp://127.0.0.1:"));
    String uri = Files.readString(out).trim().replace("amqp://", "amqp://guest:guest@");

    // Messages outlive the commands that sent them, for as long as the broker runs.
    assertThat(Cli.run("topology", "declare-queue", "--uri", uri, "shared").exit()).isZero();
    assertThat(Cli.run("publish", "--uri", uri, "-q", "shared", "-b", "kept").exit()).isZero();
    Cli.Result consumed =
        Cli.run(
            "consume",
            "--protocol",
            "1.0",
            "--uri",
            uri,
            "-a",
            "shared",
            "-n",
            "1",
            "--timeout",
            "20s");
    assertThat(consumed.exit()).as(consumed.toString()).isZero();
    assertThat(consumed.out()).isEqualTo("kept\n");

    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(broker.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    Run r = finish(dir, broker, Duration.ofSeconds(StopSignal.GRACE_SECONDS + 5));
    assertThat(r.exit()).isEqualTo(Exit.INTERRUPTED);
    assertThat(r.err()).contains("listens at amqp://127.0.0.1:").doesNotContain("Exception");
    Cli.Result after = Cli.run("consume", "--uri", uri, "-q", "shared", "-n", "1");
    assertThat(after.exit()).as("stopped with the command").isEqualTo(Exit.UNREACHABLE);
  }

  @Test
  void theLauncherSaysHowToBuildWhenTheJarIsMissing(@TempDir Path dir) throws Exception {
    Path copy = dir.resolve("bin/amqpkit");
    Files.createDirectories(copy.getParent());
    Files.copy(LAUNCHER, copy);
    copy.toFile().setExecutable(true);
    Process p = new ProcessBuilder(copy.toString(), "--version").redirectErrorStream(true).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(new String(p.getInputStream().readAllBytes(), UTF_8))
        .contains("is missing; build it first: mvn -B -q package -DskipTests");
  }

  @Test
  @RequiresRabbitMq
  void publishPipedFromAShellThenConsumed(RabbitMq broker, @TempDir Path dir) throws Exception {
    String queue = broker.queueName("cli-pipe");
    broker.admin().declareQueue(queue);
    String script =
        "printf 'first\\nsecond\\n' | \"$0\" publish --uri \"$1\" -q \"$2\" --lines"
            + " && \"$0\" consume --uri \"$1\" -q \"$2\" -n 2 --json";
    Run r =
        finish(
            dir,
            start(dir, List.of("sh", "-c", script, LAUNCHER.toString(), broker.uri(), queue)),
            Duration.ofSeconds(60));
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).startsWith("published 2 messages").endsWith(": 2 confirmed");
    assertThat(lines.get(1)).contains("\"body\":\"first\"");
    assertThat(lines.get(2)).contains("\"body\":\"second\"");
  }

  @Test
  @RequiresRabbitMq
  void ctrlCStopsConsumeCleanlyWithASummary(RabbitMq broker, @TempDir Path dir) throws Exception {
    String queue = broker.queueName("cli-sigint");
    broker.admin().declareQueue(queue);
    Process consume = start(dir, amqpkit("consume", "--uri", broker.uri(), "-q", queue));
    File out = dir.resolve("out").toFile();
    assertThat(Cli.run("publish", "--uri", broker.uri(), "-q", queue, "-b", "m", "-n", "2").exit())
        .isZero();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Files.readString(out.toPath()).equals("m\nm\n"));

    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(consume.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    Run r = finish(dir, consume, Duration.ofSeconds(30));
    assertThat(r.exit()).isEqualTo(Exit.INTERRUPTED);
    assertThat(r.err())
        .contains("consumed 2 messages from queue '" + queue + "'")
        .contains("(stopped)");
    // Unacknowledged messages would be back in the queue a moment after the close.
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .until(() -> broker.admin().messageCount(queue) == 0);
  }
}
