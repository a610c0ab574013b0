package dev.amqpkit.cli;

import picocli.CommandLine.Command;

/** {@code amqpkit}: the command's root; each task is a subcommand. */
@Command(
    name = "amqpkit",
    mixinStandardHelpOptions = true,
    scope = picocli.CommandLine.ScopeType.INHERIT, // --help and --version on every subcommand
    versionProvider = Version.class,
    subcommands = {
      PublishCommand.class,
      ConsumeCommand.class,
      PerfCommand.class,
      TopologyCommand.class,
      BrokerCommand.class,
      picocli.CommandLine.HelpCommand.class
    },
    description = {
      "Publishes, consumes and manages messages over AMQP 0-9-1 and AMQP 1.0.",
      "Without --uri (or $AMQPKIT_URI), a command runs on an embedded broker started for it."
    },
    footer = {
      "",
      "Exit codes:",
      "  0 done                1 unexpected error      2 bad usage",
      "  3 bad URI             4 broker unreachable    5 login refused",
      "  6 TLS failure         7 not found             8 access refused",
      "  9 timed out          10 not confirmed        11 refused by the broker",
      " 12 lost (perf)       130 stopped by Ctrl-C (143 by SIGTERM)"
    })
final class AmqpkitCommand {}
