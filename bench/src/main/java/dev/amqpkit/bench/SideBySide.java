package dev.amqpkit.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Runs amqpkit and the official RabbitMQ Java client through the same cases against the same
 * broker, in one JVM and one run, and prints for each: messages per second, client CPU time per
 * message, bytes allocated per message (all threads of this JVM), and the ratio amqpkit /
 * reference. Each figure is the median of several runs, the clients alternating.
 *
 * <p>Usage: {@code SideBySide [--uri amqp://...] [--runs 3] [--scale 1.0] [--cases
 * a,b,c,d4k,d256k,r,r256k,fa,fb]}. The fake broker ({@code fa}, {@code fb}) runs in a child JVM so
 * its CPU is not counted.
 */
public final class SideBySide {

  /**
   * One run's figures, or the median of several; {@code systemMicrosPerMessage} is NaN if unknown.
   */
  record Figures(
      double messagesPerSecond,
      double cpuMicrosPerMessage,
      double systemMicrosPerMessage,
      double bytesPerMessage) {

    /** Each figure's median, taken on its own. */
    static Figures median(List<Figures> runs) {
      return new Figures(
          median(runs, Figures::messagesPerSecond),
          median(runs, Figures::cpuMicrosPerMessage),
          median(runs, Figures::systemMicrosPerMessage),
          median(runs, Figures::bytesPerMessage));
    }

    private static double median(
        List<Figures> runs, java.util.function.ToDoubleFunction<Figures> f) {
      return runs.stream().mapToDouble(f).sorted().toArray()[runs.size() / 2];
    }
  }

  /** One measured case: the same work for each client; the second client is the reference. */
  record Case(
      String id,
      String title,
      String uri,
      int count,
      Workload workload,
      List<BenchClient> clients) {
    Case(String id, String title, String uri, int count, Workload workload) {
      this(
          id, title, uri, count, workload, List.of(new AmqpkitClient(true), new ReferenceClient()));
    }
  }

  interface Workload {
    /** Sets up what the run needs (not measured) and returns the queue to use. */
    String prepare(int count) throws Exception;

    /** Runs the work in one client session and returns how many messages it moved. */
    long run(BenchClient.Session session, int count, String queue) throws Exception;
  }

  /** Publishing to a bounded queue on a real broker, or to nothing on the fake one. */
  private static Workload publishing(String uri, boolean fake, int size, int inFlight) {
    return new Workload() {
      @Override
      public String prepare(int count) throws Exception {
        return fake ? "bench" : Prefill.boundedQueue(uri);
      }

      @Override
      public long run(BenchClient.Session session, int count, String queue) throws Exception {
        return session.publish(queue, count, size, inFlight);
      }
    };
  }

  public static void main(String[] args) throws Exception {
    String uri = "amqp://guest:guest@127.0.0.1:5672/%2F";
    int runs = 3;
    double scale = 1.0;
    List<String> wanted = List.of("a", "b", "c", "d4k", "d256k", "r", "fa", "fb");
    String only = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--uri" -> uri = args[++i];
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--scale" -> scale = Double.parseDouble(args[++i]);
        case "--cases" -> wanted = Arrays.asList(args[++i].split(","));
        case "--only" -> only = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    int n = (int) (500_000 * scale);
    String brokerUri = uri;
    Process fake = null;
    String fakeUri = null;
    if (wanted.contains("fa") || wanted.contains("fb")) {
      fake = startFakeBroker();
      fakeUri = "amqp://guest:guest@127.0.0.1:" + readPort(fake) + "/%2F";
    }
    List<Case> cases = new ArrayList<>();
    int n4k = (int) (100_000 * scale);
    int n256k = (int) (4_000 * scale);
    String f = fakeUri;
    String b = brokerUri;
    if (wanted.contains("a")) {
      cases.add(new Case("a", "publish x 100 B, no confirms", b, n, publishing(b, false, 100, 0)));
    }
    if (wanted.contains("b")) {
      cases.add(
          new Case(
              "b", "publish x 100 B, confirms <= 1000", b, n, publishing(b, false, 100, 1000)));
    }
    if (wanted.contains("c")) {
      Workload consuming =
          new Workload() {
            @Override
            public String prepare(int count) throws Exception {
              return Prefill.filledQueue(b, count, 100);
            }

            @Override
            public long run(BenchClient.Session session, int count, String queue) throws Exception {
              return session.consume(queue, count, 1000, 100);
            }
          };
      cases.add(new Case("c", "consume x 100 B, prefetch 1000, ack/100", b, n, consuming));
    }
    if (wanted.contains("d4k")) {
      cases.add(
          new Case(
              "d", "publish x 4 KiB, confirms <= 1000", b, n4k, publishing(b, false, 4096, 1000)));
    }
    if (wanted.contains("d256k")) {
      cases.add(
          new Case(
              "d",
              "publish x 256 KiB, confirms <= 1000",
              b,
              n256k,
              publishing(b, false, 256 * 1024, 1000)));
    }
    if (wanted.contains("r")) {
      cases.add(
          new Case(
              "r",
              "(b) self-healing vs bare channel",
              b,
              n,
              publishing(b, false, 100, 1000),
              List.of(new AmqpkitClient(true), new AmqpkitClient(false))));
    }
    if (wanted.contains("r256k")) {
      cases.add(
          new Case(
              "r",
              "(d256k) self-healing vs bare channel",
              b,
              n256k,
              publishing(b, false, 256 * 1024, 1000),
              List.of(new AmqpkitClient(true), new AmqpkitClient(false))));
    }
    if (wanted.contains("fa")) {
      cases.add(
          new Case(
              "a*",
              "FAKE broker: publish x 100 B, no confirms",
              f,
              n,
              publishing(f, true, 100, 0)));
    }
    if (wanted.contains("fb")) {
      cases.add(
          new Case(
              "b*",
              "FAKE broker: publish x 100 B, confirms <= 1000",
              f,
              n,
              publishing(f, true, 100, 1000)));
    }

    System.out.printf(
        Locale.ROOT,
        "amqpkit vs %s on %s, Java %s, %d cores; median of %d runs; ratio = amqpkit / reference%n%n",
        ReferenceClient.version(),
        uri,
        Runtime.version(),
        Runtime.getRuntime().availableProcessors(),
        runs);
    System.out.printf(
        Locale.ROOT,
        "%-4s %-52s %-10s %12s %14s %14s %14s%n",
        "case",
        "",
        "client",
        "msgs/s",
        "CPU us/msg",
        "of it sys",
        "alloc B/msg");
    try {
      for (Case c : cases) {
        List<BenchClient> clients = c.clients;
        if (only != null) {
          String name = only;
          clients = clients.stream().filter(k -> k.name().equals(name)).toList();
          if (clients.isEmpty()) continue; // a case without that client
        }
        // Warm the clients up on a fifth of the work, then alternate measured runs, each client
        // going first in turn: what one run leaves behind weighs on both alike.
        for (BenchClient client : clients) measure(c, client, true);
        List<List<Figures>> results = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) results.add(new ArrayList<>());
        for (int r = 0; r < runs; r++) {
          for (int k = 0; k < clients.size(); k++) {
            int i = r % 2 == 0 ? k : clients.size() - 1 - k;
            results.get(i).add(measure(c, clients.get(i), false));
          }
        }
        if (clients.size() == 1) {
          print(
              c.id, c.count + " " + c.title, clients.get(0).name(), Figures.median(results.get(0)));
          System.out.println();
          continue;
        }
        Figures amqpkit = Figures.median(results.get(0));
        Figures reference = Figures.median(results.get(1));
        print(c.id, c.count + " " + c.title, clients.get(0).name(), amqpkit);
        print("", "", clients.get(1).name(), reference);
        System.out.printf(
            Locale.ROOT,
            "%-4s %-52s %-10s %12.2f %14.2f %14.2f %14.2f%n%n",
            "",
            "",
            "ratio",
            amqpkit.messagesPerSecond / reference.messagesPerSecond,
            amqpkit.cpuMicrosPerMessage / reference.cpuMicrosPerMessage,
            amqpkit.systemMicrosPerMessage / reference.systemMicrosPerMessage,
            amqpkit.bytesPerMessage / reference.bytesPerMessage);
      }
    } finally {
      if (fake != null) fake.destroyForcibly();
    }
  }

  private static void print(String id, String title, String client, Figures f) {
    System.out.printf(
        Locale.ROOT,
        "%-4s %-52s %-10s %12.0f %14.2f %14.2f %14.1f%n",
        id,
        title,
        client,
        f.messagesPerSecond,
        f.cpuMicrosPerMessage,
        f.systemMicrosPerMessage,
        f.bytesPerMessage);
  }

  private static Figures measure(Case c, BenchClient client, boolean warmup) throws Exception {
    int count = warmup ? Math.max(1, c.count / 5) : c.count;
    String queue = c.workload.prepare(count);
    try (BenchClient.Session session = client.open(c.uri)) {
      System.gc();
      Measurement m = Measurement.start();
      long messages = c.workload.run(session, count, queue);
      return m.stop(messages);
    } finally {
      Prefill.delete(c.uri, queue);
    }
  }

  private static Process startFakeBroker() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = ManagementFactory.getRuntimeMXBean().getClassPath();
    return new ProcessBuilder(java, "-cp", classpath, "dev.amqpkit.testkit.amqp091.FastFakeBroker")
        .redirectErrorStream(true)
        .start();
  }

  private static int readPort(Process fake) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(fake.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith("port "))
      throw new IllegalStateException("fake broker said: " + line);
    return Integer.parseInt(line.substring(5).trim());
  }
}
