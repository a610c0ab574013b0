package dev.amqpkit.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Injects real faults into the RabbitMQ node on this machine with {@code rabbitmqctl}: closes a
 * client's connections from the broker's side (320 CONNECTION_FORCED), stops and starts the broker
 * application. A test that stops the broker must start it again, whatever happens: {@link
 * #restarting} does both.
 *
 * <p>Every call waits for {@code rabbitmqctl} to finish, bounded; failures are {@link
 * UncheckedIOException}s carrying its output.
 */
public final class RabbitMqControl {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

  private RabbitMqControl() {}

  /**
   * Whether {@code rabbitmqctl} reaches the broker at this endpoint: it must be on this machine and
   * answer a ping. Tests that inject faults with it assume this, and are skipped otherwise.
   */
  public static boolean availableFor(BrokerEndpoint endpoint) {
    String host = endpoint.host();
    if (!host.startsWith("127.") && !host.equals("localhost")) return false;
    try {
      rabbitmqctl("ping");
      return true;
    } catch (UncheckedIOException e) {
      return false;
    }
  }

  /**
   * Sets the memory high watermark ({@code rabbitmqctl set_vm_memory_high_watermark}): "0" raises a
   * memory alarm at once, blocking publishers; "0.4" is RabbitMQ's default.
   */
  public static void setMemoryHighWatermark(String fraction) {
    rabbitmqctl("set_vm_memory_high_watermark", fraction);
  }

  /**
   * Closes, from the broker's side, every connection whose client named itself {@code
   * connectionName} (the {@code connection_name} client property).
   *
   * @return how many were closed
   */
  public static int closeConnectionsNamed(String connectionName) {
    String listing = rabbitmqctl("list_connections", "-s", "pid", "client_properties");
    String needle = "{\"connection_name\",\"" + connectionName + "\"}";
    List<String> pids = new ArrayList<>();
    for (String line : listing.split("\n")) {
      int tab = line.indexOf('\t');
      if (tab > 0 && line.contains(needle)) pids.add(line.substring(0, tab).trim());
    }
    for (String pid : pids) rabbitmqctl("close_connection", pid, "closed by an amqpkit test");
    return pids.size();
  }

  /**
   * Closes, from the broker's side, every client connection ({@code rabbitmqctl
   * close_all_connections}). RabbitMQ 3.10 does not list AMQP 1.0 connections; this closes the
   * internal connection behind each of their sessions, which the client hears as the session ended
   * with {@code amqp:internal-error}, on a connection that stays open.
   */
  public static void closeAllConnections() {
    rabbitmqctl("close_all_connections", "closed by an amqpkit test");
  }

  /** Adds a user with this password and every permission on the virtual host. */
  public static void addUser(String name, String password, String virtualHost) {
    rabbitmqctl("add_user", name, password);
    rabbitmqctl("set_permissions", "-p", virtualHost, name, ".*", ".*", ".*");
  }

  public static void changePassword(String name, String password) {
    rabbitmqctl("change_password", name, password);
  }

  public static void deleteUser(String name) {
    rabbitmqctl("delete_user", name);
  }

  /** Stops the broker application ({@code rabbitmqctl stop_app}): the node stays up, AMQP stops. */
  public static void stopApp() {
    rabbitmqctl("stop_app");
  }

  /** Starts the broker application again and waits until it serves. */
  public static void startApp() {
    rabbitmqctl("start_app");
    rabbitmqctl("await_startup");
  }

  /** Stops the broker for {@code down}, and starts it again, always. */
  public static void restart(java.time.Duration down) {
    restarting(
        () -> {
          try {
            Thread.sleep(down.toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
  }

  /** Stops the broker, runs {@code whileDown}, and starts the broker again, always. */
  public static void restarting(Runnable whileDown) {
    stopApp();
    try {
      whileDown.run();
    } finally {
      startApp();
    }
  }

  private static String rabbitmqctl(String... args) {
    List<String> command = new ArrayList<>();
    command.add("rabbitmqctl");
    command.add("-q");
    command.addAll(List.of(args));
    try {
      return Commands.run(COMMAND_TIMEOUT, command, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
