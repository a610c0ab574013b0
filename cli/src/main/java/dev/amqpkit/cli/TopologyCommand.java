package dev.amqpkit.cli;

import dev.amqpkit.amqp091.Channel;
import dev.amqpkit.amqp091.DeleteCondition;
import dev.amqpkit.amqp091.ExchangeSpec;
import dev.amqpkit.amqp091.QueueDeclareOk;
import dev.amqpkit.amqp091.QueueSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code amqpkit topology}: declares and deletes exchanges, queues and bindings (0-9-1). */
@Command(
    name = "topology",
    description = "Declares and deletes exchanges, queues and bindings (AMQP 0-9-1).",
    subcommands = {
      TopologyCommand.DeclareQueue.class,
      TopologyCommand.DeclareExchange.class,
      TopologyCommand.Bind.class,
      TopologyCommand.Unbind.class,
      TopologyCommand.PurgeQueue.class,
      TopologyCommand.DeleteQueue.class,
      TopologyCommand.DeleteExchange.class
    })
final class TopologyCommand {

  /** What every topology subcommand shares: a broker and one channel to it. */
  abstract static class Operation implements Callable<Integer> {
    final Io io;

    @Mixin BrokerOptions broker;

    Operation(Io io) {
      this.io = io;
    }

    @Override
    public final Integer call() {
      if (broker.protocol != Protocol.AMQP_0_9_1) {
        throw CommandFailure.usage("topology commands speak AMQP 0-9-1 only");
      }
      validate();
      try (BrokerOptions.Target target = broker.resolve(io);
          dev.amqpkit.amqp091.Connection connection = target.open091("amqpkit topology")) {
        Channel channel = connection.openChannel();
        String done = run(channel);
        channel.close();
        io.out().println(done);
        io.out().flush();
        return Exit.OK;
      }
    }

    /** Checks the options, before connecting. */
    void validate() {}

    /** Does the work and says what was done. */
    abstract String run(Channel channel);
  }

  /** The {@code --arg key=value} options of declares and bindings. */
  static final class Arguments {
    @Option(
        names = "--arg",
        paramLabel = "KEY[:TYPE]=VALUE",
        description =
            "An argument, repeatable: --arg x-max-length=1000. Whole numbers and true/false are"
                + " typed as such; KEY:string=VALUE keeps a string.")
    List<String> entries = new ArrayList<>();

    Map<String, Object> map() {
      return Values.pairs(entries, "--arg", true);
    }
  }

  @Command(
      name = "declare-queue",
      description =
          "Declares a queue (or, with --passive, checks it exists) and prints its counts.")
  static final class DeclareQueue extends Operation {
    @Parameters(
        arity = "0..1",
        paramLabel = "NAME",
        description = "The queue; none lets the broker name it.")
    String name;

    @Option(names = "--type", paramLabel = "classic|quorum|stream", description = "x-queue-type.")
    String type;

    @Option(
        names = "--durable",
        negatable = true,
        defaultValue = "true",
        fallbackValue = "true",
        description = "Survives a broker restart. Default: on.")
    boolean durable;

    @Option(names = "--auto-delete", description = "Deleted when its last consumer goes.")
    boolean autoDelete;

    @Option(names = "--passive", description = "Only check that it exists (exit 7 if not).")
    boolean passive;

    @Mixin Arguments arguments;

    DeclareQueue(Io io) {
      super(io);
    }

    @Override
    void validate() {
      if (passive && name == null) throw CommandFailure.usage("--passive needs the queue's NAME");
      arguments.map();
    }

    @Override
    String run(Channel channel) {
      QueueDeclareOk ok;
      if (passive) {
        ok = channel.queueDeclarePassive(name);
      } else {
        QueueSpec spec = name == null ? QueueSpec.serverNamed() : QueueSpec.named(name);
        if (durable) spec = spec.durable();
        if (autoDelete) spec = spec.autoDelete();
        if (type != null) spec = spec.argument("x-queue-type", type);
        for (Map.Entry<String, Object> e : arguments.map().entrySet()) {
          spec = spec.argument(e.getKey(), e.getValue());
        }
        ok = channel.queueDeclare(spec);
      }
      return "queue '"
          + ok.queue()
          + "': "
          + ok.messageCount()
          + " messages, "
          + ok.consumerCount()
          + " consumers";
    }
  }

  @Command(name = "declare-exchange", description = "Declares an exchange.")
  static final class DeclareExchange extends Operation {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(
        names = "--type",
        paramLabel = "TYPE",
        defaultValue = "direct",
        description =
            "direct, fanout, topic, headers, or a plugin's type. Default: ${DEFAULT-VALUE}.")
    String type;

    @Option(
        names = "--durable",
        negatable = true,
        defaultValue = "true",
        fallbackValue = "true",
        description = "Survives a broker restart. Default: on.")
    boolean durable;

    @Option(names = "--auto-delete", description = "Deleted when its last binding goes.")
    boolean autoDelete;

    @Option(
        names = "--internal",
        description = "Takes no publishes, only other exchanges' messages.")
    boolean internal;

    @Mixin Arguments arguments;

    DeclareExchange(Io io) {
      super(io);
    }

    @Override
    void validate() {
      arguments.map();
    }

    @Override
    String run(Channel channel) {
      ExchangeSpec spec = ExchangeSpec.of(name, type);
      if (durable) spec = spec.durable();
      if (autoDelete) spec = spec.autoDelete();
      if (internal) spec = spec.internal();
      for (Map.Entry<String, Object> e : arguments.map().entrySet()) {
        spec = spec.argument(e.getKey(), e.getValue());
      }
      channel.exchangeDeclare(spec);
      return "exchange '" + name + "' (" + type + ") declared";
    }
  }

  /** Binds or unbinds a queue, or an exchange, to a source exchange. */
  abstract static class Binding extends Operation {
    @Option(
        names = "--exchange",
        required = true,
        paramLabel = "SOURCE",
        description = "The exchange messages come from.")
    String source;

    @Option(
        names = {"-q", "--queue"},
        paramLabel = "QUEUE",
        description = "The queue they go to.")
    String queue;

    @Option(
        names = "--to-exchange",
        paramLabel = "DESTINATION",
        description = "Or the exchange they go to.")
    String destination;

    @Option(
        names = {"-k", "--routing-key"},
        paramLabel = "KEY",
        defaultValue = "",
        description = "The binding key.")
    String routingKey;

    @Mixin Arguments arguments;

    Binding(Io io) {
      super(io);
    }

    @Override
    void validate() {
      target();
      arguments.map();
    }

    String target() {
      if ((queue == null) == (destination == null)) {
        throw CommandFailure.usage("give one of --queue and --to-exchange");
      }
      return queue != null ? "queue '" + queue + "'" : "exchange '" + destination + "'";
    }
  }

  @Command(name = "bind", description = "Binds a queue (or an exchange) to an exchange.")
  static final class Bind extends Binding {
    Bind(Io io) {
      super(io);
    }

    @Override
    String run(Channel channel) {
      String what = target();
      if (queue != null) channel.queueBind(queue, source, routingKey, arguments.map());
      else channel.exchangeBind(destination, source, routingKey, arguments.map());
      return what + " bound to exchange '" + source + "' with key '" + routingKey + "'";
    }
  }

  @Command(name = "unbind", description = "Removes a binding.")
  static final class Unbind extends Binding {
    Unbind(Io io) {
      super(io);
    }

    @Override
    String run(Channel channel) {
      String what = target();
      if (queue != null) channel.queueUnbind(queue, source, routingKey, arguments.map());
      else channel.exchangeUnbind(destination, source, routingKey, arguments.map());
      return what + " unbound from exchange '" + source + "' with key '" + routingKey + "'";
    }
  }

  @Command(name = "purge-queue", description = "Removes every ready message from a queue.")
  static final class PurgeQueue extends Operation {
    @Parameters(paramLabel = "NAME")
    String name;

    PurgeQueue(Io io) {
      super(io);
    }

    @Override
    String run(Channel channel) {
      return "queue '" + name + "' purged: " + channel.queuePurge(name) + " messages removed";
    }
  }

  @Command(name = "delete-queue", description = "Deletes a queue and its messages.")
  static final class DeleteQueue extends Operation {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--if-unused", description = "Only if it has no consumers.")
    boolean ifUnused;

    @Option(names = "--if-empty", description = "Only if it holds no messages.")
    boolean ifEmpty;

    DeleteQueue(Io io) {
      super(io);
    }

    @Override
    String run(Channel channel) {
      List<DeleteCondition> conditions = new ArrayList<>();
      if (ifUnused) conditions.add(DeleteCondition.IF_UNUSED);
      if (ifEmpty) conditions.add(DeleteCondition.IF_EMPTY);
      long messages = channel.queueDelete(name, conditions.toArray(DeleteCondition[]::new));
      return "queue '" + name + "' deleted with " + messages + " messages";
    }
  }

  @Command(name = "delete-exchange", description = "Deletes an exchange.")
  static final class DeleteExchange extends Operation {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--if-unused", description = "Only if nothing is bound to it.")
    boolean ifUnused;

    DeleteExchange(Io io) {
      super(io);
    }

    @Override
    String run(Channel channel) {
      if (ifUnused) channel.exchangeDelete(name, DeleteCondition.IF_UNUSED);
      else channel.exchangeDelete(name);
      return "exchange '" + name + "' deleted";
    }
  }
}
