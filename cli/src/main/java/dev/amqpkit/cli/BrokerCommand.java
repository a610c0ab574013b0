package dev.amqpkit.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code amqpkit broker}: the embedded broker on its own, until Ctrl-C, for the other commands (and
 * other programs) to share.
 */
@Command(
    name = "broker",
    description = {
      "Runs the embedded broker (Apache Qpid Broker-J, in memory, AMQP 0-9-1 and 1.0 on"
          + " 127.0.0.1) until Ctrl-C, so that several commands or programs can share it.",
      "Prints its URI on standard output. Its user is guest, with the usual password.",
      "Example: amqpkit broker --port 5673 & amqpkit perf --uri amqp://guest:guest@localhost:5673"
    })
final class BrokerCommand implements Callable<Integer> {
  private final Io io;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "5672",
      description = "The port; 0 takes a free one. Default: ${DEFAULT-VALUE}.")
  int port;

  BrokerCommand(Io io) {
    this.io = io;
  }

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65_535) throw CommandFailure.usage("--port must be between 0 and 65535");
    try (EmbeddedBroker broker = EmbeddedBroker.start(port)) {
      io.out().println(broker.displayUri());
      io.out().flush();
      io.say(
          Version.broker()
              + " listens at "
              + broker.displayUri()
              + " (in memory: what it holds goes when it stops); Ctrl-C stops it");
      while (!io.stop().await(60_000)) {
        // Serving.
      }
      return Exit.INTERRUPTED;
    }
  }
}
