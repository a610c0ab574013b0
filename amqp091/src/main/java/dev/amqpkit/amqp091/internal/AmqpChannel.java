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
import dev.amqpkit.amqp091.ConsumeOptions;
import dev.amqpkit.amqp091.DeleteCondition;
import dev.amqpkit.amqp091.Delivery;
import dev.amqpkit.amqp091.DeliveryHandler;
import dev.amqpkit.amqp091.ExchangeSpec;
import dev.amqpkit.amqp091.MessageTooLargeException;
import dev.amqpkit.amqp091.PublishNackedException;
import dev.amqpkit.amqp091.PublishReturnedException;
import dev.amqpkit.amqp091.QosScope;
import dev.amqpkit.amqp091.QueueDeclareOk;
import dev.amqpkit.amqp091.QueueSpec;
import dev.amqpkit.amqp091.Requeue;
import dev.amqpkit.amqp091.ReturnedMessage;
import dev.amqpkit.common.internal.SerialExecutor;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel. The reader thread calls {@link #handleFrame}; application threads call the {@link
 * Channel} methods. Synchronous methods take the RPC permit, so one is on the wire at a time.
 */
final class AmqpChannel implements Channel {
  private static final Logger log = LoggerFactory.getLogger(AmqpChannel.class);

  private final AmqpConnection connection;
  private final int number;
  private final SerialExecutor callbacks;
  private final Semaphore rpcPermit = new Semaphore(1, true);
  private final List<ChannelListener> listeners = new CopyOnWriteArrayList<>();
  private final List<ConfirmListener> confirmListeners = new CopyOnWriteArrayList<>();
  private final Map<String, DeliveryHandler> consumers = new ConcurrentHashMap<>();
  private final Object closeLock = new Object();

  private volatile ChannelClosedException closeCause;
  private volatile Rpc pending;

  // For a channel that recovers: what deliveries' tags are shifted by, the highest tag the broker
  // gave (written by the reader thread), and who takes unconfirmed publishes when the connection
  // fails.
  private volatile long deliveryTagOffset;
  private volatile long publishSequenceOffset; // added to the numbers a nacked future reports
  private volatile long lastDeliveryTag;
  private volatile OrphanHandler orphanHandler;

  /**
   * Takes the unconfirmed publishes of a channel whose connection failed, instead of failing them.
   */
  interface OrphanHandler {
    /**
     * Returns whether it takes {@code unconfirmed} (in publish order) to send again; if not, their
     * futures fail with {@code cause}.
     */
    boolean adopt(List<PublishWindow.PendingConfirm> unconfirmed, ChannelClosedException cause);
  }

  private final CompletableFuture<Void> closeOk = new CompletableFuture<>();

  // Publisher confirms: the unconfirmed publishes and the limit on their number.
  private volatile boolean confirmMode;
  private final PublishWindow window = new PublishWindow();

  // Content assembly, owned by the reader thread.
  private Method contentMethod;
  private BasicProperties contentProperties;
  private byte[] contentBody;
  private int contentFilled;
  private boolean expectingHeader;
  private long discardRemaining = -1;

  /** A synchronous call waiting for its reply; {@code onReply} runs on the reader thread. */
  private record Rpc(
      Method request,
      Class<? extends Method> replyType,
      CompletableFuture<Object> result,
      Consumer<Method> onReply) {}

  /** With {@code callbacks} to run its callbacks on, or null for an executor of its own. */
  AmqpChannel(AmqpConnection connection, int number, SerialExecutor callbacks) {
    this.connection = connection;
    this.number = number;
    this.callbacks =
        callbacks != null ? callbacks : new SerialExecutor(connection.callbackExecutor());
  }

  void open() {
    rpc(new Method.ChannelOpen(), Method.ChannelOpenOk.class, null);
  }

  @Override
  public int number() {
    return number;
  }

  @Override
  public boolean isOpen() {
    return closeCause == null;
  }

  @Override
  public ChannelClosedException closeCause() {
    return closeCause;
  }

  @Override
  public void addListener(ChannelListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener == null"));
  }

  // ---- exchange ----

  @Override
  public void exchangeDeclare(ExchangeSpec s) {
    rpc(exchangeDeclareMethod(s, false, false), Method.ExchangeDeclareOk.class, null);
  }

  @Override
  public void exchangeDeclareNoWait(ExchangeSpec s) {
    send(exchangeDeclareMethod(s, false, true));
  }

  @Override
  public void exchangeDeclarePassive(String name) {
    named(name, "name");

    rpc(
        exchangeDeclareMethod(ExchangeSpec.of(name, ExchangeSpec.DIRECT), true, false),
        Method.ExchangeDeclareOk.class,
        null);
  }

  private static Method exchangeDeclareMethod(ExchangeSpec s, boolean passive, boolean noWait) {
    return new Method.ExchangeDeclare(
        s.name(),
        s.type(),
        passive,
        s.isDurable(),
        s.isAutoDelete(),
        s.isInternal(),
        noWait,
        s.arguments());
  }

  @Override
  public void exchangeDelete(String name, DeleteCondition... conditions) {
    named(name, "name");

    List<DeleteCondition> c = Arrays.asList(conditions);
    if (c.contains(DeleteCondition.IF_EMPTY)) {
      throw new IllegalArgumentException(
          "an exchange holds no messages: IF_EMPTY applies to queues");
    }
    rpc(
        new Method.ExchangeDelete(name, c.contains(DeleteCondition.IF_UNUSED), false),
        Method.ExchangeDeleteOk.class,
        null);
  }

  @Override
  public void exchangeBind(
      String destination, String source, String routingKey, Map<String, ?> arguments) {
    named(destination, "destination");
    named(source, "source");
    named(routingKey, "routingKey");
    rpc(
        new Method.ExchangeBind(destination, source, routingKey, false, table(arguments)),
        Method.ExchangeBindOk.class,
        null);
  }

  @Override
  public void exchangeUnbind(
      String destination, String source, String routingKey, Map<String, ?> arguments) {
    named(destination, "destination");
    named(source, "source");
    named(routingKey, "routingKey");
    rpc(
        new Method.ExchangeUnbind(destination, source, routingKey, false, table(arguments)),
        Method.ExchangeUnbindOk.class,
        null);
  }

  // ---- queue ----

  @Override
  public QueueDeclareOk queueDeclare(QueueSpec s) {
    Method.QueueDeclareOk ok =
        rpc(
            new Method.QueueDeclare(
                s.name(),
                false,
                s.isDurable(),
                s.isExclusive(),
                s.isAutoDelete(),
                false,
                s.arguments()),
            Method.QueueDeclareOk.class,
            null);
    return new QueueDeclareOk(ok.queue(), ok.messageCount(), ok.consumerCount());
  }

  @Override
  public void queueDeclareNoWait(QueueSpec s) {
    if (s.name().isEmpty()) {
      throw new IllegalArgumentException(
          "a server-named queue cannot be declared without waiting for its name");
    }
    send(
        new Method.QueueDeclare(
            s.name(),
            false,
            s.isDurable(),
            s.isExclusive(),
            s.isAutoDelete(),
            true,
            s.arguments()));
  }

  @Override
  public QueueDeclareOk queueDeclarePassive(String name) {
    named(name, "name");

    Method.QueueDeclareOk ok =
        rpc(
            new Method.QueueDeclare(name, true, false, false, false, false, Map.of()),
            Method.QueueDeclareOk.class,
            null);
    return new QueueDeclareOk(ok.queue(), ok.messageCount(), ok.consumerCount());
  }

  @Override
  public void queueBind(
      String queue, String exchange, String routingKey, Map<String, ?> arguments) {
    named(queue, "queue");
    named(exchange, "exchange");
    named(routingKey, "routingKey");
    rpc(
        new Method.QueueBind(queue, exchange, routingKey, false, table(arguments)),
        Method.QueueBindOk.class,
        null);
  }

  @Override
  public void queueBindNoWait(
      String queue, String exchange, String routingKey, Map<String, ?> arguments) {
    named(queue, "queue");
    named(exchange, "exchange");
    named(routingKey, "routingKey");
    send(new Method.QueueBind(queue, exchange, routingKey, true, table(arguments)));
  }

  @Override
  public void queueUnbind(
      String queue, String exchange, String routingKey, Map<String, ?> arguments) {
    named(queue, "queue");
    named(exchange, "exchange");
    named(routingKey, "routingKey");
    rpc(
        new Method.QueueUnbind(queue, exchange, routingKey, table(arguments)),
        Method.QueueUnbindOk.class,
        null);
  }

  @Override
  public long queuePurge(String queue) {
    named(queue, "queue");

    return rpc(new Method.QueuePurge(queue, false), Method.QueuePurgeOk.class, null).messageCount();
  }

  @Override
  public long queueDelete(String queue, DeleteCondition... conditions) {
    named(queue, "queue");

    List<DeleteCondition> c = Arrays.asList(conditions);
    return rpc(
            new Method.QueueDelete(
                queue,
                c.contains(DeleteCondition.IF_UNUSED),
                c.contains(DeleteCondition.IF_EMPTY),
                false),
            Method.QueueDeleteOk.class,
            null)
        .messageCount();
  }

  /**
   * Rejects a null name: the method records would turn it into "", which means the default exchange
   * or the last queue declared on the channel, not what a caller passing null meant.
   */
  private static void named(String value, String what) {
    if (value == null) throw new NullPointerException(what + " == null");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> table(Map<String, ?> arguments) {
    return arguments == null ? Map.of() : (Map<String, Object>) arguments;
  }

  // ---- basic ----

  @Override
  public void basicQos(int prefetchCount) {
    basicQos(prefetchCount, QosScope.PER_CONSUMER);
  }

  @Override
  public void basicQos(int prefetchCount, QosScope scope) {
    if (prefetchCount < 0 || prefetchCount > 65535) {
      throw new IllegalArgumentException("prefetchCount must be 0..65535, not " + prefetchCount);
    }
    rpc(
        new Method.BasicQos(0, prefetchCount, scope == QosScope.PER_CHANNEL),
        Method.BasicQosOk.class,
        null);
  }

  @Override
  public String basicConsume(String queue, DeliveryHandler handler) {
    return basicConsume(queue, ConsumeOptions.defaults(), handler);
  }

  @Override
  public String basicConsume(String queue, ConsumeOptions o, DeliveryHandler handler) {
    named(queue, "queue");

    Objects.requireNonNull(handler, "handler == null");
    if (!o.consumerTag().isEmpty() && consumers.containsKey(o.consumerTag())) {
      throw new IllegalArgumentException(
          "consumer tag '" + o.consumerTag() + "' is already used on this channel");
    }
    Method.BasicConsumeOk ok =
        rpc(
            new Method.BasicConsume(
                queue,
                o.consumerTag(),
                o.isNoLocal(),
                o.isAutoAck(),
                o.isExclusive(),
                false,
                o.arguments()),
            Method.BasicConsumeOk.class,
            reply -> consumers.put(((Method.BasicConsumeOk) reply).consumerTag(), handler));
    return ok.consumerTag();
  }

  @Override
  public void basicCancel(String consumerTag) {
    named(consumerTag, "consumerTag");

    if (!consumers.containsKey(consumerTag)) {
      throw new IllegalArgumentException(
          "no consumer with tag '" + consumerTag + "' on this channel");
    }
    rpc(
        new Method.BasicCancel(consumerTag, false),
        Method.BasicCancelOk.class,
        reply ->
            consumerCancelled(
                ((Method.BasicCancelOk) reply).consumerTag(), CloseInitiator.APPLICATION));
  }

  private void consumerCancelled(String tag, CloseInitiator initiator) {
    DeliveryHandler handler = consumers.remove(tag);
    if (handler != null) callbacks.execute(() -> handler.cancelled(tag, initiator));
  }

  @Override
  public void basicPublish(
      String exchange, String routingKey, BasicProperties properties, byte[] body) {
    publish(exchange, routingKey, false, properties, body, lengthOf(body), PublishWindow.NO_FUTURE);
  }

  @Override
  public void basicPublishMandatory(
      String exchange, String routingKey, BasicProperties properties, byte[] body) {
    publish(exchange, routingKey, true, properties, body, lengthOf(body), PublishWindow.NO_FUTURE);
  }

  @Override
  public CompletableFuture<Void> basicPublishWithConfirm(
      String exchange, String routingKey, BasicProperties properties, byte[] body) {
    return publishWithConfirm(exchange, routingKey, false, properties, body);
  }

  @Override
  public CompletableFuture<Void> basicPublishMandatoryWithConfirm(
      String exchange, String routingKey, BasicProperties properties, byte[] body) {
    return publishWithConfirm(exchange, routingKey, true, properties, body);
  }

  private CompletableFuture<Void> publishWithConfirm(
      String exchange,
      String routingKey,
      boolean mandatory,
      BasicProperties properties,
      byte[] body) {
    if (!confirmMode) {
      throw new IllegalStateException(
          "channel " + number + " is not in confirm mode: call confirmSelect first");
    }
    PublishWindow.PendingConfirm confirm = new PublishWindow.PendingConfirm();
    if (mandatory) {
      confirm.mandatoryExchange = exchange;
      confirm.mandatoryRoutingKey = routingKey;
    }
    publish(exchange, routingKey, mandatory, properties, body, lengthOf(body), confirm);
    return confirm;
  }

  /**
   * Publishes the first {@code bodyLength} bytes of {@code body}; in confirm mode the publish takes
   * a place in the window, with {@code confirm} as its future or {@link PublishWindow#NO_FUTURE}
   * for none.
   */
  private void publish(
      String exchange,
      String routingKey,
      boolean mandatory,
      BasicProperties properties,
      byte[] body,
      int bodyLength,
      PublishWindow.PendingConfirm confirm) {
    checkPublish(exchange, routingKey, body);
    BasicProperties props = properties == null ? BasicProperties.EMPTY : properties;
    if (!confirmMode) {
      connection.sendPublish(
          number, exchange, routingKey, mandatory, props, body, bodyLength, null, null);
      return;
    }
    window.reserve(connection.options.rpcTimeout(), number);
    long sequence;
    try {
      sequence =
          connection.sendPublish(
              number, exchange, routingKey, mandatory, props, body, bodyLength, window, confirm);
    } catch (RuntimeException e) {
      // Not queued: nothing was sent, and the place is free again. Queued: the connection failed
      // while writing it and has closed the channel, failing its future; the closed window no
      // longer counts places.
      window.unreserve();
      throw e;
    }
    if (sequence < 0) throw closeCause; // queued as the channel closed: nothing will confirm it
  }

  private static int lengthOf(byte[] body) {
    return Objects.requireNonNull(body, "body == null").length;
  }

  private void checkPublish(String exchange, String routingKey, byte[] body) {
    Objects.requireNonNull(exchange, "exchange == null (the default exchange is \"\")");
    Objects.requireNonNull(routingKey, "routingKey == null");
    Objects.requireNonNull(body, "body == null");
    ensureOpen();
  }

  @Override
  public Optional<Delivery> basicGet(String queue) {
    return get(queue, false);
  }

  @Override
  public Optional<Delivery> basicGetAutoAck(String queue) {
    return get(queue, true);
  }

  private Optional<Delivery> get(String queue, boolean autoAck) {
    named(queue, "queue");
    Object reply = rpcRaw(new Method.BasicGet(queue, autoAck), Method.BasicGetOk.class, null);
    return reply instanceof Delivery d ? Optional.of(d) : Optional.empty();
  }

  @Override
  public void basicAck(long deliveryTag) {
    send(new Method.BasicAck(deliveryTag, false));
  }

  @Override
  public void basicAckUpTo(long deliveryTag) {
    send(new Method.BasicAck(deliveryTag, true));
  }

  @Override
  public void basicNack(long deliveryTag, Requeue requeue) {
    send(new Method.BasicNack(deliveryTag, false, requeue == Requeue.REQUEUE));
  }

  @Override
  public void basicNackUpTo(long deliveryTag, Requeue requeue) {
    send(new Method.BasicNack(deliveryTag, true, requeue == Requeue.REQUEUE));
  }

  @Override
  public void basicReject(long deliveryTag, Requeue requeue) {
    send(new Method.BasicReject(deliveryTag, requeue == Requeue.REQUEUE));
  }

  @Override
  public void basicRecover(Requeue requeue) {
    rpc(new Method.BasicRecover(requeue == Requeue.REQUEUE), Method.BasicRecoverOk.class, null);
  }

  // ---- confirm ----

  @Override
  public void confirmSelect() {
    confirmSelect(DEFAULT_MAX_UNCONFIRMED);
  }

  @Override
  public void confirmSelect(int maxUnconfirmed) {
    if (maxUnconfirmed < 1) {
      throw new IllegalArgumentException("maxUnconfirmed must be at least 1: " + maxUnconfirmed);
    }
    window.limit(maxUnconfirmed);
    if (confirmMode) return;
    rpc(new Method.ConfirmSelect(false), Method.ConfirmSelectOk.class, reply -> confirmMode = true);
  }

  @Override
  public long nextPublishSequenceNumber() {
    return confirmMode ? window.nextSequence() : 0;
  }

  @Override
  public void addConfirmListener(ConfirmListener listener) {
    confirmListeners.add(Objects.requireNonNull(listener, "listener == null"));
  }

  @Override
  public void waitForConfirms(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    if (!confirmMode)
      throw new IllegalStateException("channel " + number + " is not in confirm mode");
    window.awaitSettled(timeout, number);
  }

  private void confirm(long sequence, boolean multiple, boolean ack) {
    PublishWindow.PendingConfirm settled = window.settle(sequence, multiple, ack);
    if (settled == null && confirmListeners.isEmpty()) return;
    // Completing a future runs what the application chained to it: never on the I/O thread.
    // One task per confirm frame, in arrival order, with the listeners.
    connection.dispatch(
        callbacks,
        () -> {
          PublishWindow.PendingConfirm next;
          for (PublishWindow.PendingConfirm f = settled; f != null; f = next) {
            next = f.next;
            f.next = null; // a future the application keeps must not keep the others
            if (f instanceof RetainedPublish r) r.release(); // nor a copy of its body
            if (!ack) {
              f.completeExceptionally(
                  new PublishNackedException(publishSequenceOffset + f.sequence));
            } else if (f.returned != null) {
              f.completeExceptionally(new PublishReturnedException(f.returned));
            } else {
              f.complete(null);
            }
          }
          if (confirmListeners.isEmpty()) return; // iterating would allocate
          for (ConfirmListener l : confirmListeners) {
            if (ack) l.acked(sequence, multiple);
            else l.nacked(sequence, multiple);
          }
        });
  }

  // ---- tx ----

  @Override
  public void txSelect() {
    rpc(new Method.TxSelect(), Method.TxSelectOk.class, null);
  }

  @Override
  public void txCommit() {
    rpc(new Method.TxCommit(), Method.TxCommitOk.class, null);
  }

  @Override
  public void txRollback() {
    rpc(new Method.TxRollback(), Method.TxRollbackOk.class, null);
  }

  @Override
  public void channelFlow(boolean active) {
    rpc(new Method.ChannelFlow(active), Method.ChannelFlowOk.class, null);
  }

  // ---- close ----

  @Override
  public void close() {
    if (closeCause != null) return;
    ChannelClosedException byApplication =
        new ChannelClosedException(
            number, new CloseReason(200, "Goodbye", 0, 0), CloseInitiator.APPLICATION, null);
    try {
      connection.send(number, new Method.ChannelClose(200, "Goodbye", 0, 0));
    } catch (ConnectionClosedException e) {
      return; // the connection closed the channel already
    }
    markClosed(byApplication);
    try {
      closeOk.get(connection.options.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AmqpTimeoutException(
          "channel " + number + ": no close-ok within " + connection.options.closeTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // never completed exceptionally
    }
  }

  void connectionClosed(ConnectionClosedException cause) {
    markClosed(new ChannelClosedException(number, cause.reason(), initiatorOf(cause), cause));
    closeOk.complete(null);
  }

  private static CloseInitiator initiatorOf(ConnectionClosedException cause) {
    return cause.initiator() == CloseInitiator.APPLICATION
        ? CloseInitiator.APPLICATION
        : CloseInitiator.NETWORK;
  }

  /** Records why the channel closed and fails everything waiting on it. Once. */
  private void markClosed(ChannelClosedException cause) {
    synchronized (closeLock) {
      if (closeCause != null) return;
      closeCause = cause;
    }
    Rpc rpc = pending;
    if (rpc != null) rpc.result.completeExceptionally(cause);
    List<PublishWindow.PendingConfirm> failed = window.close(cause);
    OrphanHandler orphans = orphanHandler;
    if (orphans != null && orphans.adopt(failed, cause)) failed = List.of();
    if (!failed.isEmpty()) {
      List<PublishWindow.PendingConfirm> unconfirmed = failed;
      callbacks.execute(
          () -> {
            for (PublishWindow.PendingConfirm f : unconfirmed) f.completeExceptionally(cause);
          });
    }
    callbacks.execute(
        () -> {
          for (ChannelListener l : listeners) l.closed(cause);
        });
  }

  private void ensureOpen() {
    ChannelClosedException cause = closeCause;
    if (cause != null) throw cause;
  }

  // ---- RPC ----

  private void send(Method method) {
    ensureOpen();
    connection.send(number, method);
  }

  private <T extends Method> T rpc(Method request, Class<T> replyType, Consumer<Method> onReply) {
    return replyType.cast(rpcRaw(request, replyType, onReply));
  }

  /** Sends a method and waits for its reply; the reply object may be a Delivery for basic.get. */
  private Object rpcRaw(
      Method request, Class<? extends Method> replyType, Consumer<Method> onReply) {
    long timeoutNanos = connection.options.rpcTimeout().toNanos();
    try {
      if (!rpcPermit.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)) {
        throw new AmqpTimeoutException(
            request.name()
                + " on channel "
                + number
                + " waited "
                + connection.options.rpcTimeout()
                + " for its turn");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AmqpException("interrupted before " + request.name(), e);
    }
    try {
      ensureOpen();
      Rpc rpc = new Rpc(request, replyType, new CompletableFuture<>(), onReply);
      pending = rpc;
      if (closeCause != null) rpc.result.completeExceptionally(closeCause);
      connection.send(number, request);
      try {
        // Each wait has its own bound (Channel's contract): the turn, the room, then the reply.
        return rpc.result.get(timeoutNanos, TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        // The reply may still come and would be taken for the next call's: the channel is unusable.
        AmqpTimeoutException timeout =
            new AmqpTimeoutException(
                request.name()
                    + " on channel "
                    + number
                    + ": no reply within "
                    + connection.options.rpcTimeout()
                    + "; the channel is closed");
        abandon(timeout);
        throw timeout;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AmqpException("interrupted while waiting for " + request.name(), e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof ChannelClosedException c) {
          // Rethrow a fresh exception so the stack shows this call.
          throw new ChannelClosedException(c.channelNumber(), c.reason(), c.initiator(), c);
        }
        if (cause instanceof AmqpException a) throw a;
        throw new AmqpException(request.name() + " failed", cause);
      } finally {
        pending = null;
      }
    } catch (ConnectionClosedException e) {
      ChannelClosedException cause = closeCause;
      throw cause != null
          ? new ChannelClosedException(number, cause.reason(), cause.initiator(), e)
          : e;
    } finally {
      rpcPermit.release();
    }
  }

  private void abandon(AmqpTimeoutException timeout) {
    try {
      connection.send(number, new Method.ChannelClose(200, "rpc timeout", 0, 0));
    } catch (RuntimeException ignored) {
      // closed already
    }
    markClosed(
        new ChannelClosedException(
            number, new CloseReason(200, "rpc timeout", 0, 0), CloseInitiator.CLIENT, timeout));
  }

  // ---- inbound, on the reader thread ----

  void handleFrame(int type, Decoder d) throws MalformedFrameException, IOException {
    if (discardRemaining >= 0 && type != 1) {
      discardContent(type, d);
      return;
    }
    switch (type) {
      case 1 -> {
        if (contentMethod != null) {
          throw new MalformedFrameException(
              MalformedFrameException.UNEXPECTED_FRAME,
              "method frame on channel "
                  + number
                  + " while the content of "
                  + contentMethod.name()
                  + " is incomplete");
        }
        discardRemaining = -1;
        handleMethod(Method.decode(d));
      }
      case 2 -> handleHeader(d);
      case 3 -> handleBody(d);
      default ->
          throw new MalformedFrameException(
              MalformedFrameException.FRAME_ERROR,
              "unknown frame type " + type + " on channel " + number);
    }
  }

  private void handleMethod(Method m) throws MalformedFrameException, IOException {
    if (m.hasContent()) {
      if (!(m instanceof Method.BasicDeliver
          || m instanceof Method.BasicReturn
          || m instanceof Method.BasicGetOk)) {
        throw new MalformedFrameException(
            MalformedFrameException.UNEXPECTED_FRAME, m.name() + " from the broker");
      }
      contentMethod = m;
      expectingHeader = true;
      return;
    }
    if (m instanceof Method.BasicAck ack) {
      confirm(ack.deliveryTag(), ack.multiple(), true);
    } else if (m instanceof Method.BasicNack nack) {
      confirm(nack.deliveryTag(), nack.multiple(), false);
    } else if (m instanceof Method.ChannelClose close) {
      connection.sendReply(number, new Method.ChannelCloseOk());
      connection.release(number);
      markClosed(
          new ChannelClosedException(
              number,
              new CloseReason(
                  close.replyCode(), close.replyText(), close.classId(), close.methodId()),
              CloseInitiator.BROKER,
              null));
      closeOk.complete(null);
    } else if (m instanceof Method.ChannelCloseOk) {
      connection.release(number);
      closeOk.complete(null);
    } else if (m instanceof Method.BasicCancel cancel) {
      if (!cancel.noWait()) {
        connection.sendReply(number, new Method.BasicCancelOk(cancel.consumerTag()));
      }
      consumerCancelled(cancel.consumerTag(), CloseInitiator.BROKER);
    } else if (m instanceof Method.ChannelFlow flow) {
      connection.sendReply(number, new Method.ChannelFlowOk(flow.active()));
      callbacks.execute(() -> listeners.forEach(l -> l.flow(flow.active())));
    } else if (m instanceof Method.BasicGetEmpty) {
      completeRpc(m, null);
    } else {
      completeRpc(m, m);
    }
  }

  private void completeRpc(Method reply, Object result) throws MalformedFrameException {
    Rpc rpc = pending;
    if (rpc == null
        || !(rpc.replyType.isInstance(reply)
            || reply instanceof Method.BasicGetEmpty && rpc.request instanceof Method.BasicGet)) {
      if (closeCause != null) return; // a late reply to a call we gave up on
      throw new MalformedFrameException(
          MalformedFrameException.UNEXPECTED_FRAME,
          "unexpected "
              + reply.name()
              + " on channel "
              + number
              + (rpc == null ? "" : " while waiting for the reply to " + rpc.request.name()));
    }
    if (rpc.onReply != null) rpc.onReply.accept(reply);
    rpc.result.complete(result);
  }

  private void handleHeader(Decoder d) throws MalformedFrameException, IOException {
    if (contentMethod == null || !expectingHeader) {
      throw new MalformedFrameException(
          MalformedFrameException.UNEXPECTED_FRAME,
          "content header on channel " + number + " with no method before it");
    }
    ContentHeader.Decoded header = ContentHeader.decode(d);
    expectingHeader = false;
    long limit = connection.options.maxInboundMessageSize();
    if (header.bodySize() > limit || header.bodySize() > Integer.MAX_VALUE - 16) {
      tooLarge(header.bodySize(), limit);
      return;
    }
    contentProperties = header.properties();
    contentBody = new byte[(int) header.bodySize()];
    contentFilled = 0;
    if (header.bodySize() == 0) contentComplete();
  }

  private void tooLarge(long size, long limit) throws IOException {
    String text = "message of " + size + " bytes is over the inbound limit of " + limit;
    MessageTooLargeException tooLarge =
        new MessageTooLargeException("channel " + number + ": " + text, size, limit);
    discardRemaining = size;
    contentMethod = null;
    if (discardRemaining == 0) discardRemaining = -1;
    connection.sendReply(number, new Method.ChannelClose(311, text, 60, 60));
    markClosed(
        new ChannelClosedException(
            number, new CloseReason(311, text, 60, 60), CloseInitiator.CLIENT, tooLarge));
  }

  private void discardContent(int type, Decoder d) throws MalformedFrameException {
    if (type != 3) {
      throw new MalformedFrameException(
          MalformedFrameException.UNEXPECTED_FRAME, "frame of type " + type + " inside content");
    }
    discardRemaining -= d.remaining();
    if (discardRemaining <= 0) discardRemaining = -1;
  }

  private void handleBody(Decoder d) throws MalformedFrameException {
    if (contentMethod == null || expectingHeader) {
      throw new MalformedFrameException(
          MalformedFrameException.UNEXPECTED_FRAME,
          "content body on channel " + number + " with no content header before it");
    }
    int length = d.remaining();
    if (length > contentBody.length - contentFilled) {
      throw new MalformedFrameException(
          MalformedFrameException.UNEXPECTED_FRAME,
          "content body runs past the " + contentBody.length + " bytes its header declared");
    }
    d.copyTo(contentBody, contentFilled, length);
    contentFilled += length;
    if (contentFilled == contentBody.length) contentComplete();
  }

  private void contentComplete() throws MalformedFrameException {
    Method m = contentMethod;
    BasicProperties props = contentProperties;
    byte[] body = contentBody;
    contentMethod = null;
    contentProperties = null;
    contentBody = null;
    // Before the check: a recovering channel that reads this after the close must count it.
    if (m instanceof Method.BasicDeliver deliver) lastDeliveryTag = deliver.deliveryTag();
    if (closeCause != null) return;
    if (m instanceof Method.BasicDeliver deliver) {
      DeliveryHandler handler = consumers.get(deliver.consumerTag());
      if (handler == null) {
        throw new MalformedFrameException(
            MalformedFrameException.UNEXPECTED_FRAME,
            "delivery for unknown consumer '" + deliver.consumerTag() + "' on channel " + number);
      }
      Delivery delivery =
          new Delivery(
              deliver.consumerTag(),
              deliver.deliveryTag() + deliveryTagOffset,
              deliver.redelivered(),
              deliver.exchange(),
              deliver.routingKey(),
              props,
              body,
              -1);
      connection.dispatch(callbacks, () -> deliver(handler, delivery));
    } else if (m instanceof Method.BasicReturn ret) {
      ReturnedMessage returned =
          new ReturnedMessage(
              ret.replyCode(), ret.replyText(), ret.exchange(), ret.routingKey(), props, body);
      if (confirmMode) window.returned(returned); // its future fails once the broker confirms it
      connection.dispatch(callbacks, () -> listeners.forEach(l -> l.returned(returned)));
    } else if (m instanceof Method.BasicGetOk ok) {
      lastDeliveryTag = ok.deliveryTag();
      completeRpc(
          ok,
          new Delivery(
              "",
              ok.deliveryTag() + deliveryTagOffset,
              ok.redelivered(),
              ok.exchange(),
              ok.routingKey(),
              props,
              body,
              ok.messageCount()));
    }
  }

  private void deliver(DeliveryHandler handler, Delivery delivery) {
    try {
      handler.handle(delivery);
    } catch (Exception e) {
      log.error(
          "channel {}: the delivery handler threw on delivery {}; the delivery is not acknowledged",
          number,
          delivery.deliveryTag(),
          e);
    }
  }

  // ---- for a channel that recovers (RecoveringChannel) ----

  /**
   * Shifts the tags of deliveries by {@code offset}: the broker numbers a new channel's deliveries
   * from 1, and a recovered channel's must not meet tags the application still holds. Set before
   * anything is consumed; acknowledgements take the broker's own numbers.
   */
  void deliveryTagOffset(long offset) {
    this.deliveryTagOffset = offset;
  }

  long deliveryTagOffset() {
    return deliveryTagOffset;
  }

  /**
   * Shifts the sequence numbers that nacked futures report by {@code offset}: a recovered channel's
   * numbers go on from its predecessors'.
   */
  void publishSequenceOffset(long offset) {
    this.publishSequenceOffset = offset;
  }

  /** Whether a consumer with this tag is started on this channel. */
  boolean hasConsumer(String tag) {
    return consumers.containsKey(tag);
  }

  /** The sequence number of the last publish queued in confirm mode; 0 for none. */
  long lastPublishSequenceNumber() {
    return confirmMode ? window.nextSequence() - 1 : 0;
  }

  /** The first nack that {@link #waitForConfirms} has not reported yet, taken; 0 for none. */
  long takeUnreportedNack() {
    return window.takeUnreportedNack();
  }

  /** The highest delivery tag the broker has given on this channel, unshifted; 0 for none. */
  long lastDeliveryTag() {
    return lastDeliveryTag;
  }

  void orphanHandler(OrphanHandler handler) {
    this.orphanHandler = handler;
  }

  /**
   * Publishes a retained message, its record taking its place in the window in confirm mode: the
   * record goes to the {@link OrphanHandler} if the connection fails before the broker answers.
   */
  void publish(RetainedPublish publish) {
    publish.sequence = 0;
    publish.returned = null; // a return to the failed channel: this time it may be routed
    publish(
        publish.exchange,
        publish.routingKey,
        publish.mandatory,
        publish.properties,
        publish.body,
        publish.bodyLength,
        publish);
  }

  @Override
  public String toString() {
    return "Channel{" + number + (closeCause == null ? "" : " closed") + "}";
  }
}
