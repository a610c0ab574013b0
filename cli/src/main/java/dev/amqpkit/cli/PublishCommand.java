package dev.amqpkit.cli;

import dev.amqpkit.amqp091.BasicProperties;
import dev.amqpkit.amqp091.Channel;
import dev.amqpkit.amqp091.ChannelClosedException;
import dev.amqpkit.amqp091.ChannelListener;
import dev.amqpkit.amqp091.PublishNackedException;
import dev.amqpkit.amqp091.PublishReturnedException;
import dev.amqpkit.amqp091.ReturnedMessage;
import dev.amqpkit.amqp10.Message;
import dev.amqpkit.amqp10.MessageRefusedException;
import dev.amqpkit.amqp10.Sender;
import dev.amqpkit.amqp10.SenderOptions;
import dev.amqpkit.amqp10.SenderSettleMode;
import dev.amqpkit.amqp10.Session;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code amqpkit publish}: sends messages and reports what the broker confirmed. */
@Command(
    name = "publish",
    sortOptions = false,
    description = {
      "Publishes messages and reports what the broker confirmed.",
      "The body comes from --body, --file or standard input; with --lines, each line is a message.",
      "Example: amqpkit publish --uri amqp://guest:guest@localhost --queue hello --body 'Hello'"
    })
final class PublishCommand implements Callable<Integer> {
  /** The largest body read from a file or standard input. */
  static final int MAX_BODY = 64 * 1024 * 1024;

  /** Messages awaiting the broker's answer at once. */
  private static final int WINDOW = 1000;

  /** How long returns of unconfirmed publishes are awaited, once the channel is closing. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  /** How long answers are still awaited after Ctrl-C: well inside the shutdown's grace. */
  private static final Duration STOP_WAIT = Duration.ofSeconds(StopSignal.GRACE_SECONDS / 4);

  private final Io io;

  @Mixin BrokerOptions broker;

  @Option(
      names = "--exchange",
      paramLabel = "NAME",
      description = "0-9-1: the exchange; default the default exchange.")
  String exchange = "";

  @Option(
      names = {"-k", "--routing-key"},
      paramLabel = "KEY",
      description = "0-9-1: the routing key.")
  String routingKey;

  @Option(
      names = {"-q", "--queue"},
      paramLabel = "QUEUE",
      description = "0-9-1: publish to this queue through the default exchange.")
  String queue;

  @Option(
      names = {"-a", "--address"},
      paramLabel = "ADDRESS",
      description = "1.0: the target address.")
  String address;

  @Option(
      names = {"-b", "--body"},
      paramLabel = "TEXT",
      description = "The body, as UTF-8 text.")
  String body;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "PATH",
      description = "The body, the file's bytes.")
  Path file;

  @Option(names = "--lines", description = "Each line of the file or standard input is a message.")
  boolean lines;

  @Option(
      names = {"-n", "--count"},
      paramLabel = "N",
      description = "Publish the message N times. Default: 1.")
  Integer count;

  @Option(
      names = "--rate",
      paramLabel = "PER_SECOND",
      description = "At most this many messages a second.")
  double rate;

  @Option(
      names = "--confirm",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Wait for the broker to take each message (0-9-1 confirms; 1.0 outcomes). Default: on.")
  boolean confirm;

  @Option(
      names = "--mandatory",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "0-9-1: a message no queue takes is an error, not dropped. Default: on.")
  boolean mandatory;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = Values.DurationConverter.class,
      description = "How long to wait for the broker's answers. Default: ${DEFAULT-VALUE}.")
  Duration timeout;

  @Mixin MessageOptions message;

  PublishCommand(Io io) {
    this.io = io;
  }

  @Override
  public Integer call() throws Exception {
    checkOptions();
    try (BrokerOptions.Target target = broker.resolve(io)) {
      Tally tally = new Tally();
      long start = System.nanoTime();
      String destination =
          target.protocol() == Protocol.AMQP_0_9_1
              ? publish091(target, tally)
              : publish10(target, tally);
      return report(tally, destination, System.nanoTime() - start);
    }
  }

  private void checkOptions() {
    int sources = (body != null ? 1 : 0) + (file != null ? 1 : 0);
    if (sources > 1) throw CommandFailure.usage("give the body by --body or --file, not both");
    if (lines && body != null) {
      throw CommandFailure.usage("--lines reads a file or standard input, not --body");
    }
    if (lines && count != null) {
      throw CommandFailure.usage("--count repeats one message; with --lines, each line is one");
    }
    if (count != null && count < 1) throw CommandFailure.usage("--count must be at least 1");
    if (rate < 0) throw CommandFailure.usage("--rate must not be negative");
    if (broker.protocol == Protocol.AMQP_0_9_1) {
      if (address != null) {
        throw CommandFailure.usage(
            "--address is for --protocol 1.0; with 0-9-1 use --exchange and --routing-key, or"
                + " --queue");
      }
      if (queue != null && (routingKey != null || !exchange.isEmpty())) {
        throw CommandFailure.usage(
            "--queue publishes through the default exchange: not with --exchange or --routing-key");
      }
    } else {
      if (address == null) throw CommandFailure.usage("--protocol 1.0 needs --address");
      if (queue != null || routingKey != null || !exchange.isEmpty()) {
        throw CommandFailure.usage(
            "--exchange, --routing-key and --queue are for 0-9-1; with 1.0 use --address");
      }
    }
  }

  // ---- 0-9-1 ----

  private String publish091(BrokerOptions.Target target, Tally tally) throws IOException {
    BasicProperties properties = message.properties091();
    String key = queue != null ? queue : routingKey == null ? "" : routingKey;
    // The input first: a file that cannot be read is found before connecting.
    try (Bodies bodies = bodies();
        dev.amqpkit.amqp091.Connection connection = target.open091("amqpkit publish");
        StopSignal.Registration abort = io.stop().onAbort(connection::close)) {
      Channel channel = connection.openChannel();
      CountDownLatch closed = new CountDownLatch(1);
      channel.addListener(
          new ChannelListener() {
            @Override
            public void returned(ReturnedMessage m) {
              // With confirms, the publish's future reports its return.
              if (!confirm) tally.answered(new PublishReturnedException(m));
            }

            @Override
            public void closed(ChannelClosedException cause) {
              closed.countDown();
            }
          });
      if (confirm) channel.confirmSelect(WINDOW);
      Pacer pacer = new Pacer(rate, io.stop()::isRequested);
      for (byte[] next = bodies.next(); next != null && pacer.await(); next = bodies.next()) {
        if (!confirm) {
          if (mandatory) channel.basicPublishMandatory(exchange, key, properties, next);
          else channel.basicPublish(exchange, key, properties, next);
          tally.sent();
          continue;
        }
        CompletableFuture<Void> f =
            mandatory
                ? channel.basicPublishMandatoryWithConfirm(exchange, key, properties, next)
                : channel.basicPublishWithConfirm(exchange, key, properties, next);
        tally.sent();
        f.whenComplete((ok, failure) -> tally.answered(failure));
      }
      if (confirm) tally.awaitAnswers(timeout, io.stop());
      tally.stopped = io.stop().isRequested();
      if (!confirm && mandatory) {
        // Without confirms, a round trip (a harmless basic.qos) makes sure the broker's returns
        // were read: they come before its reply. Their callbacks are queued by then, ahead of
        // the closed callback that closing queues: once that one ran, every return was counted.
        channel.basicQos(0);
        channel.close();
        awaitQuietly(closed, CLOSE_WAIT);
      } else {
        channel.close();
      }
    }
    return "exchange '" + exchange + "' with routing key '" + key + "'";
  }

  // ---- 1.0 ----

  private String publish10(BrokerOptions.Target target, Tally tally) throws IOException {
    Message.Builder template = message.message10();
    try (Bodies bodies = bodies();
        dev.amqpkit.amqp10.Connection connection = target.open10();
        StopSignal.Registration abort = io.stop().onAbort(connection::close)) {
      Session session = connection.openSession();
      SenderOptions.Builder options = SenderOptions.builder().address(address);
      // Without confirms, every message goes settled: the link says so when it attaches.
      if (!confirm) options.settleMode(SenderSettleMode.SETTLED);
      Sender sender = session.openSender(options.build());
      Pacer pacer = new Pacer(rate, io.stop()::isRequested);
      for (byte[] next = bodies.next(); next != null && pacer.await(); next = bodies.next()) {
        Message m = template.data(next).build();
        CompletableFuture<?> f = sender.send(m, !confirm);
        tally.sent();
        if (confirm) f.whenComplete((outcome, failure) -> tally.answered(failure));
      }
      if (confirm) tally.awaitAnswers(timeout, io.stop());
      tally.stopped = io.stop().isRequested();
      sender.close();
    }
    return "address '" + address + "'";
  }

  private static void awaitQuietly(CountDownLatch latch, Duration wait) {
    try {
      latch.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- the report ----

  private int report(Tally tally, String destination, long nanos) {
    Tally.Counts c = tally.counts();
    String summary =
        String.format(
            java.util.Locale.ROOT,
            "published %d message%s to %s in %.1f s",
            c.sent(),
            c.sent() == 1 ? "" : "s",
            destination,
            nanos / 1e9);
    if (confirm) {
      summary += ": " + c;
    } else {
      summary += " (not confirmed: --no-confirm)" + (c.returned() > 0 ? ": " + c : "");
    }
    io.out().println(summary + (c.stopped() ? " (stopped)" : ""));
    io.out().flush();
    if (c.stopped()) return Exit.INTERRUPTED;
    if (c.returned() > 0) {
      io.say(
          c.returned()
              + " message"
              + (c.returned() == 1 ? " was" : "s were")
              + " returned unroutable: no queue is bound to "
              + destination
              + (c.firstReturn() == null ? "" : " (" + c.firstReturn() + ")"));
      return Exit.NOT_FOUND;
    }
    if (c.error() != null) {
      // The channel, link or connection failed: the broker's reason decides the exit code.
      CommandFailure f = Failures.describe(c.error());
      io.say(f.getMessage());
      return f.exitCode();
    }
    if (confirm && (c.refused() > 0 || c.unanswered() > 0)) {
      io.say(c + (c.firstRefusal() == null ? "" : "; first: " + c.firstRefusal()));
      return Exit.NOT_CONFIRMED;
    }
    return Exit.OK;
  }

  /**
   * What became of the messages sent, counted from the futures' and listeners' threads: confirmed,
   * refused (nacked, rejected, released), returned unroutable, or failed with their channel, link
   * or connection, which is an answer too (none will come).
   */
  private static final class Tally {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition done = lock.newCondition();
    private long sent;
    private long confirmed;
    private long refused;
    private long returned;
    private long failed;
    private String firstReturn;
    private String firstRefusal;
    private Throwable error;
    volatile boolean stopped;

    /** The counts at one moment. */
    record Counts(
        long sent,
        long confirmed,
        long refused,
        long returned,
        long failed,
        String firstReturn,
        String firstRefusal,
        Throwable error,
        boolean stopped) {
      long unanswered() {
        return Math.max(0, sent - confirmed - refused - returned - failed);
      }

      @Override
      public String toString() {
        StringBuilder s = new StringBuilder().append(confirmed).append(" confirmed");
        if (refused > 0) s.append(", ").append(refused).append(" refused");
        if (returned > 0) s.append(", ").append(returned).append(" returned");
        if (failed > 0) s.append(", ").append(failed).append(" failed");
        if (unanswered() > 0) s.append(", ").append(unanswered()).append(" unanswered");
        return s.toString();
      }
    }

    void sent() {
      lock.lock();
      try {
        sent++;
      } finally {
        lock.unlock();
      }
    }

    void answered(Throwable failure) {
      lock.lock();
      try {
        Throwable t =
            failure instanceof java.util.concurrent.CompletionException
                    && failure.getCause() != null
                ? failure.getCause()
                : failure;
        if (t == null) {
          confirmed++;
        } else if (t instanceof PublishReturnedException r) {
          returned++;
          if (firstReturn == null) {
            ReturnedMessage m = r.returned();
            firstReturn = m.replyCode() + " " + m.replyText();
          }
        } else if (t instanceof PublishNackedException) {
          refused++;
          if (firstRefusal == null) firstRefusal = "nacked by the broker";
        } else if (t instanceof MessageRefusedException m) {
          refused++;
          if (firstRefusal == null) firstRefusal = "refused by the receiver: " + m.outcome();
        } else {
          failed++;
          if (error == null) error = t;
        }
        done.signalAll();
      } finally {
        lock.unlock();
      }
    }

    /**
     * Waits until every message sent has its answer, for at most {@code timeout}, and for at most
     * {@link #STOP_WAIT} more once a stop was requested.
     */
    void awaitAnswers(Duration timeout, StopSignal stop) {
      long deadline = System.nanoTime() + timeout.toNanos();
      boolean stopSeen = false;
      lock.lock();
      try {
        while (sent - confirmed - refused - returned - failed > 0) {
          long now = System.nanoTime();
          if (!stopSeen && stop.isRequested()) {
            stopSeen = true;
            deadline = Math.min(deadline, now + STOP_WAIT.toNanos());
          }
          if (now >= deadline) return;
          done.awaitNanos(Math.min(deadline - now, TimeUnit.MILLISECONDS.toNanos(100)));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        lock.unlock();
      }
    }

    Counts counts() {
      lock.lock();
      try {
        return new Counts(
            sent, confirmed, refused, returned, failed, firstReturn, firstRefusal, error, stopped);
      } finally {
        lock.unlock();
      }
    }
  }

  // ---- bodies ----

  /** The bodies to publish, one after the other; {@code null} at the end. */
  private interface Bodies extends AutoCloseable {
    byte[] next() throws IOException;

    @Override
    default void close() throws IOException {}
  }

  private Bodies bodies() throws IOException {
    if (lines) {
      InputStream in = file != null ? open(file) : new StoppableInput(io.in(), io.stop());
      return new LineBodies(new BufferedInputStream(in), file != null);
    }
    byte[] one;
    if (body != null) one = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    else if (file != null) {
      try (InputStream in = open(file)) {
        one = readAll(in, file.toString());
      }
    } else one = readAll(new StoppableInput(io.in(), io.stop()), "standard input");
    int times = count == null ? 1 : count;
    return new Bodies() {
      int left = times;

      @Override
      public byte[] next() {
        return left-- > 0 ? one : null;
      }
    };
  }

  private static InputStream open(Path path) {
    try {
      return Files.newInputStream(path);
    } catch (IOException e) {
      throw new CommandFailure(Exit.USAGE, "cannot read --file " + path + ": " + e.getMessage(), e);
    }
  }

  private static byte[] readAll(InputStream in, String what) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    for (int n; (n = in.read(buffer)) > 0; ) {
      if (all.size() + n > MAX_BODY) {
        throw new CommandFailure(
            Exit.USAGE,
            what + " holds more than " + (MAX_BODY >> 20) + " MiB, the largest body publish reads");
      }
      all.write(buffer, 0, n);
    }
    return all.toByteArray();
  }

  /** Each line one body, without its line end ({@code \n} or {@code \r\n}). */
  private static final class LineBodies implements Bodies {
    private final InputStream in;
    private final boolean owned;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    LineBodies(InputStream in, boolean owned) {
      this.in = in;
      this.owned = owned;
    }

    @Override
    public byte[] next() throws IOException {
      line.reset();
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        if (line.size() == MAX_BODY) {
          throw new CommandFailure(Exit.USAGE, "a line longer than " + (MAX_BODY >> 20) + " MiB");
        }
        line.write(b);
      }
      if (b < 0 && line.size() == 0) return null;
      byte[] bytes = line.toByteArray();
      int length = bytes.length;
      if (length > 0 && bytes[length - 1] == '\r')
        return java.util.Arrays.copyOf(bytes, length - 1);
      return bytes;
    }

    @Override
    public void close() throws IOException {
      if (owned) in.close();
    }
  }
}
