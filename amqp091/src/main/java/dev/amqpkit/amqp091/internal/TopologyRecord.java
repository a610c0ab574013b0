package dev.amqpkit.amqp091.internal;

import dev.amqpkit.amqp091.Channel;
import dev.amqpkit.amqp091.ChannelClosedException;
import dev.amqpkit.amqp091.CloseInitiator;
import dev.amqpkit.amqp091.ExchangeSpec;
import dev.amqpkit.amqp091.QueueSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exchanges, queues and bindings a recovering connection declared, to declare again after it
 * reconnects. It follows what the broker keeps: a delete removes an entity and its bindings; an
 * auto-delete queue leaves when its last consumer does; a queue with {@code x-expires} leaves once
 * it has been unused that long. So it holds no more than the live topology, however long the
 * connection runs.
 *
 * <p>Thread-safe: every method takes the record's lock; recovery copies what it declares first.
 */
final class TopologyRecord {
  private static final Logger log = LoggerFactory.getLogger(TopologyRecord.class);
  private static final int RESOURCE_LOCKED = 405;

  private final Map<String, ExchangeSpec> exchanges = new LinkedHashMap<>();
  private final Map<String, RecordedQueue> queues = new LinkedHashMap<>();
  private final Set<Binding> bindings = new LinkedHashSet<>();

  /** A declared queue; {@code spec} has an empty name for a server-named one. */
  private static final class RecordedQueue {
    final QueueSpec spec;
    final long expiresNanos; // x-expires, or 0
    int consumers;
    boolean hadConsumer;
    long idleSince = System.nanoTime();

    RecordedQueue(QueueSpec spec) {
      this.spec = spec;
      Object expires = spec.arguments().get("x-expires");
      this.expiresNanos = expires instanceof Number n ? n.longValue() * 1_000_000 : 0;
    }

    boolean expired(long now) {
      return expiresNanos > 0 && consumers == 0 && now - idleSince >= expiresNanos;
    }
  }

  /** A binding of a queue or, with {@code toExchange}, an exchange to a source exchange. */
  record Binding(
      boolean toExchange,
      String destination,
      String source,
      String routingKey,
      Map<String, ?> arguments) {
    Binding {
      // A copy: the application may change its map, and the record's set must not see it.
      arguments = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
    }

    Binding renamed(String from, String to) {
      return !toExchange && destination.equals(from)
          ? new Binding(false, to, source, routingKey, arguments)
          : this;
    }
  }

  synchronized void exchangeDeclared(ExchangeSpec spec) {
    // The default exchange and the amq.* ones always exist and cannot be declared anew.
    if (spec.name().isEmpty() || spec.name().startsWith("amq.")) return;
    exchanges.put(spec.name(), spec);
  }

  synchronized void exchangeDeleted(String name) {
    exchanges.remove(name);
    bindings.removeIf(b -> b.source.equals(name) || b.toExchange && b.destination.equals(name));
  }

  synchronized void queueDeclared(QueueSpec spec, String name) {
    RecordedQueue old = queues.get(name);
    RecordedQueue queue = new RecordedQueue(spec);
    if (old != null) {
      queue.consumers = old.consumers;
      queue.hadConsumer = old.hadConsumer;
    }
    queues.put(name, queue);
  }

  synchronized void queueDeleted(String name) {
    queues.remove(name);
    bindings.removeIf(b -> !b.toExchange && b.destination.equals(name));
  }

  /** Forgets the queues with {@code x-expires} unused that long: the broker has deleted them. */
  synchronized void forgetExpired() {
    long now = System.nanoTime();
    List<String> expired = new ArrayList<>();
    queues.forEach(
        (name, queue) -> {
          if (queue.expired(now)) expired.add(name);
        });
    expired.forEach(this::queueDeleted);
  }

  synchronized void bound(Binding binding) {
    bindings.add(binding);
  }

  synchronized void unbound(Binding binding) {
    bindings.remove(binding);
  }

  synchronized void consumerStarted(String queue) {
    RecordedQueue q = queues.get(queue);
    if (q == null) return;
    q.consumers++;
    q.hadConsumer = true;
  }

  /** A consumer of the queue was cancelled, by the application or the broker. */
  synchronized void consumerEnded(String queue) {
    RecordedQueue q = queues.get(queue);
    if (q == null || q.consumers == 0) return;
    q.consumers--;
    if (q.consumers > 0) return;
    q.idleSince = System.nanoTime();
    // RabbitMQ deletes an auto-delete queue once the last of its consumers goes.
    if (q.spec.isAutoDelete() && q.hadConsumer) queueDeleted(queue);
  }

  /** How many exchanges, queues and bindings are recorded. */
  synchronized int size() {
    return exchanges.size() + queues.size() + bindings.size();
  }

  synchronized List<String> queueNames() {
    return List.copyOf(queues.keySet());
  }

  synchronized List<Binding> bindings() {
    return List.copyOf(bindings);
  }

  /**
   * Declares everything again on {@code connection}: exchanges, then queues (a server-named one
   * gets a new name, which {@code renamed} hears and the bindings follow), then bindings.
   *
   * <p>A queue another connection still holds exclusively (405 RESOURCE_LOCKED: the broker has not
   * yet noticed that the failed connection is gone) fails the attempt, to be tried again. Any other
   * refusal (a queue redeclared elsewhere with other arguments, a binding to an exchange since
   * deleted) is logged, that entity is left out, and recovery goes on.
   */
  void recover(AmqpConnection connection, BiConsumer<String, String> renamed) {
    List<ExchangeSpec> exchangeList;
    List<Map.Entry<String, RecordedQueue>> queueList;
    synchronized (this) {
      forgetExpired();
      if (exchanges.isEmpty() && queues.isEmpty() && bindings.isEmpty()) return;
      exchangeList = new ArrayList<>(exchanges.values());
      queueList = new ArrayList<>(queues.entrySet());
    }
    Channel[] channel = {connection.openChannel()};
    try {
      for (ExchangeSpec spec : exchangeList) {
        declare(
            connection, channel, "exchange " + spec.name(), () -> channel[0].exchangeDeclare(spec));
      }
      for (Map.Entry<String, RecordedQueue> entry : queueList) {
        String name = entry.getKey();
        QueueSpec spec = entry.getValue().spec;
        String[] declared = {name};
        boolean ok =
            declare(
                connection,
                channel,
                "queue " + name,
                () -> declared[0] = channel[0].queueDeclare(spec).queue());
        if (ok && !declared[0].equals(name)) {
          rename(name, declared[0]);
          renamed.accept(name, declared[0]);
        }
      }
      List<Binding> bindingList;
      synchronized (this) {
        bindingList = new ArrayList<>(bindings);
      }
      for (Binding b : bindingList) {
        declare(
            connection,
            channel,
            "binding " + b,
            () -> {
              if (b.toExchange) {
                channel[0].exchangeBind(b.destination, b.source, b.routingKey, b.arguments);
              } else {
                channel[0].queueBind(b.destination, b.source, b.routingKey, b.arguments);
              }
            });
      }
    } finally {
      channel[0].close();
    }
  }

  private synchronized void rename(String from, String to) {
    RecordedQueue queue = queues.remove(from);
    if (queue != null) queues.put(to, queue);
    List<Binding> renamedBindings = new ArrayList<>();
    bindings.removeIf(
        b -> {
          Binding r = b.renamed(from, to);
          if (r == b) return false;
          renamedBindings.add(r);
          return true;
        });
    bindings.addAll(renamedBindings);
  }

  /**
   * Runs one declaration; on a channel-level refusal other than 405, logs it, opens a fresh channel
   * for the rest and returns false.
   */
  private static boolean declare(
      AmqpConnection connection, Channel[] channel, String what, Runnable declaration) {
    try {
      declaration.run();
      return true;
    } catch (ChannelClosedException e) {
      if (e.initiator() != CloseInitiator.BROKER || e.replyCode() == RESOURCE_LOCKED) throw e;
      log.warn("recovery left out {}: the broker refused it: {}", what, e.reason());
      channel[0] = connection.openChannel();
      return false;
    }
  }
}
