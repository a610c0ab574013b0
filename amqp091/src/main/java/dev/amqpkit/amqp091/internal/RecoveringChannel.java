package dev.amqpkit.amqp091.internal;

import dev.amqpkit.amqp091.AmqpException;
import dev.amqpkit.amqp091.AmqpTimeoutException;
import dev.amqpkit.amqp091.BasicProperties;
import dev.amqpkit.amqp091.Channel;
import dev.amqpkit.amqp091.ChannelClosedException;
import dev.amqpkit.amqp091.ChannelListener;
import dev.amqpkit.amqp091.CloseInitiator;
import dev.amqpkit.amqp091.CloseReason;
import dev.amqpkit.amqp091.ConfirmListener;
import dev.amqpkit.amqp091.ConnectionClosedException;
import dev.amqpkit.amqp091.ConnectionRecoveringException;
import dev.amqpkit.amqp091.ConsumeOptions;
import dev.amqpkit.amqp091.DeleteCondition;
import dev.amqpkit.amqp091.Delivery;
import dev.amqpkit.amqp091.DeliveryHandler;
import dev.amqpkit.amqp091.ExchangeSpec;
import dev.amqpkit.amqp091.PublishNackedException;
import dev.amqpkit.amqp091.QosScope;
import dev.amqpkit.amqp091.QueueDeclareOk;
import dev.amqpkit.amqp091.QueueSpec;
import dev.amqpkit.amqp091.Requeue;
import dev.amqpkit.amqp091.ReturnedMessage;
import dev.amqpkit.common.internal.SerialExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel of a {@link RecoveringConnection}: the object the application holds, in front of the
 * {@link AmqpChannel} of the connection of the moment, which it replaces after each recovery.
 *
 * <p>It records what must outlive a connection: qos, confirm and transaction mode, consumers (same
 * tags, same handlers). While the connection recovers, calls wait for it, each within the RPC
 * timeout; a call that the failure interrupted is made again on the new channel, but for those
 * whose effect cannot be known (a transaction's commit or rollback). In confirm mode every publish
 * is retained, with a copy of its body, until the broker confirms it: those unconfirmed when the
 * connection fails, then those made while it recovers (in a bounded buffer), are sent again in
 * their original order before any later publish. Delivery tags keep growing across recoveries; an
 * acknowledgement of a delivery from before one is dropped, as the broker redelivers that message.
 *
 * <p>Thread-safe, as {@link Channel} promises.
 */
final class RecoveringChannel implements Channel {
  private static final Logger log = LoggerFactory.getLogger(RecoveringChannel.class);

  private final RecoveringConnection connection;
  private final Object lock = new Object();
  private final List<ChannelListener> listeners = new CopyOnWriteArrayList<>();
  private final List<ConfirmListener> confirmListeners = new CopyOnWriteArrayList<>();
  // Every delegate's callbacks run here, one at a time and in order: a handler never runs on two
  // threads at once, even while the old channel's last deliveries meet the new one's first.
  private final SerialExecutor callbacks;

  // Guarded by lock.
  private AmqpChannel current; // null between a failure and the next attempt's channel
  private boolean restoring; // from a failure until current has its qos, modes and consumers
  private boolean replaying; // from a failure until every retained publish is sent again
  private ChannelClosedException closeCause; // closed for good
  private long tagOffset; // the delivery tags of channels before current
  private long sequenceOffset; // the publish sequence numbers of channels before current
  private long unreportedNack; // a nack a failed channel had not reported yet, renumbered
  private ConfirmListener confirmBridge; // current's, on it only while the application listens
  private boolean txLost; // a transaction had work when its connection failed
  private volatile boolean txWork; // the transaction of the moment has publishes or acks
  private int lastNumber;
  private final Map<QosScope, Integer> qos = new EnumMap<>(QosScope.class);
  private int confirmLimit; // 0 outside confirm mode
  private boolean transactional;
  private final Map<String, RecordedConsumer> consumers = new LinkedHashMap<>();
  // Publishes to send once recovered, in their original order: those the failure left
  // unconfirmed, then those made while recovering (counted in buffered).
  private final PriorityQueue<RetainedPublish> toSend =
      new PriorityQueue<>((a, b) -> Long.compare(a.order, b.order));
  private int buffered;
  private long nextOrder;

  /** A consumer to start again, under its tag, on the queue's current name. */
  private static final class RecordedConsumer {
    String queue;
    final ConsumeOptions options;
    final DeliveryHandler handler;

    RecordedConsumer(String queue, ConsumeOptions options, DeliveryHandler handler) {
      this.queue = queue;
      this.options = options;
      this.handler = handler;
    }
  }

  /** Opens the first channel on {@code on}. */
  RecoveringChannel(RecoveringConnection connection, AmqpConnection on) {
    this.connection = connection;
    this.callbacks = new SerialExecutor(on.callbackExecutor());
    AmqpChannel first = on.openChannel(callbacks);
    synchronized (lock) {
      attach(first);
      this.current = first;
      this.lastNumber = first.number();
    }
  }

  /** Makes {@code channel} the next delegate. Holds the lock. */
  private void attach(AmqpChannel channel) {
    channel.deliveryTagOffset(tagOffset);
    channel.publishSequenceOffset(sequenceOffset);
    channel.orphanHandler(this::adopt);
    channel.addListener(
        new ChannelListener() {
          @Override
          public void closed(ChannelClosedException cause) {
            if (cause.initiator() == CloseInitiator.NETWORK) return; // recovery mends it
            synchronized (lock) {
              // A channel being restored, or one since replaced, speaks for itself only.
              if (channel != current || restoring) return;
            }
            closedForGood(cause);
          }

          @Override
          public void returned(ReturnedMessage message) {
            for (ChannelListener l : listeners) l.returned(message);
          }

          @Override
          public void flow(boolean active) {
            for (ChannelListener l : listeners) l.flow(active);
          }
        });
    // Sequence numbers keep growing across recoveries, as delivery tags do.
    long base = sequenceOffset;
    confirmBridge =
        new ConfirmListener() {
          @Override
          public void acked(long sequenceNumber, boolean multiple) {
            for (ConfirmListener l : confirmListeners) l.acked(base + sequenceNumber, multiple);
          }

          @Override
          public void nacked(long sequenceNumber, boolean multiple) {
            for (ConfirmListener l : confirmListeners) l.nacked(base + sequenceNumber, multiple);
          }
        };
    // Only once the application listens: a confirm listener costs a thread hand-off per confirm.
    if (!confirmListeners.isEmpty()) channel.addConfirmListener(confirmBridge);
  }

  // ---- waiting for the connection of the moment ----

  private long deadline() {
    return System.nanoTime() + connection.options().rpcTimeout().toNanos();
  }

  /** The channel to use now, waiting while the connection recovers, until the deadline. */
  private AmqpChannel awaitCurrent(long deadline) {
    synchronized (lock) {
      while (true) {
        if (closeCause != null) throw closeCause;
        AmqpChannel channel = current;
        if (channel != null && !restoring) {
          if (channel.isOpen()) return channel;
          ChannelClosedException cause = channel.closeCause();
          if (cause.initiator() != CloseInitiator.NETWORK) {
            closedForGood(cause);
            throw cause;
          }
          // Its connection failed; the recovering connection is about to say so.
        }
        awaitChange(deadline);
      }
    }
  }

  /** Waits, holding the lock, for a change of state; throws at the deadline. */
  private void awaitChange(long deadline) {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new AmqpTimeoutException(
          "channel "
              + lastNumber
              + ": the connection is recovering and was not back within "
              + connection.options().rpcTimeout());
    }
    try {
      lock.wait(Math.max(1, left / 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AmqpException("interrupted while waiting for the connection to recover", e);
    }
  }

  /** Whether a failure of a call is the loss of the connection, which recovery will mend. */
  private static boolean lost(RuntimeException e) {
    if (e instanceof ChannelClosedException c) return c.initiator() == CloseInitiator.NETWORK;
    if (e instanceof ConnectionClosedException c) {
      return c.initiator() != CloseInitiator.APPLICATION;
    }
    return false;
  }

  /**
   * Runs a call on the channel of the moment; if the connection fails under it, runs it again once
   * recovered, all within one RPC timeout.
   */
  private <T> T call(Function<AmqpChannel, T> op) {
    long deadline = deadline();
    while (true) {
      AmqpChannel channel = awaitCurrent(deadline);
      try {
        return op.apply(channel);
      } catch (ChannelClosedException | ConnectionClosedException e) {
        if (!lost(e)) throw closedBy(e);
      }
    }
  }

  /** A failure that is not the connection's: a channel-level error closes this channel for good. */
  private RuntimeException closedBy(RuntimeException e) {
    if (e instanceof ChannelClosedException c) closedForGood(c);
    return e;
  }

  private void run(java.util.function.Consumer<AmqpChannel> op) {
    call(
        channel -> {
          op.accept(channel);
          return null;
        });
  }

  /** Runs a call whose effect is unknown if the connection fails under it: not made again. */
  private <T> T callOnce(String what, Function<AmqpChannel, T> op) {
    AmqpChannel channel = awaitCurrent(deadline());
    try {
      return op.apply(channel);
    } catch (ChannelClosedException | ConnectionClosedException e) {
      if (!lost(e)) throw closedBy(e);
      throw new ConnectionRecoveringException(
          "channel "
              + lastNumber
              + ": the connection failed during "
              + what
              + ", whose outcome is unknown; it is recovering",
          e);
    }
  }

  // ---- told by the recovering connection ----

  /** The connection failed: calls wait from now on, until {@link #replay} is done. */
  void connectionLost() {
    synchronized (lock) {
      restoring = true;
      replaying = true;
      if (transactional && txWork) txLost = true;
      retireCurrent();
      lock.notifyAll();
    }
  }

  /**
   * The current channel is gone with its connection: later delivery tags and sequence numbers start
   * past its own, and a nack it had not reported yet is kept. Holds the lock.
   */
  private void retireCurrent() {
    if (current == null) return;
    tagOffset += current.lastDeliveryTag();
    long nack = current.takeUnreportedNack();
    if (nack != 0 && unreportedNack == 0) unreportedNack = sequenceOffset + nack;
    sequenceOffset += current.lastPublishSequenceNumber();
    current = null;
  }

  /** An attempt failed after this channel was restored in it. */
  void attemptFailed() {
    synchronized (lock) {
      restoring = true;
      retireCurrent();
    }
  }

  /** The attempt holds, every channel restored: calls other than publishes go ahead. */
  void restored() {
    synchronized (lock) {
      restoring = false;
      lock.notifyAll();
    }
  }

  /**
   * Opens this channel again on {@code on}, with its qos, confirm or transaction mode and
   * consumers. A consumer whose queue is gone (404) is left out, and its handler told it was
   * cancelled; any other refusal fails the attempt, to be tried again.
   */
  void recover(AmqpConnection on) {
    while (true) {
      AmqpChannel channel = on.openChannel(callbacks);
      Map<QosScope, Integer> qosNow;
      int confirm;
      boolean tx;
      Map<String, RecordedConsumer> consumersNow;
      boolean closed;
      synchronized (lock) {
        closed = closeCause != null;
        if (!closed) {
          retireCurrent();
          attach(channel); // before any consumer: the tag offset
          current = channel;
          lastNumber = channel.number();
        }
        qosNow = new EnumMap<>(qos);
        confirm = confirmLimit;
        tx = transactional;
        consumersNow = new LinkedHashMap<>(consumers);
      }
      if (closed) {
        channel.close();
        return;
      }
      try {
        // Calls keep waiting until the whole attempt holds: see restored().
        if (restore(channel, qosNow, confirm, tx, consumersNow)) return;
        // A consumer was refused, which closed the channel: again on a new one, without it.
      } catch (ChannelClosedException e) {
        synchronized (lock) {
          if (closeCause != null) return; // closed by the application meanwhile
        }
        throw e;
      }
    }
  }

  /** Returns false if a consumer was refused and left out: the channel is closed then. */
  private boolean restore(
      AmqpChannel channel,
      Map<QosScope, Integer> qosNow,
      int confirm,
      boolean tx,
      Map<String, RecordedConsumer> consumersNow) {
    qosNow.forEach((scope, prefetch) -> channel.basicQos(prefetch, scope));
    if (confirm > 0) channel.confirmSelect(confirm);
    if (tx) channel.txSelect();
    for (Map.Entry<String, RecordedConsumer> entry : consumersNow.entrySet()) {
      String tag = entry.getKey();
      RecordedConsumer consumer = entry.getValue();
      try {
        channel.basicConsume(consumer.queue, consumer.options.consumerTag(tag), consumer.handler);
      } catch (ChannelClosedException e) {
        if (e.initiator() != CloseInitiator.BROKER || e.replyCode() != 404) throw e;
        log.warn("recovery left out consumer {} of queue {}: {}", tag, consumer.queue, e.reason());
        forgetConsumer(tag, consumer);
        callbacks.execute(() -> consumer.handler.cancelled(tag, CloseInitiator.BROKER));
        return false;
      }
    }
    return true;
  }

  private AmqpChannel current() {
    synchronized (lock) {
      return current;
    }
  }

  /**
   * Sends again, in order, what the failure left unconfirmed and what was published meanwhile; then
   * calls flow again. If the connection fails again meanwhile, what was not confirmed stays to be
   * sent after the next recovery.
   */
  void replay() {
    while (true) {
      RetainedPublish next;
      AmqpChannel channel;
      synchronized (lock) {
        if (closeCause != null || current == null || restoring) return;
        next = toSend.poll();
        if (next == null) {
          replaying = false;
          buffered = 0;
          lock.notifyAll();
          return;
        }
        next.waiting = false;
        if (next.buffered) {
          next.buffered = false;
          buffered--;
          lock.notifyAll(); // room in the buffer
        }
        channel = current;
        next.sentOn = channel;
      }
      try {
        channel.publish(next);
      } catch (ChannelClosedException | ConnectionClosedException e) {
        if (!lost(e)) {
          // A channel-level error (the exchange deleted meanwhile?): this channel ends here.
          if (next.sequence <= 0) fail(next, e);
          closedBy(e);
          return;
        }
        if (next.sequence <= 0) requeue(next);
        return; // the connection failed again: the next recovery goes on from here
      } catch (AmqpTimeoutException e) {
        // Not queued: the broker does not confirm or read (a resource alarm?). Try again while
        // the connection lives; if it fails, the next recovery goes on from here.
        if (next.sequence <= 0) requeue(next);
      } catch (RuntimeException e) {
        // This publish cannot be sent (a routing key too long to encode?): it alone fails.
        fail(next, e);
      }
    }
  }

  private void requeue(RetainedPublish publish) {
    ChannelClosedException closed;
    synchronized (lock) {
      if (publish.waiting) return; // handed over already, by the failed channel
      closed = closeCause;
      if (closed == null) {
        publish.waiting = true;
        toSend.add(publish);
        return;
      }
    }
    fail(publish, closed);
  }

  /** Fails a publish's future, on the callback executor: never on the recovery thread. */
  private void fail(RetainedPublish publish, RuntimeException cause) {
    if (publish.completes()) callbacks.execute(() -> publish.completeExceptionally(cause));
  }

  /**
   * The failed channel's unconfirmed publishes, in order: they are older than anything still to be
   * sent, and go before it.
   */
  private boolean adopt(
      List<PublishWindow.PendingConfirm> unconfirmed, ChannelClosedException cause) {
    if (cause.initiator() != CloseInitiator.NETWORK) return false;
    synchronized (lock) {
      if (closeCause != null) return false;
      for (PublishWindow.PendingConfirm confirm : unconfirmed) {
        if (confirm instanceof RetainedPublish publish && !publish.waiting) {
          publish.waiting = true;
          toSend.add(publish);
        }
      }
      return true;
    }
  }

  /**
   * Closes this channel for good: the connection gave up or was closed by the application, the
   * broker closed the channel, or the application did. Fails what waits to be sent. Once.
   */
  void closedForGood(ChannelClosedException cause) {
    List<RetainedPublish> failed;
    synchronized (lock) {
      if (closeCause != null) return;
      closeCause = cause;
      failed = new ArrayList<>(toSend);
      toSend.clear();
      buffered = 0;
      lock.notifyAll();
    }
    connection.forget(this);
    callbacks.execute(
        () -> {
          for (RetainedPublish p : failed) {
            if (p.completes()) p.completeExceptionally(cause);
          }
          for (ChannelListener l : listeners) l.closed(cause);
        });
  }

  /** A server-named queue has a new name: the consumers of the old one follow. */
  void queueRenamed(String from, String to) {
    synchronized (lock) {
      for (RecordedConsumer consumer : consumers.values()) {
        if (consumer.queue.equals(from)) consumer.queue = to;
      }
    }
  }

  // ---- the Channel surface ----

  @Override
  public int number() {
    synchronized (lock) {
      return lastNumber;
    }
  }

  @Override
  public boolean isOpen() {
    return closeCause() == null;
  }

  /**
   * Why the channel closed for good. A channel-level error is seen here as soon as the broker's
   * close arrives, before listeners hear of it.
   */
  @Override
  public ChannelClosedException closeCause() {
    ChannelClosedException byBroker;
    synchronized (lock) {
      if (closeCause != null || current == null || restoring || current.isOpen()) {
        return closeCause;
      }
      byBroker = current.closeCause();
      if (byBroker.initiator() == CloseInitiator.NETWORK) return null; // recovering
    }
    closedForGood(byBroker);
    return byBroker;
  }

  @Override
  public void addListener(ChannelListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener == null"));
  }

  @Override
  public void exchangeDeclare(ExchangeSpec spec) {
    recorded(c -> c.exchangeDeclare(spec), () -> connection.topology().exchangeDeclared(spec));
  }

  @Override
  public void exchangeDeclareNoWait(ExchangeSpec spec) {
    recorded(
        c -> c.exchangeDeclareNoWait(spec), () -> connection.topology().exchangeDeclared(spec));
  }

  @Override
  public void exchangeDeclarePassive(String name) {
    run(c -> c.exchangeDeclarePassive(name));
  }

  @Override
  public void exchangeDelete(String name, DeleteCondition... conditions) {
    recorded(
        c -> c.exchangeDelete(name, conditions), () -> connection.topology().exchangeDeleted(name));
  }

  @Override
  public void exchangeBind(
      String destination, String source, String routingKey, Map<String, ?> arguments) {
    recorded(
        c -> c.exchangeBind(destination, source, routingKey, arguments),
        () ->
            connection.topology().bound(binding(true, destination, source, routingKey, arguments)));
  }

  @Override
  public void exchangeUnbind(
      String destination, String source, String routingKey, Map<String, ?> arguments) {
    recorded(
        c -> c.exchangeUnbind(destination, source, routingKey, arguments),
        () ->
            connection
                .topology()
                .unbound(binding(true, destination, source, routingKey, arguments)));
  }

  /**
   * Makes a change, then records it for recovery. Should the connection fail in between, a recovery
   * may have restored things without it: the change is made again on the new channel (declarations,
   * bindings, deletes, qos and the select methods are idempotent).
   */
  private void recorded(java.util.function.Consumer<AmqpChannel> change, Runnable record) {
    AmqpChannel[] on = new AmqpChannel[1];
    run(
        c -> {
          on[0] = c;
          change.accept(c);
        });
    record.run();
    if (current() != on[0]) run(change);
  }

  private static TopologyRecord.Binding binding(
      boolean toExchange,
      String destination,
      String source,
      String routingKey,
      Map<String, ?> arguments) {
    return new TopologyRecord.Binding(
        toExchange, destination, source, routingKey, arguments == null ? Map.of() : arguments);
  }

  @Override
  public QueueDeclareOk queueDeclare(QueueSpec spec) {
    if (!spec.name().isEmpty()) {
      QueueDeclareOk[] ok = new QueueDeclareOk[1];
      recorded(
          c -> ok[0] = c.queueDeclare(spec),
          () -> connection.topology().queueDeclared(spec, spec.name()));
      return ok[0];
    }
    // A server-named queue has no name to declare again: a new one comes with the next recovery.
    QueueDeclareOk ok = call(c -> c.queueDeclare(spec));
    connection.topology().queueDeclared(spec, ok.queue());
    return ok;
  }

  @Override
  public void queueDeclareNoWait(QueueSpec spec) {
    recorded(
        c -> c.queueDeclareNoWait(spec),
        () -> connection.topology().queueDeclared(spec, spec.name()));
  }

  @Override
  public QueueDeclareOk queueDeclarePassive(String name) {
    return call(c -> c.queueDeclarePassive(name));
  }

  @Override
  public void queueBind(
      String queue, String exchange, String routingKey, Map<String, ?> arguments) {
    recorded(
        c -> c.queueBind(queue, exchange, routingKey, arguments),
        () -> connection.topology().bound(binding(false, queue, exchange, routingKey, arguments)));
  }

  @Override
  public void queueBindNoWait(
      String queue, String exchange, String routingKey, Map<String, ?> arguments) {
    recorded(
        c -> c.queueBindNoWait(queue, exchange, routingKey, arguments),
        () -> connection.topology().bound(binding(false, queue, exchange, routingKey, arguments)));
  }

  @Override
  public void queueUnbind(
      String queue, String exchange, String routingKey, Map<String, ?> arguments) {
    recorded(
        c -> c.queueUnbind(queue, exchange, routingKey, arguments),
        () ->
            connection.topology().unbound(binding(false, queue, exchange, routingKey, arguments)));
  }

  @Override
  public long queuePurge(String queue) {
    return call(c -> c.queuePurge(queue));
  }

  @Override
  public long queueDelete(String queue, DeleteCondition... conditions) {
    long[] count = new long[1];
    recorded(
        c -> count[0] = Math.max(count[0], c.queueDelete(queue, conditions)),
        () -> connection.topology().queueDeleted(queue));
    return count[0];
  }

  @Override
  public void basicQos(int prefetchCount) {
    basicQos(prefetchCount, QosScope.PER_CONSUMER);
  }

  @Override
  public void basicQos(int prefetchCount, QosScope scope) {
    Objects.requireNonNull(scope, "scope == null");
    recorded(
        c -> c.basicQos(prefetchCount, scope),
        () -> {
          synchronized (lock) {
            qos.put(scope, prefetchCount);
          }
        });
  }

  @Override
  public String basicConsume(String queue, DeliveryHandler handler) {
    return basicConsume(queue, ConsumeOptions.defaults(), handler);
  }

  @Override
  public String basicConsume(String queue, ConsumeOptions options, DeliveryHandler handler) {
    Objects.requireNonNull(options, "options == null");
    Objects.requireNonNull(handler, "handler == null");
    // One handler for the consumer's whole life: the broker's cancel ends the record too.
    DeliveryHandler recorded =
        new DeliveryHandler() {
          @Override
          public void handle(Delivery delivery) throws Exception {
            handler.handle(delivery);
          }

          @Override
          public void cancelled(String consumerTag, CloseInitiator initiator) {
            RecordedConsumer consumer;
            synchronized (lock) {
              consumer = consumers.get(consumerTag);
            }
            if (consumer != null) forgetConsumer(consumerTag, consumer);
            handler.cancelled(consumerTag, initiator);
          }
        };
    // Recorded before it starts, under a tag of our own when none is given: a failure right
    // after the broker's consume-ok must not leave a consumer that recovery does not know.
    String tag =
        options.consumerTag().isEmpty()
            ? "amqpkit-" + java.util.UUID.randomUUID()
            : options.consumerTag();
    RecordedConsumer record = new RecordedConsumer(queue, options, recorded);
    synchronized (lock) {
      if (consumers.containsKey(tag)) {
        throw new IllegalArgumentException(
            "consumer tag '" + tag + "' is already used on this channel");
      }
      consumers.put(tag, record);
    }
    connection.topology().consumerStarted(queue);
    try {
      // Started already if a recovery took the record meanwhile.
      call(
          c ->
              c.hasConsumer(tag) ? tag : c.basicConsume(queue, options.consumerTag(tag), recorded));
    } catch (RuntimeException e) {
      forgetConsumer(tag, record);
      throw e;
    }
    return tag;
  }

  private void forgetConsumer(String tag, RecordedConsumer consumer) {
    boolean removed;
    synchronized (lock) {
      removed = consumers.remove(tag, consumer);
    }
    if (removed) connection.topology().consumerEnded(consumer.queue);
  }

  @Override
  public void basicCancel(String consumerTag) {
    RecordedConsumer consumer;
    synchronized (lock) {
      consumer = consumers.get(consumerTag);
    }
    // Forgotten first: a failure during the cancel must not bring the consumer back.
    if (consumer != null) forgetConsumer(consumerTag, consumer);
    AmqpChannel channel = awaitCurrent(deadline());
    // A recovery in between restored the channel without it: nothing to cancel there.
    boolean gone = consumer != null && !channel.hasConsumer(consumerTag);
    if (!gone) {
      try {
        channel.basicCancel(consumerTag);
        return;
      } catch (ChannelClosedException | ConnectionClosedException e) {
        if (!lost(e)) throw closedBy(e);
      }
    }
    // The consumer ended with its connection and will not come back.
    if (consumer != null) {
      callbacks.execute(() -> consumer.handler.cancelled(consumerTag, CloseInitiator.APPLICATION));
    }
  }

  // ---- publishing ----

  @Override
  public void basicPublish(
      String exchange, String routingKey, BasicProperties properties, byte[] body) {
    publish(exchange, routingKey, false, properties, body, false);
  }

  @Override
  public void basicPublishMandatory(
      String exchange, String routingKey, BasicProperties properties, byte[] body) {
    publish(exchange, routingKey, true, properties, body, false);
  }

  @Override
  public CompletableFuture<Void> basicPublishWithConfirm(
      String exchange, String routingKey, BasicProperties properties, byte[] body) {
    return publish(exchange, routingKey, false, properties, body, true);
  }

  @Override
  public CompletableFuture<Void> basicPublishMandatoryWithConfirm(
      String exchange, String routingKey, BasicProperties properties, byte[] body) {
    return publish(exchange, routingKey, true, properties, body, true);
  }

  /**
   * Publishes now, or, while the connection recovers, keeps the publish to send once it is back. In
   * confirm mode the publish is retained until confirmed. Returns the retained publish, or null
   * when none was needed (outside confirm mode, on a live connection).
   */
  private RetainedPublish publish(
      String exchange,
      String routingKey,
      boolean mandatory,
      BasicProperties properties,
      byte[] body,
      boolean withFuture) {
    Objects.requireNonNull(exchange, "exchange == null (the default exchange is \"\")");
    Objects.requireNonNull(routingKey, "routingKey == null");
    Objects.requireNonNull(body, "body == null");
    BasicProperties props = properties == null ? BasicProperties.EMPTY : properties;
    long deadline = deadline();
    RetainedPublish retained = null;
    while (true) {
      AmqpChannel channel;
      synchronized (lock) {
        if (closeCause != null) throw closeCause;
        if (withFuture && confirmLimit == 0) {
          throw new IllegalStateException(
              "channel " + lastNumber + " is not in confirm mode: call confirmSelect first");
        }
        boolean keep = restoring || replaying || current == null;
        if (keep && transactional) {
          throw new ConnectionRecoveringException(
              "channel "
                  + lastNumber
                  + " is transactional and its connection is recovering: a publish now would"
                  + " join a transaction whose fate is unknown; nothing of it was sent",
              null);
        }
        // A retained publish survives a failure; outside confirm mode only a kept one needs to.
        if (retained == null && (confirmLimit > 0 || keep)) {
          retained = new RetainedPublish(exchange, routingKey, mandatory, props, body, withFuture);
          retained.order = nextOrder++;
        }
        if (keep && buffer(retained, deadline)) return retained;
        channel = current;
        if (retained != null) retained.sentOn = channel;
        if (transactional) txWork = true;
      }
      try {
        if (retained != null) {
          channel.publish(retained);
        } else if (mandatory) {
          channel.basicPublishMandatory(exchange, routingKey, props, body);
        } else {
          channel.basicPublish(exchange, routingKey, props, body);
        }
        return retained;
      } catch (AmqpTimeoutException e) {
        synchronized (lock) {
          // A large body timed out just as the channel failed, and was handed over anyway.
          if (retained != null && retained.waiting) return retained;
        }
        throw e;
      } catch (ChannelClosedException | ConnectionClosedException e) {
        if (!lost(e)) throw closedBy(e);
        synchronized (lock) {
          // Queued on that channel before it failed: handed over to be sent again. Or sent again
          // already, on another.
          if (retained != null && (retained.sentOn != channel || retained.sequence > 0)) {
            return retained;
          }
          // Not queued: kept with what is published while recovering, once the connection says
          // it failed (next time round).
          while (current == channel && !restoring && closeCause == null) awaitChange(deadline);
        }
      }
    }
  }

  /**
   * Keeps a publish made while recovering, waiting for room in the buffer; returns false, keeping
   * nothing, if recovery ends meanwhile. Holds the lock.
   */
  private boolean buffer(RetainedPublish publish, long deadline) {
    int limit = connection.options().recovery().bufferedPublishes();
    if (limit == 0) {
      throw new ConnectionRecoveringException(
          "channel "
              + lastNumber
              + ": the connection is recovering, and publishes made meanwhile fail at once"
              + " (Recovery.bufferedPublishes is 0); nothing of this one was sent",
          null);
    }
    while (buffered >= limit) {
      try {
        awaitChange(deadline);
      } catch (AmqpTimeoutException e) {
        throw new AmqpTimeoutException(
            "channel "
                + lastNumber
                + ": the connection is recovering and "
                + limit
                + " publishes already wait to be sent; this one was not taken within "
                + connection.options().rpcTimeout());
      }
      if (closeCause != null) throw closeCause;
      if (!restoring && !replaying && current != null) return false;
    }
    publish.buffered = true;
    publish.waiting = true;
    buffered++;
    toSend.add(publish);
    return true;
  }

  // ---- consuming ----

  @Override
  public Optional<Delivery> basicGet(String queue) {
    return call(c -> c.basicGet(queue));
  }

  @Override
  public Optional<Delivery> basicGetAutoAck(String queue) {
    return call(c -> c.basicGetAutoAck(queue));
  }

  /**
   * An acknowledgement: dropped for a delivery from before a recovery, and if the connection fails
   * under it (the broker redelivers the message either way).
   */
  private void acknowledge(long deliveryTag, java.util.function.ObjLongConsumer<AmqpChannel> op) {
    AmqpChannel channel = awaitCurrent(deadline());
    if (transactional()) txWork = true;
    long offset = channel.deliveryTagOffset();
    if (deliveryTag <= offset) {
      stale(deliveryTag);
      return;
    }
    try {
      op.accept(channel, deliveryTag - offset);
    } catch (ChannelClosedException | ConnectionClosedException e) {
      if (!lost(e)) throw closedBy(e);
      stale(deliveryTag);
    }
  }

  private void stale(long deliveryTag) {
    log.debug(
        "channel {}: delivery {} came before the connection recovered; the broker redelivers its"
            + " message, so this acknowledgement is dropped",
        lastNumber,
        deliveryTag);
    callbacks.execute(
        () -> {
          for (ChannelListener l : listeners) l.staleAcknowledgement(deliveryTag);
        });
  }

  @Override
  public void basicAck(long deliveryTag) {
    acknowledge(deliveryTag, AmqpChannel::basicAck);
  }

  @Override
  public void basicAckUpTo(long deliveryTag) {
    acknowledge(deliveryTag, AmqpChannel::basicAckUpTo);
  }

  @Override
  public void basicNack(long deliveryTag, Requeue requeue) {
    acknowledge(deliveryTag, (c, tag) -> c.basicNack(tag, requeue));
  }

  @Override
  public void basicNackUpTo(long deliveryTag, Requeue requeue) {
    acknowledge(deliveryTag, (c, tag) -> c.basicNackUpTo(tag, requeue));
  }

  @Override
  public void basicReject(long deliveryTag, Requeue requeue) {
    acknowledge(deliveryTag, (c, tag) -> c.basicReject(tag, requeue));
  }

  @Override
  public void basicRecover(Requeue requeue) {
    run(c -> c.basicRecover(requeue));
  }

  // ---- confirms and transactions ----

  @Override
  public void confirmSelect() {
    confirmSelect(DEFAULT_MAX_UNCONFIRMED);
  }

  @Override
  public void confirmSelect(int maxUnconfirmed) {
    recorded(
        c -> c.confirmSelect(maxUnconfirmed),
        () -> {
          synchronized (lock) {
            confirmLimit = maxUnconfirmed;
          }
        });
  }

  /** Numbers keep growing across recoveries; a publish sent again gets a new one. */
  @Override
  public long nextPublishSequenceNumber() {
    long deadline = deadline();
    while (true) {
      AmqpChannel channel;
      synchronized (lock) {
        if (closeCause != null) throw closeCause;
        // After the replay: the publishes sent again take numbers first.
        if (restoring || replaying || current == null) {
          awaitChange(deadline);
          continue;
        }
        channel = current;
      }
      long next = channel.nextPublishSequenceNumber();
      synchronized (lock) {
        if (current == channel) return next == 0 ? 0 : sequenceOffset + next;
      }
    }
  }

  @Override
  public void addConfirmListener(ConfirmListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    synchronized (lock) {
      boolean first = confirmListeners.isEmpty();
      confirmListeners.add(listener);
      if (first && current != null) current.addConfirmListener(confirmBridge);
    }
  }

  /**
   * Waits until the broker has answered every publish so far, those sent again after a recovery
   * included: on the channel of the moment, again on the next one if the connection fails
   * meanwhile. A nack is reported with its number as confirm listeners see it.
   */
  @Override
  public void waitForConfirms(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      AmqpChannel channel;
      long base;
      synchronized (lock) {
        if (closeCause != null) throw closeCause;
        if (confirmLimit == 0) {
          throw new IllegalStateException("channel " + lastNumber + " is not in confirm mode");
        }
        channel = restoring || replaying ? null : current;
        if (channel == null) {
          awaitChange(deadline);
          continue;
        }
        base = sequenceOffset;
      }
      long nacked = 0;
      try {
        channel.waitForConfirms(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      } catch (ChannelClosedException e) {
        if (!lost(e)) throw closedBy(e);
        synchronized (lock) {
          while (current == channel && !restoring && closeCause == null) awaitChange(deadline);
        }
        continue;
      } catch (PublishNackedException e) {
        nacked = base + e.sequenceNumber();
      }
      synchronized (lock) {
        // The first nack goes first: one a failed channel had not reported yet, if any.
        long first = unreportedNack != 0 ? unreportedNack : nacked;
        unreportedNack = unreportedNack != 0 ? nacked : 0;
        if (first != 0) throw new PublishNackedException(first);
      }
      return;
    }
  }

  @Override
  public void txSelect() {
    recorded(
        AmqpChannel::txSelect,
        () -> {
          synchronized (lock) {
            transactional = true;
          }
        });
  }

  @Override
  public void txCommit() {
    endTransaction("a commit", AmqpChannel::txCommit);
  }

  @Override
  public void txRollback() {
    endTransaction("a rollback", AmqpChannel::txRollback);
  }

  private boolean transactional() {
    synchronized (lock) {
      return transactional;
    }
  }

  /**
   * Commits or rolls back, once. If the connection failed while the transaction had work, the
   * broker rolled it back: the call fails saying so, after rolling back what was done since the
   * recovery, so that the application starts the transaction afresh.
   */
  private void endTransaction(String what, java.util.function.Consumer<AmqpChannel> op) {
    boolean lostWork;
    synchronized (lock) {
      lostWork = txLost;
      txLost = false;
    }
    if (lostWork) {
      callOnce(
          "a rollback",
          c -> {
            c.txRollback();
            return null;
          });
      txWork = false;
      throw new ConnectionRecoveringException(
          "channel "
              + lastNumber
              + ": the connection failed during the transaction, and the broker rolled back its"
              + " work; what was done since the recovery is rolled back too: do the transaction's"
              + " work again",
          null);
    }
    try {
      callOnce(
          what,
          c -> {
            op.accept(c);
            return null;
          });
    } finally {
      txWork = false; // done, or its outcome is unknown: either way the work is not pending
    }
  }

  @Override
  public void channelFlow(boolean active) {
    run(c -> c.channelFlow(active));
  }

  @Override
  public void close() {
    AmqpChannel channel;
    ChannelClosedException cause =
        new ChannelClosedException(
            lastNumber, new CloseReason(200, "Goodbye", 0, 0), CloseInitiator.APPLICATION, null);
    synchronized (lock) {
      if (closeCause != null) return;
      channel = current;
    }
    closedForGood(cause);
    if (channel != null && channel.isOpen()) {
      try {
        channel.close();
      } catch (ChannelClosedException | ConnectionClosedException | AmqpTimeoutException e) {
        // Gone with its connection, or the broker is slow: closed here either way.
      }
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "Channel{"
          + lastNumber
          + (closeCause != null ? " closed" : restoring || replaying ? " recovering" : "")
          + "}";
    }
  }
}
