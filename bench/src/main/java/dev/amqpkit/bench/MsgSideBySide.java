package dev.amqpkit.bench;

import dev.amqpkit.amqp091.BasicProperties;
import dev.amqpkit.amqp091.Channel;
import dev.amqpkit.amqp091.QueueSpec;
import dev.amqpkit.amqp10.Delivery;
import dev.amqpkit.amqp10.ReceiverOptions;
import dev.amqpkit.amqp10.Sender;
import dev.amqpkit.amqp10.SenderOptions;
import dev.amqpkit.amqp10.Session;
import dev.amqpkit.msg.MessageWriter;
import dev.amqpkit.msg.Receiver;
import dev.amqpkit.msg.Server;
import dev.amqpkit.msg.Topic;
import dev.amqpkit.msg.amqp091.Amqp091Server;
import dev.amqpkit.msg.amqp091.Amqp091Topic;
import dev.amqpkit.msg.amqp10.Amqp10Server;
import dev.amqpkit.msg.amqp10.Amqp10Topic;
import dev.amqpkit.msg.mem.MemoryQueue;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs the same traffic through the msg API and through the bare amqpkit client it is built on, per
 * backend, in one JVM and one run, and prints for each: messages per second, client CPU time per
 * message, bytes allocated per message (all threads of this JVM), and the ratio msg / bare. Each
 * figure is the median of several runs, the two sides alternating; the goal is a CPU ratio under
 * 1.10.
 *
 * <p>Usage: {@code MsgSideBySide [--uri amqp://guest:guest@127.0.0.1:5672/%2F] [--runs 3] [--scale
 * 1.0] [--cases send091,receive091,receive091s,send10,receive10,receive10s,mem] [--concurrency 8]
 * [--only msg|bare]}. {@code --only} runs one side, for a profiler. The AMQP 1.0 cases connect to
 * the same host and port without the virtual host, and address a queue as RabbitMQ 3.10 does
 * ({@code /amq/queue/NAME}). Both sides use amqpkit's default, self-healing connection.
 */
public final class MsgSideBySide {
  private static final int BODY_SIZE = 100;
  private static final String CONTENT_TYPE = "application/octet-stream";
  private static final String ID = "X-Id";
  private static final String ADDRESS_PREFIX = "/amq/queue/";
  private static final Duration RUN_LIMIT = Duration.ofMinutes(5);

  /** A whole run of {@code count} messages: setup, the measured work, cleanup. */
  interface Run {
    SideBySide.Figures run(int count) throws Exception;
  }

  /** One side of a case. */
  record Side(String name, Run run) {}

  /** One measured case; a case without a bare side prints absolute figures only. */
  record Case(String id, String title, int count, Side msg, Side bare) {
    /** The case with one side only, "msg" or "bare": for a profiler's eyes. */
    Case only(String side) {
      return switch (side) {
        case "msg" -> new Case(id, title, count, msg, null);
        case "bare" -> new Case(id, title, count, bare, null);
        default -> throw new IllegalArgumentException("--only takes msg or bare, not " + side);
      };
    }
  }

  /** The work for message {@code i}, run on one of the sending threads. */
  interface Work {
    void run(int i) throws Exception;
  }

  private final String uri;
  private final String uri10;
  private final int concurrency;

  private MsgSideBySide(String uri, int concurrency) {
    this.uri = uri;
    this.uri10 = "amqp://" + URI.create(uri).getRawAuthority();
    this.concurrency = concurrency;
  }

  public static void main(String[] args) {
    String uri = "amqp://guest:guest@127.0.0.1:5672/%2F";
    int runs = 3;
    double scale = 1.0;
    int concurrency = 8;
    String only = null;
    List<String> wanted =
        List.of("send091", "receive091", "receive091s", "send10", "receive10", "receive10s", "mem");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--uri" -> uri = args[++i];
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--scale" -> scale = Double.parseDouble(args[++i]);
        case "--cases" -> wanted = Arrays.asList(args[++i].split(","));
        case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
        case "--only" -> only = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    int n = Math.max(1, (int) (100_000 * scale));
    MsgSideBySide bench = new MsgSideBySide(uri, concurrency);
    List<Case> cases = new ArrayList<>();
    for (String c : wanted) cases.add(bench.newCase(c, n));

    System.out.printf(
        Locale.ROOT,
        "msg API vs the bare amqpkit clients on %s, Java %s, %d cores; median of %d runs;"
            + " concurrency %d; ratio = msg / bare (goal: CPU under 1.10)%n%n",
        uri,
        Runtime.version(),
        Runtime.getRuntime().availableProcessors(),
        runs,
        concurrency);
    System.out.printf(
        Locale.ROOT,
        "%-10s %-44s %-6s %12s %14s %14s %14s%n",
        "case",
        "",
        "side",
        "msgs/s",
        "CPU us/msg",
        "of it sys",
        "alloc B/msg");
    List<String> over = new ArrayList<>();
    boolean failed = false;
    for (Case c : cases) {
      try {
        over.addAll(run(only == null ? c : c.only(only), runs));
      } catch (Exception | AssertionError e) {
        failed = true;
        System.out.printf(Locale.ROOT, "%-10s FAILED: %s%n%n", c.id, e);
      }
    }
    System.out.println(
        over.isEmpty()
            ? "CPU ratio under 1.10 in every case compared"
            : "CPU ratio at or over 1.10: " + String.join(", ", over));
    System.out.flush();
    System.exit(failed ? 1 : 0);
  }

  /** Runs one case, prints its medians, and returns it described if its CPU ratio misses. */
  private static List<String> run(Case c, int runs) throws Exception {
    List<Side> sides = c.bare == null ? List.of(c.msg) : List.of(c.msg, c.bare);
    for (Side side : sides) side.run.run(Math.max(1, c.count / 5)); // warm-up
    List<List<SideBySide.Figures>> results = new ArrayList<>();
    for (int i = 0; i < sides.size(); i++) results.add(new ArrayList<>());
    // The sides take turns going first: whatever one run leaves behind (garbage, a broker still
    // deleting the last queue) weighs on both alike.
    for (int r = 0; r < runs; r++) {
      for (int k = 0; k < sides.size(); k++) {
        int i = r % 2 == 0 ? k : sides.size() - 1 - k;
        results.get(i).add(sides.get(i).run.run(c.count));
      }
    }
    SideBySide.Figures msg = SideBySide.Figures.median(results.get(0));
    print(c.id, c.count + " " + c.title, sides.get(0).name, msg);
    if (c.bare == null) {
      System.out.printf(
          Locale.ROOT,
          "%-10s %-44s %-6s %12s %14s %14s %14s%n%n",
          "",
          "",
          "ratio",
          "-",
          "-",
          "-",
          "-");
      return List.of();
    }
    SideBySide.Figures bare = SideBySide.Figures.median(results.get(1));
    print("", "", sides.get(1).name, bare);
    double cpu = msg.cpuMicrosPerMessage() / bare.cpuMicrosPerMessage();
    System.out.printf(
        Locale.ROOT,
        "%-10s %-44s %-6s %12.2f %14.2f %14.2f %14.2f%n%n",
        "",
        "",
        "ratio",
        msg.messagesPerSecond() / bare.messagesPerSecond(),
        cpu,
        msg.systemMicrosPerMessage() / bare.systemMicrosPerMessage(),
        msg.bytesPerMessage() / bare.bytesPerMessage());
    return cpu < 1.10 ? List.of() : List.of(String.format(Locale.ROOT, "%s (%.2f)", c.id, cpu));
  }

  private static void print(String id, String title, String side, SideBySide.Figures f) {
    System.out.printf(
        Locale.ROOT,
        "%-10s %-44s %-6s %12.0f %14.2f %14.2f %14.1f%n",
        id,
        title,
        side,
        f.messagesPerSecond(),
        f.cpuMicrosPerMessage(),
        f.systemMicrosPerMessage(),
        f.bytesPerMessage());
  }

  private Case newCase(String id, int n) {
    String threads = concurrency + " threads";
    return switch (id) {
      case "send091" ->
          new Case(
              id,
              "x 100 B, " + threads + ", confirm each",
              n,
              new Side("msg", this::send091Msg),
              new Side("bare", this::send091Bare));
      case "receive091" ->
          new Case(
              id,
              "x 100 B, " + threads + ", prefetch " + concurrency + ", ack each",
              n,
              new Side("msg", count -> receive091Msg(count, concurrency)),
              new Side("bare", count -> receive091Bare(count, true)));
      case "receive091s" ->
          new Case(
              id,
              "x 100 B, one at a time, prefetch " + concurrency + ", ack each",
              n,
              new Side("msg", count -> receive091Msg(count, 1)),
              new Side("bare", count -> receive091Bare(count, false)));
      case "send10" ->
          new Case(
              id,
              "x 100 B, " + threads + ", outcome each",
              n,
              new Side("msg", this::send10Msg),
              new Side("bare", this::send10Bare));
      case "receive10" ->
          new Case(
              id,
              "x 100 B, " + threads + ", credit " + concurrency + ", accept each",
              n,
              new Side("msg", count -> receive10Msg(count, concurrency)),
              new Side("bare", count -> receive10Bare(count, true)));
      case "receive10s" ->
          new Case(
              id,
              "x 100 B, one at a time, credit " + concurrency + ", accept each",
              n,
              new Side("msg", count -> receive10Msg(count, 1)),
              new Side("bare", count -> receive10Bare(count, false)));
      case "mem" ->
          new Case(
              id, "x 100 B, MemoryQueue, send + receive", n, new Side("msg", this::memory), null);
      default -> throw new IllegalArgumentException("unknown case " + id);
    };
  }

  // ---- AMQP 0-9-1 ----

  private SideBySide.Figures send091Msg(int count) throws Exception {
    String queue = Prefill.boundedQueue(uri);
    try (dev.amqpkit.amqp091.Connection c = dev.amqpkit.amqp091.Connection.open(uri);
        Amqp091Topic topic = Amqp091Topic.forQueue(c, queue)) {
      return sendThroughTopic("send091 msg", topic, count);
    } finally {
      delete(queue);
    }
  }

  private SideBySide.Figures send091Bare(int count) throws Exception {
    String queue = Prefill.boundedQueue(uri);
    try (dev.amqpkit.amqp091.Connection c = dev.amqpkit.amqp091.Connection.open(uri);
        Senders senders = new Senders(concurrency)) {
      Channel channel = c.openChannel();
      channel.confirmSelect();
      byte[] body = new byte[BODY_SIZE];
      Measurement m = start();
      senders.run(
          "send091 bare",
          count,
          i ->
              channel
                  .basicPublishMandatoryWithConfirm("", queue, properties091(i), body)
                  .get(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS));
      return m.stop(count);
    } finally {
      delete(queue);
    }
  }

  private SideBySide.Figures receive091Msg(int count, int serverConcurrency) throws Exception {
    String queue = filled091(count);
    try (dev.amqpkit.amqp091.Connection c = dev.amqpkit.amqp091.Connection.open(uri)) {
      Amqp091Server server =
          Amqp091Server.builder(c, queue)
              .concurrency(serverConcurrency)
              .prefetch(concurrency)
              .build();
      return serve("receive091 msg", server, count);
    } finally {
      delete(queue);
    }
  }

  /**
   * A bare consumer: handling each delivery on the channel's callback thread, or ({@code pooled})
   * handing it to a pool of {@code concurrency} threads that ack, as the msg server does.
   */
  private SideBySide.Figures receive091Bare(int count, boolean pooled) throws Exception {
    String queue = filled091(count);
    ExecutorService pool = pooled ? workers(concurrency) : null;
    try (dev.amqpkit.amqp091.Connection c = dev.amqpkit.amqp091.Connection.open(uri)) {
      Channel channel = c.openChannel();
      Progress progress = new Progress(count);
      Measurement m = start();
      channel.basicQos(concurrency);
      String tag =
          channel.basicConsume(
              queue,
              d -> {
                Runnable handle =
                    () -> {
                      Map<String, Object> headers = d.properties().headers();
                      Object id = headers == null ? null : headers.get(ID);
                      progress.check(d.body().length, id);
                      channel.basicAck(d.deliveryTag());
                      progress.processed();
                    };
                if (pooled) pool.execute(handle);
                else handle.run();
              });
      progress.await("receive091 bare");
      SideBySide.Figures figures = m.stop(count);
      channel.basicCancel(tag);
      return figures;
    } finally {
      if (pool != null) pool.shutdownNow();
      delete(queue);
    }
  }

  private static BasicProperties properties091(int i) {
    return BasicProperties.builder()
        .persistent()
        .contentType(CONTENT_TYPE)
        .header(ID, Integer.toString(i))
        .build();
  }

  /** A queue holding {@code count} messages as the send cases publish them (not measured). */
  private String filled091(int count) {
    String name = newQueueName();
    try (dev.amqpkit.amqp091.Connection c = dev.amqpkit.amqp091.Connection.open(uri)) {
      Channel channel = c.openChannel();
      channel.queueDeclare(QueueSpec.named(name));
      channel.confirmSelect();
      byte[] body = new byte[BODY_SIZE];
      for (int i = 0; i < count; i++) {
        channel.basicPublish("", name, properties091(i), body);
        if (i % 5000 == 4999) channel.waitForConfirms(Duration.ofSeconds(60));
      }
      channel.waitForConfirms(Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      delete(name);
      throw e;
    }
    return name;
  }

  // ---- AMQP 1.0 ----

  private SideBySide.Figures send10Msg(int count) throws Exception {
    String queue = Prefill.boundedQueue(uri);
    try (dev.amqpkit.amqp10.Connection c = dev.amqpkit.amqp10.Connection.open(uri10);
        Amqp10Topic topic = Amqp10Topic.create(c, ADDRESS_PREFIX + queue)) {
      return sendThroughTopic("send10 msg", topic, count);
    } finally {
      delete(queue);
    }
  }

  private SideBySide.Figures send10Bare(int count) throws Exception {
    String queue = Prefill.boundedQueue(uri);
    try (dev.amqpkit.amqp10.Connection c = dev.amqpkit.amqp10.Connection.open(uri10);
        Senders senders = new Senders(concurrency)) {
      Sender sender =
          c.openSession()
              .openSender(SenderOptions.builder().address(ADDRESS_PREFIX + queue).build());
      byte[] body = new byte[BODY_SIZE];
      Measurement m = start();
      senders.run(
          "send10 bare",
          count,
          i -> sender.send(message10(i, body)).get(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS));
      return m.stop(count);
    } finally {
      delete(queue);
    }
  }

  private SideBySide.Figures receive10Msg(int count, int serverConcurrency) throws Exception {
    String queue = filled10(count);
    try (dev.amqpkit.amqp10.Connection c = dev.amqpkit.amqp10.Connection.open(uri10)) {
      Amqp10Server server =
          Amqp10Server.builder(c, ADDRESS_PREFIX + queue)
              .concurrency(serverConcurrency)
              .prefetch(concurrency)
              .build();
      return serve("receive10 msg", server, count);
    } finally {
      delete(queue);
    }
  }

  /**
   * A bare receive loop: settling each delivery on the receiving thread, or ({@code pooled})
   * handing it to a pool of {@code concurrency} threads that accept, as the msg server does.
   */
  private SideBySide.Figures receive10Bare(int count, boolean pooled) throws Exception {
    String queue = filled10(count);
    ExecutorService pool = pooled ? workers(concurrency) : null;
    try (dev.amqpkit.amqp10.Connection c = dev.amqpkit.amqp10.Connection.open(uri10)) {
      Progress progress = new Progress(count);
      long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
      Measurement m = start();
      Session session = c.openSession();
      dev.amqpkit.amqp10.Receiver receiver =
          session.openReceiver(
              ReceiverOptions.builder()
                  .address(ADDRESS_PREFIX + queue)
                  .credit(concurrency)
                  .build());
      for (int i = 0; i < count; i++) {
        Delivery d = receiver.receive(Duration.ofSeconds(30));
        if (d == null || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "receive10 bare: " + i + " of " + count + " messages received, then none came");
        }
        Runnable handle =
            () -> {
              dev.amqpkit.amqp10.Message message = d.message();
              progress.check(message.bodyBytes().length, message.applicationProperties().get(ID));
              d.accept();
              progress.processed();
            };
        if (pooled) pool.execute(handle);
        else handle.run();
      }
      progress.await("receive10 bare");
      SideBySide.Figures figures = m.stop(count);
      receiver.close();
      return figures;
    } finally {
      if (pool != null) pool.shutdownNow();
      delete(queue);
    }
  }

  private static dev.amqpkit.amqp10.Message message10(int i, byte[] body) {
    return dev.amqpkit.amqp10.Message.builder()
        .durable(true)
        .contentType(CONTENT_TYPE)
        .applicationProperty(ID, Integer.toString(i))
        .data(body)
        .build();
  }

  /**
   * A queue, declared over AMQP 0-9-1, holding {@code count} messages sent over AMQP 1.0 as the
   * send cases send them (not measured).
   */
  private String filled10(int count) throws Exception {
    String name = newQueueName();
    try (dev.amqpkit.amqp091.Connection c = dev.amqpkit.amqp091.Connection.open(uri)) {
      c.openChannel().queueDeclare(QueueSpec.named(name));
    }
    try (dev.amqpkit.amqp10.Connection c = dev.amqpkit.amqp10.Connection.open(uri10)) {
      Sender sender =
          c.openSession()
              .openSender(
                  SenderOptions.builder().address(ADDRESS_PREFIX + name).maxInFlight(1000).build());
      byte[] body = new byte[BODY_SIZE];
      CompletableFuture<?> last = null;
      for (int i = 0; i < count; i++) last = sender.send(message10(i, body));
      last.get(60, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (sender.unsettled() > 0) {
        if (System.nanoTime() > deadline) throw new TimeoutException("filling " + name);
        Thread.sleep(1);
      }
    } catch (Exception | Error e) {
      delete(name);
      throw e;
    }
    return name;
  }

  // ---- in memory ----

  private SideBySide.Figures memory(int count) throws Exception {
    MemoryQueue queue = MemoryQueue.create("bench");
    Topic topic = queue.topic();
    Server server = queue.server(concurrency);
    Progress progress = new Progress(count);
    byte[] body = new byte[BODY_SIZE];
    try (Senders senders = new Senders(concurrency)) {
      Measurement m = start();
      Thread serving = startServing(server, progress);
      try {
        senders.run("mem", count, i -> write(topic, i, body));
        progress.await("mem");
        return m.stop(count);
      } finally {
        stopServing(server, serving);
      }
    }
  }

  // ---- shared ----

  /** Each of the threads writes its share of messages through {@code topic}, measured. */
  private SideBySide.Figures sendThroughTopic(String what, Topic topic, int count)
      throws Exception {
    byte[] body = new byte[BODY_SIZE];
    try (Senders senders = new Senders(concurrency)) {
      Measurement m = start();
      senders.run(what, count, i -> write(topic, i, body));
      return m.stop(count);
    }
  }

  private static void write(Topic topic, int i, byte[] body) throws Exception {
    MessageWriter writer = topic.newWriter();
    writer.attributes().set("Content-Type", CONTENT_TYPE).set(ID, Integer.toString(i));
    writer.write(body);
    writer.close();
  }

  /** Serves {@code count} messages with {@code server}, measured, then shuts it down. */
  private static SideBySide.Figures serve(String what, Server server, int count) throws Exception {
    Progress progress = new Progress(count);
    Measurement m = start();
    Thread serving = startServing(server, progress);
    try {
      progress.await(what);
      return m.stop(count);
    } finally {
      stopServing(server, serving);
    }
  }

  private static Thread startServing(Server server, Progress progress) {
    Receiver receiver =
        message -> {
          byte[] bytes = message.body().readAllBytes();
          progress.check(bytes.length, message.attributes().get(ID).orElse(null));
          progress.processed();
        };
    Thread serving =
        new Thread(
            () -> {
              try {
                server.serve(receiver);
              } catch (Exception | Error e) {
                progress.serveFailed(e);
              }
            },
            "bench-serve");
    serving.setDaemon(true);
    serving.start();
    return serving;
  }

  private static void stopServing(Server server, Thread serving) throws InterruptedException {
    if (!server.shutdown(Duration.ofSeconds(30))) {
      System.err.println("bench: the server did not shut down cleanly within 30 s");
    }
    serving.join(TimeUnit.SECONDS.toMillis(30));
  }

  /** A fixed pool of daemon threads, for the bare side's workers. */
  private static ExecutorService workers(int threads) {
    return Executors.newFixedThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, "bench-worker");
          t.setDaemon(true);
          return t;
        });
  }

  private static Measurement start() {
    System.gc();
    return Measurement.start();
  }

  private static String newQueueName() {
    return "amqpkit-bench-msg-" + System.nanoTime();
  }

  private void delete(String queue) {
    try {
      Prefill.delete(uri, queue);
    } catch (RuntimeException e) {
      System.err.println("bench: could not delete queue " + queue + ": " + e);
    }
  }

  /**
   * The sending threads of one run, started before the measurement and ended after it: a thread
   * that ends takes its allocation figure with it.
   */
  private static final class Senders implements AutoCloseable {
    private final int threads;
    private final ThreadPoolExecutor pool;

    Senders(int threads) {
      this.threads = threads;
      AtomicInteger made = new AtomicInteger();
      pool =
          (ThreadPoolExecutor)
              Executors.newFixedThreadPool(
                  threads,
                  r -> {
                    Thread t = new Thread(r, "bench-send-" + made.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                  });
      pool.prestartAllCoreThreads();
    }

    /**
     * Runs {@code work} for message numbers 0 to {@code count - 1}, split among the threads, and
     * returns once all are done.
     *
     * @throws TimeoutException if they are not done within the run's limit
     */
    void run(String what, int count, Work work) throws Exception {
      List<Future<?>> shares = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int from = (int) ((long) count * t / threads);
        int to = (int) ((long) count * (t + 1) / threads);
        shares.add(
            pool.submit(
                () -> {
                  for (int i = from; i < to; i++) work.run(i);
                  return null;
                }));
      }
      long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
      for (Future<?> share : shares) {
        try {
          share.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          throw new TimeoutException(
              what + ": " + count + " messages not sent within " + RUN_LIMIT);
        } catch (ExecutionException e) {
          throw new IllegalStateException(what + ": " + e.getCause(), e.getCause());
        }
      }
    }

    @Override
    public void close() {
      pool.shutdownNow();
    }
  }

  /**
   * Counts processed messages and holds the first thing that went wrong: a message not as sent, or
   * the server's failure.
   */
  private static final class Progress {
    private final int count;
    private final AtomicInteger processed = new AtomicInteger();
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    Progress(int count) {
      this.count = count;
    }

    void check(int bodyLength, Object id) {
      if (bodyLength != BODY_SIZE || id == null) {
        failure.compareAndSet(
            null,
            new IllegalStateException(
                "received a body of " + bodyLength + " bytes, " + ID + " " + id));
      }
    }

    void processed() {
      if (processed.incrementAndGet() == count) done.countDown();
    }

    void serveFailed(Throwable e) {
      failure.compareAndSet(null, new IllegalStateException("serve ended: " + e, e));
    }

    /** Waits until every message was processed, failing on the first problem or the limit. */
    void await(String what) throws Exception {
      long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
      while (!done.await(100, TimeUnit.MILLISECONDS)) {
        Throwable f = failure.get();
        if (f != null) throw new IllegalStateException(what + ": " + f.getMessage(), f);
        if (System.nanoTime() > deadline) {
          throw new TimeoutException(
              what + ": " + processed.get() + " of " + count + " processed after " + RUN_LIMIT);
        }
      }
      Throwable f = failure.get();
      if (f != null) throw new IllegalStateException(what + ": " + f.getMessage(), f);
    }
  }
}
