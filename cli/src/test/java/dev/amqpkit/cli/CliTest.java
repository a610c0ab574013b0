package dev.amqpkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the command says and returns before any broker is involved: usage, help, bad input. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CliTest {

  @Test
  void versionNamesTheCommandJavaAndTheEmbeddedBroker() {
    Cli.Result r = Cli.run("--version");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("amqpkit 0.1.0")
        .contains("Java " + Runtime.version())
        .contains("Apache Qpid Broker-J");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "publish",
        "consume",
        "perf",
        "topology",
        "topology declare-queue",
        "topology declare-exchange",
        "topology bind",
        "topology unbind",
        "topology purge-queue",
        "topology delete-queue",
        "topology delete-exchange",
        "broker"
      })
  void everySubcommandHasHelp(String command) {
    List<String> args = new java.util.ArrayList<>(List.of(command.split(" ")));
    args.add("--help");
    Cli.Result r = Cli.run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).startsWith("Usage: amqpkit " + command).contains("Exit codes:");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void anUnknownOptionIsAUsageErrorInOneLineAndAHint() {
    Cli.Result r = Cli.run("publish", "--no-such-option");
    assertThat(r.exit()).isEqualTo(Exit.USAGE);
    assertThat(r.err().lines())
        .containsExactly(
            "amqpkit: Unknown option: '--no-such-option'", "Try 'amqpkit publish --help'.");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aBadUriSaysWhatIsWrongWithoutThePassword() {
    Cli.Result r =
        Cli.run("publish", "--uri", "amqp://user:s3cret@host:notaport/", "-q", "q", "-b", "x");
    assertThat(r.exit()).as(r.toString()).isEqualTo(Exit.BAD_URI);
    assertThat(r.err().lines()).hasSize(1).first().asString().startsWith("amqpkit: bad --uri: ");
    assertThat(r.err()).doesNotContain("s3cret");

    Cli.Result scheme = Cli.run("consume", "--uri", "http://localhost", "-q", "q");
    assertThat(scheme.exit()).isEqualTo(Exit.BAD_URI);
    assertThat(scheme.err()).contains("amqp://").contains("http://");
  }

  @Test
  void passwordsNeverAppearInErrors() {
    Cli.Result malformed10 =
        Cli.run("consume", "--protocol", "1.0", "--uri", "amqp://user:s3%ZZcret@host/", "-a", "q");
    assertThat(malformed10.exit()).as(malformed10.toString()).isEqualTo(Exit.BAD_URI);
    assertThat(malformed10.err()).contains("Malformed escape pair").doesNotContain("s3");

    Cli.Result misspelt = Cli.run("consume", "--url", "amqp://user:s3cret@host", "-q", "q");
    assertThat(misspelt.exit()).isEqualTo(Exit.USAGE);
    assertThat(misspelt.err()).contains("amqp://user:****@host").doesNotContain("s3cret");

    Cli.Result positional = Cli.run("publish", "amqp://user:s3cret@host");
    assertThat(positional.exit()).isEqualTo(Exit.USAGE);
    assertThat(positional.err()).doesNotContain("s3cret");
  }

  @Test
  void aMalformedHeaderOrArgumentIsAUsageError() {
    Cli.Result header =
        Cli.run("publish", "--uri", "amqp://127.0.0.1:1", "-q", "q", "-H", "n:int=x");
    assertThat(header.exit()).as(header.toString()).isEqualTo(Exit.USAGE);
    assertThat(header.err().lines()).containsExactly("amqpkit: --header n: 'x' is not an int");

    Cli.Result arg =
        Cli.run(
            "topology", "declare-queue", "--uri", "amqp://127.0.0.1:1", "q", "--arg", "novalue");
    assertThat(arg.exit()).as(arg.toString()).isEqualTo(Exit.USAGE);
    assertThat(arg.err()).contains("--arg 'novalue' is not key=value");
  }

  @Test
  void anUnreachableBrokerIsExitFourNamingTheAddress() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    for (String protocol : List.of("0-9-1", "1.0")) {
      Cli.Result r =
          Cli.run(
              "consume",
              "--protocol",
              protocol,
              "--uri",
              "amqp://guest:guest@127.0.0.1:" + port,
              protocol.equals("1.0") ? "--address" : "--queue",
              "q");
      assertThat(r.exit()).as(r.toString()).isEqualTo(Exit.UNREACHABLE);
      assertThat(r.err().lines())
          .singleElement()
          .asString()
          .contains("127.0.0.1:" + port)
          .containsIgnoringCase("refused");
      assertThat(r.err()).doesNotContain("guest:guest").doesNotContain("\tat ");
    }
  }

  @Test
  void anUnknownHostIsExitFourSayingSo() {
    for (String protocol : List.of("0-9-1", "1.0")) {
      Cli.Result r =
          Cli.run(
              "consume",
              "--protocol",
              protocol,
              "--uri",
              "amqp://guest:guest@no-such-host.invalid",
              protocol.equals("1.0") ? "--address" : "--queue",
              "q");
      assertThat(r.exit()).as(r.toString()).isEqualTo(Exit.UNREACHABLE);
      assertThat(r.err().lines())
          .singleElement()
          .asString()
          .isEqualTo("amqpkit: could not connect to no-such-host.invalid:5672: unknown host");
    }
  }

  @Test
  void verboseAddsTheStackTrace() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Cli.Result r =
        Cli.run("consume", "-v", "--uri", "amqp://guest:guest@127.0.0.1:" + port, "-q", "q");
    assertThat(r.exit()).isEqualTo(Exit.UNREACHABLE);
    assertThat(r.err()).contains("\tat ").contains("ConnectFailedException");

    Cli.Result bundled =
        Cli.run("consume", "-vq", "q", "--uri", "amqp://guest:guest@127.0.0.1:" + port);
    assertThat(bundled.exit()).isEqualTo(Exit.UNREACHABLE);
    assertThat(bundled.err()).as("-v bundled with -q").contains("\tat ");
  }

  @Test
  void optionsOfTheOtherProtocolAreRefusedByName() {
    Cli.Result r =
        Cli.run(
            "publish",
            "--protocol",
            "1.0",
            "--uri",
            "amqp://h",
            "-a",
            "x",
            "--type",
            "t",
            "-b",
            "x");
    assertThat(r.exit()).isEqualTo(Exit.USAGE);
    assertThat(r.err()).contains("--type cannot be used with --protocol 1.0");

    Cli.Result subject = Cli.run("publish", "--uri", "amqp://h", "-q", "x", "--subject", "s");
    assertThat(subject.exit()).isEqualTo(Exit.USAGE);
    assertThat(subject.err()).contains("--subject cannot be used with --protocol 0-9-1");

    Cli.Result noAddress = Cli.run("publish", "--protocol", "1.0", "--uri", "amqp://h", "-b", "x");
    assertThat(noAddress.exit()).isEqualTo(Exit.USAGE);
    assertThat(noAddress.err()).contains("--protocol 1.0 needs --address");

    Cli.Result topology =
        Cli.run("topology", "declare-queue", "--protocol", "1.0", "--uri", "amqp://h", "q");
    assertThat(topology.exit()).isEqualTo(Exit.USAGE);
    assertThat(topology.err()).contains("0-9-1 only");
  }

  @Test
  void valuesOutOfRangeAreUsageErrors() {
    assertThat(Cli.run("consume", "--uri", "amqp://h", "-q", "q", "--count", "0").exit())
        .isEqualTo(Exit.USAGE);
    assertThat(Cli.run("consume", "--uri", "amqp://h", "-q", "q", "--ack", "maybe").exit())
        .isEqualTo(Exit.USAGE);
    assertThat(Cli.run("perf", "--uri", "amqp://h", "--size", "10").err())
        .contains("--size must be at least " + PerfStats.HEADER);
    assertThat(Cli.run("perf", "--uri", "amqp://h", "--recover", "--confirm", "0").exit())
        .isEqualTo(Exit.USAGE);
    assertThat(Cli.run("perf", "--uri", "amqp://h", "--queue-type", "lazy").exit())
        .isEqualTo(Exit.USAGE);
    assertThat(Cli.run("publish", "--uri", "amqp://h", "-q", "q", "--priority", "300").exit())
        .isEqualTo(Exit.USAGE);
    assertThat(Cli.run("publish", "--uri", "amqp://h", "-q", "q", "--ttl", "soon").exit())
        .isEqualTo(Exit.USAGE);
    Cli.Result cacert =
        Cli.run("publish", "--uri", "amqp://h", "-q", "q", "--cacert", "/nonexistent.pem");
    assertThat(cacert.exit()).isEqualTo(Exit.USAGE);
    assertThat(cacert.err()).contains("--cacert is for an amqps:// --uri");
  }

  @Test
  void theBrokerCommandSaysWhenItsPortIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Cli.Result r = Cli.run("broker", "--port", Integer.toString(taken.getLocalPort()));
      assertThat(r.exit()).as(r.toString()).isEqualTo(Exit.FAILURE);
      assertThat(r.err().lines())
          .containsExactly(
              "amqpkit: port "
                  + taken.getLocalPort()
                  + " of 127.0.0.1 is in use: try another"
                  + " --port, or 0");
    }
    assertThat(Cli.run("broker", "--port", "70000").exit()).isEqualTo(Exit.USAGE);
  }

  @Test
  void aMissingFileIsAUsageError() {
    Cli.Result r =
        Cli.run("publish", "--uri", "amqp://127.0.0.1:1", "-q", "q", "-f", "/nonexistent/body");
    assertThat(r.exit()).as(r.toString()).isEqualTo(Exit.USAGE);
    assertThat(r.err()).contains("cannot read --file /nonexistent/body");
  }
}
