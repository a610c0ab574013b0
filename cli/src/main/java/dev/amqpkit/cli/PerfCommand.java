package dev.amqpkit.cli;

import dev.amqpkit.amqp091.BasicProperties;
import dev.amqpkit.amqp091.Channel;
import dev.amqpkit.amqp091.CloseInitiator;
import dev.amqpkit.amqp091.Delivery;
import dev.amqpkit.amqp091.DeliveryHandler;
import dev.amqpkit.amqp091.QueueSpec;
import dev.amqpkit.amqp10.Message;
import dev.amqpkit.amqp10.Receiver;
import dev.amqpkit.amqp10.ReceiverOptions;
import dev.amqpkit.amqp10.Sender;
import dev.amqpkit.amqp10.SenderOptions;
import dev.amqpkit.amqp10.SenderSettleMode;
import dev.amqpkit.amqp10.Session;
import dev.amqpkit.common.Recovery;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code amqpkit perf}: producers and consumers on one queue, a line of rates and latencies each
 * second, and a summary: what RabbitMQ's PerfTest is to the official client.
 */
@Command(
    name = "perf",
    sortOptions = false,
    description = {
      "Measures throughput and latency: producers publish to a queue that consumers drain; a line"
          + " each second, then a summary. Latency is from a timestamp in each message.",
      "Without --uri, it runs on an embedded broker. Example: amqpkit perf --time 30s --producers 2"
    })
final class PerfCommand implements Callable<Integer> {
  /** How long the end of a run waits for the broker's answers to what producers sent. */
  static final Duration DRAIN = Duration.ofSeconds(30);

  /** How long consumers may go without a new message before the missing ones count as lost. */
  private static final Duration NO_PROGRESS = Duration.ofSeconds(5);

  /** How long closing producers and consumers may take. */
  private static final Duration CLOSE = Duration.ofSeconds(10);

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  /** How often the run looks at Ctrl-C, failures and its end; consumers at their stop. */
  private static final long TICK_MILLIS = 100;

  private final Io io;

  @Mixin BrokerOptions broker;

  @Option(
      names = {"-x", "--producers"},
      paramLabel = "N",
      defaultValue = "1",
      description = "Default: ${DEFAULT-VALUE}.")
  int producers;

  @Option(
      names = {"-y", "--consumers"},
      paramLabel = "N",
      defaultValue = "1",
      description = "Default: ${DEFAULT-VALUE}.")
  int consumers;

  @Option(
      names = {"-s", "--size"},
      paramLabel = "BYTES",
      defaultValue = "100",
      description =
          "Message body size, at least " + PerfStats.HEADER + ". Default: ${DEFAULT-VALUE}.")
  int size;

  @Option(
      names = "--rate",
      paramLabel = "PER_SECOND",
      description = "Each producer's limit. Default: none.")
  double rate;

  @Option(
      names = "--confirm",
      paramLabel = "N",
      defaultValue = "1000",
      description =
          "Messages each producer may have awaiting the broker's answer (0-9-1 confirms; 1.0"
              + " outcomes); 0 sends without waiting for answers. Default: ${DEFAULT-VALUE}.")
  int confirm;

  @Option(
      names = "--prefetch",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Each consumer's prefetch (0-9-1) or credit (1.0). Default: ${DEFAULT-VALUE}.")
  int prefetch;

  @Option(
      names = {"-z", "--time"},
      paramLabel = "DURATION",
      converter = Values.DurationConverter.class,
      description = "How long producers run. Default: 10s, unless --count is given.")
  Duration time;

  @Option(
      names = {"-C", "--count"},
      paramLabel = "N",
      description = "Messages each producer sends; the run ends when consumers have them all.")
  Long count;

  @Option(
      names = {"-q", "--queue"},
      paramLabel = "NAME",
      description =
          "The queue: used as it is, or declared if missing; kept. Default: a new one, deleted"
              + " after.")
  String queue;

  @Option(
      names = "--queue-type",
      paramLabel = "classic|quorum|stream",
      defaultValue = "classic",
      description = "The type of the queue perf declares (RabbitMQ). Default: ${DEFAULT-VALUE}.")
  String queueType;

  @Option(
      names = {"-a", "--address"},
      paramLabel = "ADDRESS",
      description =
          "1.0: the queue's address. Default: /amq/queue/NAME on RabbitMQ, NAME elsewhere.")
  String address;

  @Option(
      names = "--recover",
      description =
          "Self-healing connections: reconnect and resend after a failure, and report reconnects,"
              + " lost messages (must be 0) and duplicates.")
  boolean recover;

  @Option(names = "--json", description = "One JSON object a line, for machines.")
  boolean json;

  PerfCommand(Io io) {
    this.io = io;
  }

  @Override
  public Integer call() throws Exception {
    check();
    boolean generated = queue == null;
    String name =
        generated
            ? "amqpkit-perf-" + HexFormat.of().toHexDigits(new SecureRandom().nextInt())
            : queue;
    Duration runFor = time != null ? time : count == null ? Duration.ofSeconds(10) : null;
    try (BrokerOptions.Target target = broker.resolve(io)) {
      String product;
      try (dev.amqpkit.amqp091.Connection admin = target.open091("amqpkit perf admin")) {
        product = String.valueOf(admin.serverProperties().get("product"));
        if (!product.contains("RabbitMQ") && !queueType.equals("classic")) {
          throw CommandFailure.usage(
              "--queue-type " + queueType + " is RabbitMQ's; " + product + " has classic queues");
        }
        declare(admin, name, generated);
      }
      String to =
          address != null ? address : product.contains("RabbitMQ") ? "/amq/queue/" + name : name;
      try {
        Run run =
            new Run(
                target,
                name,
                to,
                recover ? Recovery.defaults() : Recovery.disabled(),
                new PerfStats(producers, confirm > 0),
                new AtomicReference<>(),
                io.stop());
        return run(run, runFor);
      } finally {
        if (generated) deleteQueue(target, name);
      }
    }
  }

  /** Declares the run's queue; one the user named is used as it is if it exists. */
  private void declare(dev.amqpkit.amqp091.Connection admin, String name, boolean generated) {
    if (!generated) {
      try {
        admin.openChannel().queueDeclarePassive(name);
        return;
      } catch (dev.amqpkit.amqp091.ChannelClosedException e) {
        if (e.replyCode() != 404) throw e;
      }
    }
    admin.openChannel().queueDeclare(queueSpec(name, generated));
  }

  /** Deletes the queue the run declared, on a connection of its own (the run's may have failed). */
  private void deleteQueue(BrokerOptions.Target target, String name) {
    try (dev.amqpkit.amqp091.Connection admin = target.open091("amqpkit perf admin")) {
      admin.openChannel().queueDelete(name);
    } catch (RuntimeException e) {
      io.say(
          "could not delete queue '"
              + name
              + "' (it expires a minute after its last use): "
              + Failures.describe(e).getMessage());
    }
  }

  private void check() {
    if (producers < 0 || consumers < 0 || producers + consumers == 0) {
      throw CommandFailure.usage("--producers and --consumers cannot be negative, nor both 0");
    }
    if (size < PerfStats.HEADER) {
      throw CommandFailure.usage(
          "--size must be at least "
              + PerfStats.HEADER
              + " (the timestamp and sequence each message carries)");
    }
    if (confirm < 0) throw CommandFailure.usage("--confirm cannot be negative");
    if (prefetch < 1 || prefetch > 65_535) {
      throw CommandFailure.usage("--prefetch must be between 1 and 65535");
    }
    if (count != null && (count < 1 || count > Integer.MAX_VALUE)) {
      throw CommandFailure.usage("--count must be between 1 and " + Integer.MAX_VALUE);
    }
    if (rate < 0) throw CommandFailure.usage("--rate cannot be negative");
    if (recover && confirm == 0) {
      throw CommandFailure.usage(
          "--recover counts lost messages against confirms: not with --confirm 0");
    }
    if (!List.of("classic", "quorum", "stream").contains(queueType)) {
      throw CommandFailure.usage("--queue-type is classic, quorum or stream, not " + queueType);
    }
    if (address != null && broker.protocol != Protocol.AMQP_1_0) {
      throw CommandFailure.usage("--address is for --protocol 1.0");
    }
  }

  private QueueSpec queueSpec(String name, boolean generated) {
    QueueSpec spec = QueueSpec.named(name);
    switch (queueType) {
      case "quorum" -> spec = spec.durable().quorum();
      case "stream" -> spec = spec.durable().stream();
      default -> {}
    }
    // A queue this run names outlives a run that dies by at most a minute.
    if (generated && !queueType.equals("stream")) spec = spec.expires(Duration.ofMinutes(1));
    return spec;
  }

  // ---- the run ----

  /** What every producer and consumer of a run shares. */
  private record Run(
      BrokerOptions.Target target,
      String queue,
      String address,
      Recovery recovery,
      PerfStats stats,
      AtomicReference<Throwable> failure,
      StopSignal stop) {

    void failed(Throwable t) {
      failure.compareAndSet(null, t);
    }

    /** A connection that counts its recoveries, closed by force if Ctrl-C finds the run stuck. */
    dev.amqpkit.amqp091.Connection open091(String name) {
      dev.amqpkit.amqp091.Connection c = target.open091(name, recovery);
      stop.onAbort(c::close);
      c.addListener(
          new dev.amqpkit.amqp091.ConnectionListener() {
            @Override
            public void recovered() {
              stats.reconnects.increment();
            }
          });
      return c;
    }

    dev.amqpkit.amqp10.Connection open10() {
      dev.amqpkit.amqp10.Connection c = target.open10(recovery);
      stop.onAbort(c::close);
      c.addListener(
          new dev.amqpkit.amqp10.ConnectionListener() {
            @Override
            public void recovered() {
              stats.reconnects.increment();
            }
          });
      return c;
    }
  }

  /**
   * Starts consumers, then producers; prints a line a second; ends at --time, or once consumers
   * have every message of --count, or on Ctrl-C or a failure; then closes all and sums up.
   */
  private int run(Run run, Duration runFor) throws InterruptedException {
    PerfStats stats = run.stats();
    List<Client> clients = new ArrayList<>();
    List<Producer> producerList = new ArrayList<>();
    Reporter reporter = new Reporter(stats);
    long start = System.nanoTime();
    try {
      for (int i = 0; i < consumers; i++) {
        Client c =
            run.target().protocol() == Protocol.AMQP_0_9_1
                ? new Consumer091(run)
                : new Consumer10(run, i);
        clients.add(c);
        c.start();
      }
      for (int i = 0; i < producers; i++) {
        Producer p = new Producer(run, i);
        producerList.add(p);
        clients.add(p);
      }
      reporter.header(run);
      for (Producer p : producerList) p.start();
      long endAt = runFor == null ? Long.MAX_VALUE : start + runFor.toNanos();
      long nextLine = start + SECOND;
      boolean producing = true;
      long drainingSince = 0;
      long lastUnique = -1;
      // Never blocks but for a tick: lines go on, and Ctrl-C is seen, while the run winds down.
      while (!io.stop().isRequested() && run.failure().get() == null) {
        long now = System.nanoTime();
        if (now >= nextLine) {
          reporter.line(now - start);
          nextLine += SECOND;
        }
        boolean producersDone = producerList.stream().allMatch(Producer::done);
        if (producing && (now >= endAt || (count != null && producersDone))) {
          for (Producer p : producerList) p.stop(); // each then awaits its answers, if any
          producing = false;
        }
        if (!producing && drainingSince == 0 && producersDone) {
          if (consumers == 0) break;
          drainingSince = now;
        }
        if (drainingSince != 0) {
          // Done once consumers have every message the broker took (or was sent, unconfirmed).
          if (stats.allReceived()) break;
          long unique = stats.received.sum() - stats.duplicates.sum();
          if (unique != lastUnique) {
            lastUnique = unique;
            drainingSince = now;
          } else if (now - drainingSince > NO_PROGRESS.toNanos()) {
            break; // what is missing now is lost
          }
        }
        io.stop()
            .await(Math.max(1, Math.min(TICK_MILLIS, (nextLine - System.nanoTime()) / 1_000_000)));
      }
    } finally {
      // After Ctrl-C everything must close within the shutdown's grace, summary included.
      // Producers first: consumers then see no more messages coming.
      long closeBy = stopDeadline(CLOSE);
      for (Producer p : producerList) p.stop();
      for (Producer p : producerList) p.close(closeBy);
      for (Client c : clients) if (!(c instanceof Producer)) c.close(closeBy);
    }
    boolean stopped = io.stop().isRequested();
    reporter.summary(System.nanoTime() - start, stopped);
    if (stopped) return Exit.INTERRUPTED;
    if (run.failure().get() != null) {
      CommandFailure f = Failures.describe(run.failure().get());
      io.say(f.getMessage());
      return f.exitCode();
    }
    long lost = consumers > 0 ? stats.lost() : 0;
    if (lost > 0) {
      io.say(lost + " messages the broker took never reached a consumer");
      return Exit.LOST;
    }
    if (confirm > 0 && stats.confirmed.sum() < stats.sent.sum()) {
      io.say((stats.sent.sum() - stats.confirmed.sum()) + " messages were not confirmed");
      return Exit.NOT_CONFIRMED;
    }
    return Exit.OK;
  }

  /** The deadline of a wait: {@code wait} from now, or less once Ctrl-C left little time. */
  private long stopDeadline(Duration wait) {
    long now = System.nanoTime();
    long full = now + wait.toNanos();
    if (!io.stop().isRequested()) return full;
    return Math.min(full, now + TimeUnit.SECONDS.toNanos(StopSignal.GRACE_SECONDS) / 4);
  }

  private static long millisUntil(long deadline) {
    return Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
  }

  /** A producer or consumer, on its own connection; closing it never throws. */
  private interface Client {
    void start();

    /** Stops and closes, waiting at most until {@code deadline} ({@link System#nanoTime()}). */
    void close(long deadline);
  }

  // ---- producers ----

  /** Publishes (0-9-1) or sends (1.0) from its own thread and connection. */
  private final class Producer implements Client {
    private final Run run;
    private final int id;
    private final AtomicLong outstanding = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopped;
    private volatile boolean done;

    Producer(Run run, int id) {
      this.run = run;
      this.id = id;
      this.thread = new Thread(this::run, "amqpkit-perf-producer-" + id);
      thread.setDaemon(true);
    }

    @Override
    public void start() {
      thread.start();
    }

    void stop() {
      stopped = true;
    }

    boolean done() {
      return done;
    }

    @Override
    public void close(long deadline) {
      stopped = true;
      try {
        thread.join(millisUntil(deadline));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private boolean stopping() {
      return stopped || io.stop().isRequested();
    }

    private boolean more(long sequence) {
      return !stopping() && (count == null ? sequence < Integer.MAX_VALUE : sequence < count);
    }

    private void run() {
      try {
        if (run.target().protocol() == Protocol.AMQP_0_9_1) publish091();
        else send10();
      } catch (Throwable t) {
        run.failed(t);
      } finally {
        done = true;
      }
    }

    private void publish091() {
      try (dev.amqpkit.amqp091.Connection c = run.open091("amqpkit perf producer " + id)) {
        Channel channel = c.openChannel();
        if (confirm > 0) channel.confirmSelect(confirm);
        byte[] body = new byte[size]; // the client copies it: reused
        Pacer pacer = new Pacer(rate, this::stopping);
        for (long sequence = 0; more(sequence) && pacer.await(); sequence++) {
          run.stats().stamp(body, id, sequence);
          if (confirm > 0) {
            long s = sequence;
            outstanding.incrementAndGet();
            channel
                .basicPublishWithConfirm("", run.queue(), BasicProperties.EMPTY, body)
                .whenComplete((ok, e) -> answered(s, e));
          } else {
            channel.basicPublish("", run.queue(), BasicProperties.EMPTY, body);
          }
          run.stats().sent.increment();
        }
        awaitOutstanding();
      }
    }

    private void send10() {
      try (dev.amqpkit.amqp10.Connection c = run.open10()) {
        Session session = c.openSession();
        SenderOptions.Builder options = SenderOptions.builder().address(run.address());
        if (confirm > 0) options.maxInFlight(confirm);
        else options.settleMode(SenderSettleMode.SETTLED);
        Sender sender = session.openSender(options.build());
        Pacer pacer = new Pacer(rate, this::stopping);
        for (long sequence = 0; more(sequence) && pacer.await(); sequence++) {
          byte[] body = new byte[size]; // the message keeps it: one each
          run.stats().stamp(body, id, sequence);
          if (confirm > 0) {
            long s = sequence;
            outstanding.incrementAndGet();
            sender.send(Message.ofData(body)).whenComplete((outcome, e) -> answered(s, e));
          } else {
            sender.send(Message.ofData(body), true);
          }
          run.stats().sent.increment();
        }
        awaitOutstanding();
      }
    }

    private void answered(long sequence, Throwable e) {
      if (e == null) run.stats().confirmed(id, sequence);
      else run.stats().refused.increment();
      if (outstanding.decrementAndGet() == 0) {
        synchronized (outstanding) {
          outstanding.notifyAll();
        }
      }
    }

    /**
     * Waits for the broker's answers to what was sent: at most {@link #DRAIN}, and at most a
     * quarter of the shutdown's grace once Ctrl-C came.
     */
    private void awaitOutstanding() {
      long deadline = System.nanoTime() + DRAIN.toNanos();
      boolean stopSeen = false;
      synchronized (outstanding) {
        while (outstanding.get() > 0) {
          long now = System.nanoTime();
          if (!stopSeen && io.stop().isRequested()) {
            stopSeen = true;
            deadline = Math.min(deadline, stopDeadline(DRAIN));
          }
          if (now >= deadline) return;
          try {
            outstanding.wait(Math.min(TICK_MILLIS, millisUntil(deadline)));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }
  }

  // ---- consumers ----

  /** Consumes on its own connection; acknowledges in batches, and the rest when it closes. */
  private final class Consumer091 implements Client {
    private final Run run;
    private final Object acks = new Object();
    private final int ackEvery = Math.max(1, Math.min(100, prefetch / 2));
    private dev.amqpkit.amqp091.Connection connection;
    private Channel channel;
    // Guarded by acks: the handler and close both acknowledge, and a tag acknowledged twice
    // would close the channel. Once closing, the handler acknowledges nothing more: what it
    // still gets goes back to the queue.
    private long lastTag;
    private long ackedUpTo;
    private boolean closing;

    Consumer091(Run run) {
      this.run = run;
    }

    @Override
    public void start() {
      connection = run.open091("amqpkit perf consumer");
      connection.addListener(
          new dev.amqpkit.amqp091.ConnectionListener() {
            @Override
            public void closed(dev.amqpkit.amqp091.ConnectionClosedException cause) {
              if (cause != null && cause.initiator() != CloseInitiator.APPLICATION) {
                run.failed(cause);
              }
            }
          });
      channel = connection.openChannel();
      channel.basicQos(prefetch);
      channel.basicConsume(
          run.queue(),
          new DeliveryHandler() {
            @Override
            public void handle(Delivery d) {
              run.stats().received(d.body());
              synchronized (acks) {
                if (closing) return;
                lastTag = d.deliveryTag();
                if (lastTag - ackedUpTo >= ackEvery) ackUpTo(lastTag);
              }
            }

            @Override
            public void cancelled(String consumerTag, CloseInitiator initiator) {
              if (initiator == CloseInitiator.BROKER) {
                run.failed(
                    new CommandFailure(
                        Exit.NOT_FOUND,
                        "the broker cancelled a consumer of queue '"
                            + run.queue()
                            + "' (deleted?)"));
              }
            }
          });
    }

    private void ackUpTo(long tag) {
      try {
        channel.basicAckUpTo(tag);
        ackedUpTo = tag;
      } catch (RuntimeException e) {
        // The channel failed: the run hears of it from the connection; the broker requeues.
      }
    }

    @Override
    public void close(long deadline) {
      if (connection == null) return;
      synchronized (acks) {
        closing = true;
        if (lastTag > ackedUpTo && channel.isOpen()) ackUpTo(lastTag);
      }
      connection.close();
    }
  }

  /** Receives on its own thread and connection, settling in batches. */
  private final class Consumer10 implements Client {
    private final Run run;
    private final Thread thread;
    private volatile boolean stopped;
    private dev.amqpkit.amqp10.Connection connection;
    private Receiver receiver;

    Consumer10(Run run, int id) {
      this.run = run;
      this.thread = new Thread(this::run, "amqpkit-perf-consumer-" + id);
      thread.setDaemon(true);
    }

    @Override
    public void start() {
      connection = run.open10();
      Session session = connection.openSession();
      int batch = Math.max(1, Math.min(100, prefetch / 2));
      ReceiverOptions.Builder options =
          ReceiverOptions.builder().address(run.address()).credit(prefetch);
      if (batch > 1) options.dispositionBatch(batch, Duration.ofMillis(10));
      receiver = session.openReceiver(options.build());
      thread.start();
    }

    private void run() {
      try {
        while (!stopped) {
          dev.amqpkit.amqp10.Delivery d = receiver.receive(Duration.ofMillis(TICK_MILLIS));
          if (d == null) {
            if (!receiver.isOpen() && !stopped) throw receiver.closeCause();
            continue;
          }
          run.stats().received(d.message().bodyBytes());
          d.accept();
        }
      } catch (Throwable t) {
        if (!stopped) run.failed(t);
      }
    }

    @Override
    public void close(long deadline) {
      stopped = true;
      try {
        thread.join(millisUntil(deadline));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try {
        if (receiver != null) receiver.close(); // sends the settlements still batched
      } catch (RuntimeException e) {
        // The link or connection failed: what was not settled goes back to the queue.
      }
      if (connection != null) connection.close();
    }
  }

  // ---- output ----

  /** Prints the header, a line each second and the summary, as text or JSON. */
  private final class Reporter {
    private final PerfStats stats;
    private long lastSent;
    private long lastConfirmed;
    private long lastReceived;
    private long lastAt;

    Reporter(PerfStats stats) {
      this.stats = stats;
    }

    void header(Run run) {
      BrokerOptions.Target target = run.target();
      String name = run.queue();
      String what =
          String.format(
              Locale.ROOT,
              "AMQP %s, %d producer%s, %d consumer%s, %d B messages, %s, prefetch %d, %s queue '%s'%s",
              target.protocol(),
              producers,
              producers == 1 ? "" : "s",
              consumers,
              consumers == 1 ? "" : "s",
              size,
              confirm > 0 ? "confirms (at most " + confirm + " in flight)" : "no confirms",
              prefetch,
              queueType,
              name,
              recover ? ", self-healing connections" : "");
      if (json) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("type", "start");
        line.put("protocol", target.protocol().toString());
        line.put("producers", producers);
        line.put("consumers", consumers);
        line.put("size", size);
        line.put("confirm", confirm);
        line.put("prefetch", prefetch);
        line.put("queue", name);
        line.put("queue_type", queueType);
        line.put("recover", recover);
        print(Json.write(line));
      } else {
        print("amqpkit perf: " + what);
        print(
            String.format(
                Locale.ROOT,
                "%6s %12s %12s %12s %10s %10s %10s",
                "time",
                "sent/s",
                "confirmed/s",
                "received/s",
                "p50 ms",
                "p99 ms",
                "max ms"));
      }
    }

    void line(long elapsedNanos) {
      long sent = stats.sent.sum();
      long confirmed = stats.confirmed.sum();
      long received = stats.received.sum();
      double seconds = (elapsedNanos - lastAt) / 1e9;
      Histogram h = stats.interval();
      double sentRate = (sent - lastSent) / seconds;
      double confirmedRate = (confirmed - lastConfirmed) / seconds;
      double receivedRate = (received - lastReceived) / seconds;
      lastSent = sent;
      lastConfirmed = confirmed;
      lastReceived = received;
      lastAt = elapsedNanos;
      if (json) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("type", "interval");
        line.put("time_s", Math.round(elapsedNanos / 1e9));
        line.put("sent_per_s", Math.round(sentRate));
        line.put("confirmed_per_s", Math.round(confirmedRate));
        line.put("received_per_s", Math.round(receivedRate));
        line.put("latency_ms", latencies(h, false));
        if (recover) line.put("reconnects", stats.reconnects.sum());
        print(Json.write(line));
      } else {
        print(
            String.format(
                Locale.ROOT,
                "%5ds %,12.0f %,12.0f %,12.0f %10s %10s %10s%s",
                Math.round(elapsedNanos / 1e9),
                sentRate,
                confirmedRate,
                receivedRate,
                millis(h, 50),
                millis(h, 99),
                h.getTotalCount() == 0 ? "-" : format(h.getMaxValue()),
                recover && stats.reconnects.sum() > 0
                    ? "  reconnects " + stats.reconnects.sum()
                    : ""));
      }
    }

    /**
     * Sums the run up. Messages the broker took that no consumer received are lost when the run
     * ended by itself; after Ctrl-C they may still be in the queue, and are only "not received".
     */
    void summary(long elapsedNanos, boolean stopped) {
      stats.interval();
      Histogram total = stats.total();
      double seconds = elapsedNanos / 1e9;
      long sent = stats.sent.sum();
      long confirmed = stats.confirmed.sum();
      long received = stats.received.sum();
      long missing = consumers > 0 ? stats.lost() : 0;
      long lost = stopped ? 0 : missing;
      long notReceived = stopped ? missing : 0;
      if (json) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("type", "summary");
        line.put("time_s", Math.round(seconds * 10) / 10.0);
        line.put("sent", sent);
        line.put("confirmed", confirmed);
        line.put("refused", stats.refused.sum());
        line.put("received", received);
        line.put("sent_per_s", Math.round(sent / seconds));
        line.put("received_per_s", Math.round(received / seconds));
        line.put("latency_ms", latencies(total, true));
        line.put("reconnects", stats.reconnects.sum());
        line.put("lost", lost);
        if (stopped) line.put("not_received", notReceived);
        line.put("duplicates", stats.duplicates.sum());
        line.put("stopped", stopped);
        line.put("foreign", stats.foreign.sum());
        print(Json.write(line));
        return;
      }
      print("");
      print(
          String.format(
              Locale.ROOT,
              "%-22s %15s %12s",
              String.format(Locale.ROOT, "in %.1f s%s", seconds, stopped ? " (stopped)" : ""),
              "messages",
              "per second"));
      row("sent", sent, seconds);
      if (confirm > 0) row("confirmed", confirmed, seconds);
      if (stats.refused.sum() > 0) row("refused", stats.refused.sum(), seconds);
      row("received", received, seconds);
      if (total.getTotalCount() > 0) {
        StringBuilder l = new StringBuilder("latency ms            ");
        for (Map.Entry<String, Object> e : latencies(total, true).entrySet()) {
          l.append(' ').append(e.getKey()).append(' ').append(e.getValue());
        }
        print(l.toString());
      }
      if (recover || lost > 0 || stats.duplicates.sum() > 0) {
        print(
            String.format(
                Locale.ROOT,
                "%-22s %d reconnects, %d lost, %d duplicates",
                "recovery",
                stats.reconnects.sum(),
                lost,
                stats.duplicates.sum()));
      }
      if (notReceived > 0) {
        print(
            "not received           "
                + notReceived
                + " messages the broker took (stopped before consumers had them)");
      }
      if (stats.foreign.sum() > 0) {
        print("also received " + stats.foreign.sum() + " messages of another run, not counted");
      }
    }

    private void row(String what, long n, double seconds) {
      print(String.format(Locale.ROOT, "%-22s %,15d %,12.0f", what, n, n / seconds));
    }

    private Map<String, Object> latencies(Histogram h, boolean all) {
      Map<String, Object> m = new LinkedHashMap<>();
      if (h.getTotalCount() == 0) return m;
      if (all) m.put("min", round(h.getMinValue()));
      m.put("p50", round(h.getValueAtPercentile(50)));
      if (all) m.put("p75", round(h.getValueAtPercentile(75)));
      if (all) m.put("p95", round(h.getValueAtPercentile(95)));
      m.put("p99", round(h.getValueAtPercentile(99)));
      if (all) m.put("p99.9", round(h.getValueAtPercentile(99.9)));
      m.put("max", round(h.getMaxValue()));
      return m;
    }

    private double round(long nanos) {
      return Math.round(nanos / 1e4) / 100.0;
    }

    private String millis(Histogram h, double percentile) {
      return h.getTotalCount() == 0 ? "-" : format(h.getValueAtPercentile(percentile));
    }

    private String format(long nanos) {
      return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }

    private void print(String line) {
      io.out().println(line);
      io.out().flush();
    }
  }
}
