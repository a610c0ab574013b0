package dev.amqpkit.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs amqpkit's AMQP 1.0 client and Apache Qpid ProtonJ2 through the same cases against the same
 * broker (RabbitMQ's AMQP 1.0 plugin), in one JVM and one run, and prints for each: messages per
 * second, client CPU time per message, bytes allocated per message (all threads of this JVM), and
 * the ratio amqpkit / ProtonJ2. Each figure is the median of several runs, the clients alternating.
 * The cases ending in {@code -r} run amqpkit's self-healing connection (its default) against its
 * bare one instead: what recovery costs.
 *
 * <p>Usage: {@code Amqp10SideBySide [--uri amqp://guest:guest@127.0.0.1:5672] [--runs 3] [--scale
 * 1.0] [--cases send,receive,receive-batched,send-r,receive-r] [--address-prefix /amq/queue/]
 * [--protonj2-sequential-tags]}.
 */
public final class Amqp10SideBySide {

  /** A client under measurement: one connection, one session, one link per run. */
  interface Client {
    String name();

    /** Sends {@code count} unsettled messages of {@code size} bytes, at most {@code inFlight}. */
    long send(String uri, String queue, int count, int size, int inFlight, Measured measured)
        throws Exception;

    /**
     * Receives and accepts {@code count} messages with this credit window; with {@code batched},
     * settling them as the client's fastest way allows (amqpkit: one disposition per run of 100).
     */
    long receive(
        String uri, String queue, int count, int credit, boolean batched, Measured measured)
        throws Exception;
  }

  /** Starts and stops the measurement around the work, inside the client's connection. */
  static final class Measured {
    private Measurement measurement;
    private SideBySide.Figures figures;

    void start() {
      System.gc();
      measurement = Measurement.start();
    }

    void stop(long messages) {
      figures = measurement.stop(messages);
    }
  }

  /** Where a queue is: RabbitMQ's {@code /amq/queue/NAME}, or {@code --address-prefix}'s. */
  private static String addressPrefix = "/amq/queue/";

  /**
   * Whether ProtonJ2 numbers its delivery tags instead of reusing pooled ones: Apache Qpid Broker-J
   * refuses a tag it still considers in use, which ProtonJ2's pooled tags can be.
   */
  private static boolean sequentialTags;

  static String address(String queue) {
    return addressPrefix + queue;
  }

  public static void main(String[] args) throws Exception {
    // ProtonJ2 logs every connection at INFO.
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.qpid.protonj2", "warn");
    String uri = "amqp://guest:guest@127.0.0.1:5672";
    int runs = 3;
    double scale = 1.0;
    List<String> wanted = List.of("send", "receive", "receive-batched", "send-r", "receive-r");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--uri" -> uri = args[++i];
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--scale" -> scale = Double.parseDouble(args[++i]);
        case "--cases" -> wanted = Arrays.asList(args[++i].split(","));
        case "--address-prefix" -> addressPrefix = args[++i];
        case "--protonj2-sequential-tags" -> sequentialTags = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    int n = (int) (500_000 * scale);
    String amqp091 = "amqp://" + URI.create(uri).getRawAuthority() + "/%2F";
    List<Client> versusProtonJ2 = List.of(new Amqpkit10(true), new ProtonJ2());
    List<Client> healingVersusBare = List.of(new Amqpkit10(true), new Amqpkit10(false));
    System.out.printf(
        Locale.ROOT,
        "amqpkit AMQP 1.0 vs ProtonJ2 %s on %s, Java %s, %d cores; median of %d runs;"
            + " ratio = amqpkit / ProtonJ2%n%n",
        ProtonJ2.version(),
        uri,
        Runtime.version(),
        Runtime.getRuntime().availableProcessors(),
        runs);
    System.out.printf(
        Locale.ROOT,
        "%-8s %-46s %-10s %12s %14s %14s %14s%n",
        "case",
        "",
        "client",
        "msgs/s",
        "CPU us/msg",
        "of it sys",
        "alloc B/msg");
    for (String c : wanted) {
      String title =
          switch (c) {
            case "send" -> n + " x 100 B unsettled, <= 1000 in flight";
            case "receive" -> n + " x 100 B, credit 1000, accept each";
            case "receive-batched" -> n + " x 100 B, credit 1000, settle in batches";
            case "send-r" -> "(send) self-healing vs bare; ratio healing/bare";
            case "receive-r" -> "(receive) self-healing vs bare; ratio healing/bare";
            default -> throw new IllegalArgumentException("unknown case " + c);
          };
      List<Client> clients = c.endsWith("-r") ? healingVersusBare : versusProtonJ2;
      for (Client client : clients) run(client, c, amqp091, uri, Math.max(1, n / 5)); // warm-up
      List<List<SideBySide.Figures>> results = List.of(new ArrayList<>(), new ArrayList<>());
      for (int r = 0; r < runs; r++) {
        for (int i = 0; i < clients.size(); i++) {
          results.get(i).add(run(clients.get(i), c, amqp091, uri, n));
        }
      }
      SideBySide.Figures ours = SideBySide.Figures.median(results.get(0));
      SideBySide.Figures theirs = SideBySide.Figures.median(results.get(1));
      print(c, title, clients.get(0).name(), ours);
      print("", "", clients.get(1).name(), theirs);
      System.out.printf(
          Locale.ROOT,
          "%-8s %-46s %-10s %12.2f %14.2f %14.2f %14.2f%n%n",
          "",
          "",
          "ratio",
          ours.messagesPerSecond() / theirs.messagesPerSecond(),
          ours.cpuMicrosPerMessage() / theirs.cpuMicrosPerMessage(),
          ours.systemMicrosPerMessage() / theirs.systemMicrosPerMessage(),
          ours.bytesPerMessage() / theirs.bytesPerMessage());
    }
  }

  private static SideBySide.Figures run(
      Client client, String c, String amqp091, String uri, int count) throws Exception {
    boolean send = c.startsWith("send");
    String queue = send ? Prefill.boundedQueue(amqp091) : Prefill.filledQueue(amqp091, count, 100);
    try {
      Measured measured = new Measured();
      if (send) client.send(uri, queue, count, 100, 1000, measured);
      else client.receive(uri, queue, count, 1000, c.equals("receive-batched"), measured);
      return measured.figures;
    } finally {
      Prefill.delete(amqp091, queue);
    }
  }

  private static void print(String id, String title, String client, SideBySide.Figures f) {
    System.out.printf(
        Locale.ROOT,
        "%-8s %-46s %-10s %12.0f %14.2f %14.2f %14.1f%n",
        id,
        title,
        client,
        f.messagesPerSecond(),
        f.cpuMicrosPerMessage(),
        f.systemMicrosPerMessage(),
        f.bytesPerMessage());
  }

  /**
   * amqpkit: its own window of unsettled sends bounds what is in flight. With recovery (the
   * default), a self-healing connection, whose sender keeps each message's encoding until its
   * outcome; without, the bare connection.
   */
  static final class Amqpkit10 implements Client {
    private final boolean recovery;

    Amqpkit10(boolean recovery) {
      this.recovery = recovery;
    }

    @Override
    public String name() {
      return recovery ? "amqpkit" : "bare";
    }

    private dev.amqpkit.amqp10.Connection open(String uri) {
      return dev.amqpkit.amqp10.Connection.open(
          dev.amqpkit.amqp10.ConnectionOptions.fromUri(uri)
              .newBuilder()
              .recovery(
                  recovery
                      ? dev.amqpkit.common.Recovery.defaults()
                      : dev.amqpkit.common.Recovery.disabled())
              .build());
    }

    @Override
    public long send(String uri, String queue, int count, int size, int inFlight, Measured m)
        throws Exception {
      try (dev.amqpkit.amqp10.Connection c = open(uri)) {
        dev.amqpkit.amqp10.Sender sender =
            c.openSession()
                .openSender(
                    dev.amqpkit.amqp10.SenderOptions.builder()
                        .address(address(queue))
                        .maxInFlight(inFlight)
                        .build());
        dev.amqpkit.amqp10.Message message = dev.amqpkit.amqp10.Message.ofData(new byte[size]);
        m.start();
        java.util.concurrent.CompletableFuture<dev.amqpkit.amqp10.Outcome> last = null;
        for (int i = 0; i < count; i++) last = sender.send(message);
        last.get(60, TimeUnit.SECONDS);
        while (sender.unsettled() > 0) Thread.sleep(1); // the broker settles in order: rarely

        m.stop(count);
      }
      return count;
    }

    @Override
    public long receive(
        String uri, String queue, int count, int credit, boolean batched, Measured m)
        throws Exception {
      try (dev.amqpkit.amqp10.Connection c = open(uri)) {
        dev.amqpkit.amqp10.Session session = c.openSession();
        m.start();
        dev.amqpkit.amqp10.ReceiverOptions.Builder options =
            dev.amqpkit.amqp10.ReceiverOptions.builder().address(address(queue)).credit(credit);
        if (batched) options.dispositionBatch(100, Duration.ofMillis(10));
        dev.amqpkit.amqp10.Receiver receiver = session.openReceiver(options.build());
        for (int i = 0; i < count; i++) {
          dev.amqpkit.amqp10.Delivery d = receiver.receive(Duration.ofSeconds(30));
          if (d == null) throw new IllegalStateException("amqpkit: only " + i + " received");
          d.message().body();
          d.accept();
        }
        m.stop(count);
        receiver.close();
      }
      return count;
    }
  }

  /**
   * ProtonJ2: its trackers, oldest first, bound what is in flight: the oldest is awaited before a
   * send beyond the window (the broker settles in order).
   */
  static final class ProtonJ2 implements Client {
    private final org.apache.qpid.protonj2.client.Client client =
        org.apache.qpid.protonj2.client.Client.create();

    static String version() {
      Package p = org.apache.qpid.protonj2.client.Client.class.getPackage();
      return p.getImplementationVersion() == null ? "" : p.getImplementationVersion();
    }

    @Override
    public String name() {
      return "protonj2";
    }

    private org.apache.qpid.protonj2.client.Connection connect(String uri) throws Exception {
      URI u = URI.create(uri);
      String[] user = u.getUserInfo().split(":", 2);
      org.apache.qpid.protonj2.client.ConnectionOptions options =
          new org.apache.qpid.protonj2.client.ConnectionOptions().user(user[0]).password(user[1]);
      return client.connect(u.getHost(), u.getPort(), options);
    }

    @Override
    public long send(String uri, String queue, int count, int size, int inFlight, Measured m)
        throws Exception {
      try (org.apache.qpid.protonj2.client.Connection c = connect(uri)) {
        org.apache.qpid.protonj2.client.SenderOptions options =
            new org.apache.qpid.protonj2.client.SenderOptions();
        if (sequentialTags) {
          options.deliveryTagGeneratorSupplier(
              org.apache.qpid.protonj2.engine.impl.ProtonDeliveryTagGenerator.BUILTIN.SEQUENTIAL
                  ::createGenerator);
        }
        org.apache.qpid.protonj2.client.Sender sender = c.openSender(address(queue), options);
        sender.openFuture().get(30, TimeUnit.SECONDS);
        byte[] body = new byte[size];
        ArrayDeque<org.apache.qpid.protonj2.client.Tracker> window = new ArrayDeque<>(inFlight);
        m.start();
        for (int i = 0; i < count; i++) {
          if (window.size() == inFlight) window.poll().awaitSettlement(60, TimeUnit.SECONDS);
          window.add(sender.send(org.apache.qpid.protonj2.client.Message.create(body)));
        }
        for (org.apache.qpid.protonj2.client.Tracker t : window) {
          t.awaitSettlement(60, TimeUnit.SECONDS);
        }
        m.stop(count);
      }
      return count;
    }

    /** ProtonJ2 settles each delivery with its own disposition: batched or not, the same. */
    @Override
    public long receive(
        String uri, String queue, int count, int credit, boolean batched, Measured m)
        throws Exception {
      try (org.apache.qpid.protonj2.client.Connection c = connect(uri)) {
        m.start();
        org.apache.qpid.protonj2.client.Receiver receiver =
            c.openReceiver(
                address(queue),
                new org.apache.qpid.protonj2.client.ReceiverOptions()
                    .creditWindow(credit)
                    .autoAccept(false));
        for (int i = 0; i < count; i++) {
          org.apache.qpid.protonj2.client.Delivery d = receiver.receive(30, TimeUnit.SECONDS);
          if (d == null) throw new IllegalStateException("protonj2: only " + i + " received");
          d.message().body();
          d.accept();
        }
        m.stop(count);
        receiver.close();
      }
      return count;
    }
  }
}
