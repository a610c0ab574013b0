package dev.amqpkit.cli;

import dev.amqpkit.amqp091.Channel;
import dev.amqpkit.amqp091.CloseInitiator;
import dev.amqpkit.amqp091.Delivery;
import dev.amqpkit.amqp091.DeliveryHandler;
import dev.amqpkit.amqp091.Requeue;
import dev.amqpkit.amqp10.AmqpError;
import dev.amqpkit.amqp10.ErrorConditions;
import dev.amqpkit.amqp10.Receiver;
import dev.amqpkit.amqp10.ReceiverOptions;
import dev.amqpkit.amqp10.Session;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code amqpkit consume}: prints the messages of a queue or address. */
@Command(
    name = "consume",
    sortOptions = false,
    description = {
      "Prints the messages of a queue (0-9-1) or address (1.0) to standard output, as their bodies"
          + " or as JSON lines, until --count messages came, --timeout ran out, or Ctrl-C.",
      "A summary goes to standard error.",
      "Example: amqpkit consume --uri amqp://guest:guest@localhost --queue hello --count 1"
    })
final class ConsumeCommand implements Callable<Integer> {
  /** How often a wait for the next message looks at Ctrl-C. */
  private static final long SLICE_MILLIS = 100;

  enum Ack {
    /** Acknowledge (0-9-1 ack; 1.0 accept) once printed: nothing lost if the command dies. */
    ACK,
    /** Acknowledge on receipt, before printing: at most once. */
    AUTO,
    /**
     * Leave each message in the queue: held unacknowledged until the command ends, then given back
     * (so each is printed once); at most --prefetch of them.
     */
    REQUEUE,
    /** Refuse each message once printed (0-9-1 nack; 1.0 reject): dead-lettered or dropped. */
    REJECT
  }

  private final Io io;

  @Mixin BrokerOptions broker;

  @Option(
      names = {"-q", "--queue"},
      paramLabel = "QUEUE",
      description = "0-9-1: the queue.")
  String queue;

  @Option(
      names = {"-a", "--address"},
      paramLabel = "ADDRESS",
      description = "1.0: the source address.")
  String address;

  @Option(
      names = {"-n", "--count"},
      paramLabel = "N",
      description = "Stop after N messages.")
  Long count;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = Values.DurationConverter.class,
      description =
          "Stop after this long (e.g. 5s). With --count, fewer messages by then is an error (exit 9).")
  Duration timeout;

  @Option(
      names = "--ack",
      paramLabel = "MODE",
      defaultValue = "ack",
      converter = AckConverter.class,
      description =
          "ack (once printed), auto (on receipt), requeue (a look: the messages stay in the"
              + " queue; at most --prefetch of them) or reject. Default: ${DEFAULT-VALUE}.")
  Ack ack;

  @Option(
      names = "--prefetch",
      paramLabel = "N",
      defaultValue = "100",
      description =
          "Messages on their way at once (0-9-1 prefetch; 1.0 credit). Default: ${DEFAULT-VALUE}.")
  int prefetch;

  @Option(names = "--json", description = "One JSON object a line: properties, headers and body.")
  boolean json;

  ConsumeCommand(Io io) {
    this.io = io;
  }

  @Override
  public Integer call() throws Exception {
    if (broker.protocol == Protocol.AMQP_0_9_1) {
      if (queue == null || address != null)
        throw CommandFailure.usage("--protocol 0-9-1 consumes a --queue");
    } else if (address == null || queue != null) {
      throw CommandFailure.usage("--protocol 1.0 consumes an --address");
    }
    if (count != null && count < 1) throw CommandFailure.usage("--count must be at least 1");
    if (prefetch < 1 || prefetch > 65_535)
      throw CommandFailure.usage("--prefetch must be between 1 and 65535");
    if (count != null && count < prefetch) prefetch = (int) (long) count;
    if (ack == Ack.REQUEUE && count != null) {
      // It holds what it printed until the end, and the broker sends no more than the prefetch.
      if (count > 65_535) throw CommandFailure.usage("--ack requeue shows at most 65535 messages");
      prefetch = (int) (long) count;
    }
    MessagePrinter printer = new MessagePrinter(io.out(), json);
    try (BrokerOptions.Target target = broker.resolve(io)) {
      long start = System.nanoTime(); // after an embedded broker started
      long deadline = timeout == null ? Long.MAX_VALUE : start + timeout.toNanos();
      long got =
          target.protocol() == Protocol.AMQP_0_9_1
              ? consume091(target, printer, deadline)
              : consume10(target, printer, deadline);
      return summary(got, System.nanoTime() - start);
    }
  }

  private long consume091(BrokerOptions.Target target, MessagePrinter printer, long deadline)
      throws InterruptedException {
    BlockingQueue<Delivery> arrived = new LinkedBlockingQueue<>(); // at most --prefetch
    AtomicBoolean cancelled = new AtomicBoolean();
    long got = 0;
    try (dev.amqpkit.amqp091.Connection connection = target.open091("amqpkit consume");
        StopSignal.Registration abort = io.stop().onAbort(connection::close)) {
      Channel channel = connection.openChannel();
      channel.basicQos(prefetch);
      // Deliveries beyond --count (the broker sends up to --prefetch ahead), and those of
      // --ack requeue, are never acknowledged: closing the channel gives them back to the queue,
      // flagged redelivered.
      channel.basicConsume(
          queue,
          new DeliveryHandler() {
            @Override
            public void handle(Delivery d) {
              arrived.add(d);
            }

            @Override
            public void cancelled(String consumerTag, CloseInitiator initiator) {
              if (initiator == CloseInitiator.BROKER) cancelled.set(true);
            }
          });
      while (count == null || got < count) {
        Delivery d = next(arrived, deadline, () -> channel.isOpen() && !cancelled.get());
        if (d == null) {
          if (!channel.isOpen() && channel.closeCause() != null) throw channel.closeCause();
          if (cancelled.get() && arrived.isEmpty()) {
            throw new CommandFailure(
                Exit.NOT_FOUND,
                "the broker cancelled the consumer of queue '"
                    + queue
                    + "' (deleted?) after "
                    + got
                    + " messages");
          }
          break;
        }
        if (ack == Ack.AUTO) channel.basicAck(d.deliveryTag());
        if (!printer.print(d)) throw outputClosed(got, ack);
        switch (ack) {
          case ACK -> channel.basicAck(d.deliveryTag());
          case REJECT -> channel.basicNack(d.deliveryTag(), Requeue.DISCARD);
          case REQUEUE, AUTO -> {}
        }
        got++;
      }
      channel.close();
    }
    return got;
  }

  private long consume10(BrokerOptions.Target target, MessagePrinter printer, long deadline)
      throws InterruptedException {
    long got = 0;
    try (dev.amqpkit.amqp10.Connection connection = target.open10();
        StopSignal.Registration abort = io.stop().onAbort(connection::close)) {
      Session session = connection.openSession();
      // With --count or --ack requeue, credit is given by hand so that no message beyond what
      // will be printed (or held) is taken.
      boolean manual = count != null || ack == Ack.REQUEUE;
      ReceiverOptions.Builder options = ReceiverOptions.builder().address(address);
      Receiver receiver =
          session.openReceiver(
              manual ? options.manualCredit().build() : options.credit(prefetch).build());
      long issued = 0;
      long limit = ack == Ack.REQUEUE ? prefetch : count == null ? Long.MAX_VALUE : count;
      while (count == null || got < count) {
        if (manual && issued - got <= prefetch / 2 && issued < limit) {
          int more = (int) Math.min(prefetch - (issued - got), limit - issued);
          receiver.addCredit(more);
          issued += more;
        }
        dev.amqpkit.amqp10.Delivery d = null;
        while (d == null && !io.stop().isRequested()) {
          long left = deadline - System.nanoTime();
          if (left <= 0) break;
          d =
              receiver.receive(
                  Duration.ofMillis(Math.min(SLICE_MILLIS, Math.max(1, left / 1_000_000))));
          if (d == null && !receiver.isOpen()) throw receiver.closeCause();
        }
        if (d == null) break;
        if (ack == Ack.AUTO) d.accept();
        if (!printer.print(d.message())) {
          if (ack != Ack.AUTO) d.release();
          throw outputClosed(got, ack);
        }
        switch (ack) {
          case ACK -> d.accept();
          case REQUEUE -> {}
          case REJECT ->
              d.reject(
                  AmqpError.of(
                      ErrorConditions.INTERNAL_ERROR, "rejected by amqpkit consume --ack reject"));
          case AUTO -> {}
        }
        got++;
      }
      // --ack requeue: what it printed is still unsettled, and closing the link gives it back.
      // (Not released one by one: with credit left, a released message comes straight back to
      // this link; and RabbitMQ 3.10 fails the session on a drain.)
      receiver.close();
    }
    return got;
  }

  private static CommandFailure outputClosed(long printed, Ack ack) {
    return new CommandFailure(
        Exit.FAILURE,
        "standard output was closed after "
            + printed
            + " messages; "
            + (ack == Ack.AUTO
                ? "the message it could not take was acknowledged already (--ack auto): lost"
                : "the message it could not take goes back to the queue"));
  }

  /** The next delivery, or null at the deadline, on Ctrl-C, or once {@code open} turns false. */
  private Delivery next(
      BlockingQueue<Delivery> arrived, long deadline, java.util.function.BooleanSupplier open)
      throws InterruptedException {
    while (!io.stop().isRequested()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return null;
      Delivery d =
          arrived.poll(
              Math.min(TimeUnit.MILLISECONDS.toNanos(SLICE_MILLIS), left), TimeUnit.NANOSECONDS);
      if (d != null) return d;
      if (!open.getAsBoolean()) return arrived.poll();
    }
    return null;
  }

  private int summary(long got, long nanos) {
    String from = queue != null ? "queue '" + queue + "'" : "address '" + address + "'";
    String line =
        String.format(
            Locale.ROOT,
            "consumed %d message%s from %s in %.1f s",
            got,
            got == 1 ? "" : "s",
            from,
            nanos / 1e9);
    if (io.stop().isRequested()) {
      io.say(line + " (stopped)");
      return Exit.INTERRUPTED;
    }
    if (count != null && got < count) {
      io.say(line + ": --timeout ran out before " + count + " came");
      return Exit.TIMEOUT;
    }
    io.say(line);
    return Exit.OK;
  }

  static final class AckConverter implements picocli.CommandLine.ITypeConverter<Ack> {
    @Override
    public Ack convert(String value) {
      try {
        return Ack.valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "' is not an ack mode: use ack, auto, requeue or reject");
      }
    }
  }
}
