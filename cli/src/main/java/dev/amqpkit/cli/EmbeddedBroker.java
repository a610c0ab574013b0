package dev.amqpkit.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.qpid.server.SystemLauncher;
import org.apache.qpid.server.SystemLauncherListener;
import org.apache.qpid.server.model.Broker;
import org.apache.qpid.server.model.Port;
import org.apache.qpid.server.model.SystemConfig;

/**
 * Apache Qpid Broker-J running in this process, in memory, on a port of 127.0.0.1 (a free one
 * unless given), serving AMQP 0-9-1 and 1.0 to user guest (password guest) on the virtual host
 * {@code default}, which is also what the URI's default virtual host reaches. Nothing is written
 * but a scratch directory, deleted on close. About 2 s to start. Its own JVM shutdown hook is
 * removed: whoever started it stops it.
 *
 * <p>What differs from RabbitMQ: RabbitMQ-only queue arguments ({@code x-queue-type}...) are
 * ignored, not refused; exchanges cannot be bound to exchanges; an AMQP 1.0 address names an
 * existing queue.
 */
final class EmbeddedBroker implements AutoCloseable {
  private static final String CONFIG =
      """
      {
        "name": "amqpkit-embedded",
        "modelVersion": "8.0",
        "authenticationproviders": [{
          "name": "plain", "type": "Plain", "secureOnlyMechanisms": [],
          "users": [{"name": "guest", "type": "managed", "password": "guest"}]
        }],
        "ports": [{
          "name": "AMQP", "port": "${amqpkit.port}", "bindingAddress": "127.0.0.1",
          "authenticationProvider": "plain",
          "virtualhostaliases": [
            {"name": "nameAlias", "type": "nameAlias"},
            {"name": "defaultAlias", "type": "defaultAlias"},
            {"name": "hostnameAlias", "type": "hostnameAlias"}
          ]
        }],
        "virtualhostnodes": [{
          "name": "default", "type": "Memory", "defaultVirtualHostNode": "true",
          "virtualHostInitialConfiguration": "{\\"type\\": \\"Memory\\"}"
        }]
      }
      """;

  private final SystemLauncher launcher;
  private final Path workDirectory;
  private final int port;

  private EmbeddedBroker(SystemLauncher launcher, Path workDirectory, int port) {
    this.launcher = launcher;
    this.workDirectory = workDirectory;
    this.port = port;
  }

  /** Starts a broker on a free port; blocks until it listens. */
  static EmbeddedBroker start() {
    return start(0);
  }

  /**
   * Starts a broker on this port of 127.0.0.1 (0: a free one); blocks until it listens.
   *
   * @throws CommandFailure if it cannot start, the port being in use, say
   */
  static EmbeddedBroker start(int port) {
    if (port != 0) {
      // Said plainly here, rather than as the broker's port failing to activate.
      try (java.net.ServerSocket probe =
          new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        probe.getLocalPort(); // bound: free
      } catch (IOException e) {
        throw new CommandFailure(
            Exit.FAILURE, "port " + port + " of 127.0.0.1 is in use: try another --port, or 0", e);
      }
    }
    Path work;
    try {
      work = Files.createTempDirectory("amqpkit-broker-");
      Files.writeString(work.resolve("config.json"), CONFIG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the embedded broker's scratch directory", e);
    }
    AtomicReference<SystemConfig<?>> system = new AtomicReference<>();
    SystemLauncher launcher =
        new SystemLauncher(
            new SystemLauncherListener.DefaultSystemLauncherListener() {
              @Override
              public void onContainerResolve(SystemConfig<?> config) {
                system.set(config);
              }
            });
    Map<String, String> context = new HashMap<>();
    context.put("qpid.work_dir", work.toString());
    context.put("amqpkit.port", Integer.toString(port));
    context.put("qpid.broker.defaultPreferenceStoreAttributes", "{\"type\": \"Noop\"}");
    // RabbitMQ's queue arguments are ignored rather than refused (they close the connection).
    context.put("queue.behaviourOnUnknownDeclareArgument", "IGNORE");
    Map<String, Object> attributes = new HashMap<>();
    attributes.put("type", "Memory");
    attributes.put("initialConfigurationLocation", work.resolve("config.json").toUri().toString());
    attributes.put("startupLoggedToSystemOut", false);
    attributes.put("context", context);
    try {
      launcher.startup(attributes);
      Broker<?> broker = broker(system.get());
      detachShutdownHook(broker);
      int bound = -1;
      for (Port<?> p : broker.getPorts()) {
        if ("AMQP".equals(p.getName())) bound = p.getBoundPort();
      }
      if (bound <= 0) {
        throw new IllegalStateException("it could not listen on port " + port + " of 127.0.0.1");
      }
      return new EmbeddedBroker(launcher, work, bound);
    } catch (Exception e) {
      try {
        launcher.shutdown();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      deleteQuietly(work);
      throw new CommandFailure(
          Exit.FAILURE, "the embedded broker did not start: " + e.getMessage(), e);
    }
  }

  // Broker.class is a raw class literal of a generic type: the call cannot be checked.
  @SuppressWarnings("unchecked")
  private static Broker<?> broker(SystemConfig<?> system) {
    return (Broker<?>) system.getContainer(Broker.class);
  }

  /** The URI to reach it with, without the password (to show to the user). */
  String displayUri() {
    return "amqp://127.0.0.1:" + port;
  }

  /** The URI to connect with. */
  String uri() {
    return "amqp://guest:guest@127.0.0.1:" + port;
  }

  /**
   * Takes back the JVM shutdown hook with which the broker stops itself. On Ctrl-C it would stop
   * the broker while the command still closes its connections, and flood stderr with warnings; the
   * command stops the broker itself, last. If the hook cannot be found (another Broker-J version),
   * it stays: the broker is in memory and goes with the process either way.
   */
  private static void detachShutdownHook(Broker<?> broker) {
    for (Class<?> c = broker.getClass(); c != null; c = c.getSuperclass()) {
      try {
        java.lang.reflect.Field hook = c.getDeclaredField("_shutdownHook");
        hook.setAccessible(true);
        Runtime.getRuntime().removeShutdownHook((Thread) hook.get(broker));
        return;
      } catch (NoSuchFieldException e) {
        // Declared higher up, if anywhere.
      } catch (ReflectiveOperationException | RuntimeException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    try {
      launcher.shutdown();
    } finally {
      deleteQuietly(workDirectory);
    }
  }

  private static void deleteQuietly(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // A scratch directory left in the temporary directory is no reason to fail the command.
    }
  }
}
