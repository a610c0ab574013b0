package dev.amqpkit.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The RabbitMQ one test runs against: where it is, names no other test will use, and the record of
 * what to delete when the test ends.
 *
 * <p>Names come from {@link #queueName} and {@link #exchangeName} and are deleted after the test;
 * names the broker chose (server-named queues) are added with {@link #deleteQueueAfterTest}. Safe
 * to use from the test's threads concurrently.
 */
public final class RabbitMq {
  /** Every name handed out starts with this, so leftovers are easy to recognise on a broker. */
  public static final String NAME_PREFIX = "amqpkit-test.";

  /** The longest name handed out, well inside the 255 bytes of an AMQP short string. */
  static final int MAX_NAME_LENGTH = 200;

  static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);

  private final BrokerEndpoint endpoint;
  private final String owner;
  private final Set<String> queues = new LinkedHashSet<>();
  private final Set<String> exchanges = new LinkedHashSet<>();
  private BrokerAdmin admin;

  RabbitMq(BrokerEndpoint endpoint, String owner) {
    this.endpoint = endpoint;
    this.owner = sanitize(owner);
  }

  /** Host, port, credentials and virtual host of the broker. */
  public BrokerEndpoint endpoint() {
    return endpoint;
  }

  /** The broker's URI, password included, for the client under test. */
  public String uri() {
    return endpoint.uri();
  }

  /**
   * A queue name unique to this test and run, deleted after the test whether or not it was
   * declared.
   *
   * @param hint a word that says what the queue is for; it appears in the name
   */
  public synchronized String queueName(String hint) {
    String name = uniqueName(hint);
    queues.add(name);
    return name;
  }

  /** An exchange name unique to this test and run, deleted after the test. */
  public synchronized String exchangeName(String hint) {
    String name = uniqueName(hint);
    exchanges.add(name);
    return name;
  }

  /** Deletes this queue after the test; for names the broker chose. */
  public synchronized void deleteQueueAfterTest(String name) {
    queues.add(Objects.requireNonNull(name, "name == null"));
  }

  /** Deletes this exchange after the test. */
  public synchronized void deleteExchangeAfterTest(String name) {
    exchanges.add(Objects.requireNonNull(name, "name == null"));
  }

  /** An admin connection to the broker, opened on first use and closed after the test. */
  public synchronized BrokerAdmin admin() {
    if (admin == null) admin = BrokerAdmin.open(endpoint, ADMIN_TIMEOUT);
    return admin;
  }

  /** Names of the queues that will be deleted after the test. */
  public synchronized List<String> trackedQueues() {
    return List.copyOf(queues);
  }

  /** Names of the exchanges that will be deleted after the test. */
  public synchronized List<String> trackedExchanges() {
    return List.copyOf(exchanges);
  }

  /**
   * Deletes every tracked queue, then every tracked exchange, on a fresh admin connection, and
   * closes the admin connection.
   *
   * @throws IllegalStateException naming what could not be deleted
   */
  synchronized void cleanUp() {
    if (admin != null) {
      admin.close();
      admin = null;
    }
    if (queues.isEmpty() && exchanges.isEmpty()) return;
    List<String> failures = new ArrayList<>();
    try (BrokerAdmin cleaner = BrokerAdmin.open(endpoint, ADMIN_TIMEOUT)) {
      for (String queue : queues) {
        try {
          cleaner.deleteQueue(queue);
        } catch (RuntimeException e) {
          failures.add("queue " + queue + ": " + e.getMessage());
        }
      }
      for (String exchange : exchanges) {
        try {
          cleaner.deleteExchange(exchange);
        } catch (RuntimeException e) {
          failures.add("exchange " + exchange + ": " + e.getMessage());
        }
      }
    } catch (RuntimeException e) {
      failures.add("admin connection: " + e.getMessage());
    }
    queues.clear();
    exchanges.clear();
    if (!failures.isEmpty()) {
      throw new IllegalStateException(
          "could not delete what the test declared on " + endpoint + ": " + failures);
    }
  }

  private String uniqueName(String hint) {
    String suffix = "." + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    String head =
        NAME_PREFIX + owner + "." + sanitize(Objects.requireNonNull(hint, "hint == null"));
    int room = MAX_NAME_LENGTH - suffix.length();
    return (head.length() > room ? head.substring(0, room) : head) + suffix;
  }

  private static String sanitize(String s) {
    return s.replaceAll("[^A-Za-z0-9_.-]", "_");
  }
}
