package dev.amqpkit.amqp10.internal.engine;

import dev.amqpkit.amqp10.AmqpError;
import dev.amqpkit.amqp10.AmqpException;
import dev.amqpkit.amqp10.AmqpTimeoutException;
import dev.amqpkit.amqp10.CloseInitiator;
import dev.amqpkit.amqp10.ConnectionClosedException;
import dev.amqpkit.amqp10.ErrorConditions;
import dev.amqpkit.amqp10.LinkOptions;
import dev.amqpkit.amqp10.MessageRefusedException;
import dev.amqpkit.amqp10.Outcome;
import dev.amqpkit.amqp10.Receiver;
import dev.amqpkit.amqp10.ReceiverOptions;
import dev.amqpkit.amqp10.Sender;
import dev.amqpkit.amqp10.SenderOptions;
import dev.amqpkit.amqp10.Session;
import dev.amqpkit.amqp10.SessionClosedException;
import dev.amqpkit.amqp10.SessionOptions;
import dev.amqpkit.amqp10.internal.protocol.Attach;
import dev.amqpkit.amqp10.internal.protocol.Begin;
import dev.amqpkit.amqp10.internal.protocol.Detach;
import dev.amqpkit.amqp10.internal.protocol.Disposition;
import dev.amqpkit.amqp10.internal.protocol.End;
import dev.amqpkit.amqp10.internal.protocol.Flow;
import dev.amqpkit.amqp10.internal.protocol.Performative;
import dev.amqpkit.amqp10.internal.protocol.Role;
import dev.amqpkit.amqp10.internal.protocol.Transfer;
import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.amqp10.types.Symbol;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * A session: begun by this side, ended by either, with its links, its transfer windows and the
 * deliveries that await settlement.
 *
 * <p>Threads: the reader thread hands this session every frame of its channel ({@link #handle});
 * application threads begin and end it, attach links, and send.
 *
 * <ul>
 *   <li>{@code transferLock} orders outgoing transfers: delivery ids and transfer ids are taken in
 *       the order the frames are queued. It is held while queueing, which may wait for room, so the
 *       reader never takes it.
 *   <li>{@code windowLock} guards the peer's incoming window, which the reader updates and senders
 *       wait on; {@code incomingLock} this side's incoming window, which the reader updates and
 *       every outgoing flow reports. Neither is held while queueing a frame that may wait.
 *   <li>{@code linkLock} guards the table of this side's handles and the links being attached; the
 *       peer's handles are the reader's alone.
 * </ul>
 */
final class SessionImpl implements Session {
  private static final long UINT_MASK = 0xFFFF_FFFFL;

  private final AmqpConnection connection;
  private final int channel;
  private final SessionOptions options;
  private final CompletableFuture<Begin> begun = new CompletableFuture<>();
  private final CompletableFuture<End> ended = new CompletableFuture<>();
  private volatile boolean ending;
  private volatile SessionClosedException closeCause;
  private volatile Consumer<SessionClosedException> closingHook;

  // Links.
  private final Object linkLock = new Object();
  private final Map<Long, LinkImpl> byLocalHandle = new HashMap<>(); // linkLock
  private final Map<String, LinkImpl> attaching = new HashMap<>(); // linkLock; name and role
  private final Map<Long, LinkImpl> byRemoteHandle = new HashMap<>(); // the reader's
  private volatile long handleMax;

  // Outgoing transfers.
  private final ReentrantLock transferLock = new ReentrantLock();
  private long nextDeliveryId; // transferLock
  private volatile long nextOutgoingId; // written under transferLock
  private final Object windowLock = new Object();
  private long remoteIncomingLimit; // windowLock: the peer's next-incoming-id + incoming-window
  private final UnsettledSends unsettledSends = new UnsettledSends();

  // Incoming transfers.
  private final Object incomingLock = new Object();
  private long nextIncomingId; // incomingLock
  private long incomingWindow; // incomingLock: what the peer may still send, as last advertised
  private long held; // incomingLock: transfer frames received and not yet released
  private final Map<Long, DeliveryImpl> awaitingSender =
      new HashMap<>(); // second mode; synchronized

  SessionImpl(AmqpConnection connection, int channel, SessionOptions options) {
    this.connection = connection;
    this.channel = channel;
    this.options = options;
    this.incomingWindow = options.incomingWindow();
  }

  /** Sends {@code begin} and waits for the peer's, at most the request timeout. */
  void begin(Duration timeout) {
    connection.send(
        channel,
        new Begin(
            null,
            0,
            options.incomingWindow(),
            options.outgoingWindow(),
            options.handleMax(),
            null,
            null,
            null));
    try {
      begun.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // The channel stays taken until the peer answers (then this side ends it) or the
      // connection closes: a late begin must not land on a new session. The begin may also
      // arrive just now: whichever of the two sees the other ends the session, once.
      boolean begunMeanwhile;
      synchronized (this) {
        ending = true;
        begunMeanwhile = begun.isDone() && !begun.isCompletedExceptionally();
      }
      if (begunMeanwhile) connection.sendQuietly(channel, new End(null));
      markClosed(
          new SessionClosedException(
              "no begin from the peer within " + timeout, null, CloseInitiator.CLIENT, null));
      throw new AmqpTimeoutException(
          "session on channel " + channel + ": no begin from the peer within " + timeout);
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AmqpException("interrupted while waiting for the peer's begin", e);
    }
  }

  private static RuntimeException rethrow(Throwable cause) {
    if (cause instanceof RuntimeException r) return r;
    return new AmqpException("session failed: " + cause, cause);
  }

  // ---- from the reader thread ----

  void peerBegan(Begin begin) {
    synchronized (incomingLock) {
      nextIncomingId = begin.nextOutgoingId();
    }
    synchronized (windowLock) {
      remoteIncomingLimit = begin.incomingWindow() & UINT_MASK; // from transfer-id 0, ours
    }
    handleMax = Math.min(options.handleMax(), begin.handleMax());
    boolean givenUp;
    synchronized (this) {
      begun.complete(begin);
      givenUp = ending;
    }
    // This side gave up waiting: end what the peer has just begun.
    if (givenUp) connection.sendQuietly(channel, new End(null));
  }

  /**
   * The peer's {@code end}: records it and returns whether this side must answer with its own. The
   * connection answers and frees the channel, then calls {@link #endComplete}, so a new session on
   * the channel never overtakes the answer.
   */
  synchronized boolean peerEnded(End end) {
    boolean answer = !ending;
    if (answer) {
      AmqpError error = AmqpConnection.publicError(end.error());
      markClosed(
          new SessionClosedException(
              "the peer ended the session on channel "
                  + channel
                  + (error == null ? "" : ": " + error),
              error,
              CloseInitiator.PEER,
              null));
    }
    return answer;
  }

  /** Wakes a {@link #close} waiting for the peer's end; after the channel is free again. */
  void endComplete(End end) {
    ended.complete(end);
  }

  void connectionClosed(ConnectionClosedException cause) {
    markClosed(
        new SessionClosedException(
            "the connection closed: " + cause.getMessage(),
            cause.error(),
            cause.initiator(),
            cause));
    begun.completeExceptionally(cause);
    ended.complete(null);
  }

  private void markClosed(SessionClosedException cause) {
    synchronized (this) {
      if (closeCause != null) return;
      closeCause = cause;
    }
    Consumer<SessionClosedException> hook = closingHook;
    if (hook != null) hook.accept(cause);
    closeLinks(cause);
  }

  /**
   * Hears the session end, on the thread that ends it, before its links close and their sends fail;
   * at once if it has ended. Must not block. May be called twice for one end.
   */
  void onClosing(Consumer<SessionClosedException> hook) {
    closingHook = hook;
    SessionClosedException cause = closeCause;
    if (cause != null) hook.accept(cause);
  }

  /** The session ended: so do its links, and what awaited settlement fails. */
  private void closeLinks(SessionClosedException cause) {
    wakeWindowWaiters();
    List<LinkImpl> links;
    synchronized (linkLock) {
      links = new ArrayList<>(byLocalHandle.values());
    }
    for (LinkImpl link : links) link.sessionClosed(cause);
    unsettledSends.removeIf(p -> true, p -> p.fail(cause));
    List<DeliveryImpl> waiting;
    synchronized (awaitingSender) {
      waiting = new ArrayList<>(awaitingSender.values());
      awaitingSender.clear();
    }
    for (DeliveryImpl d : waiting) d.failSettlement(cause);
  }

  // ---- links, on the application's threads ----

  @Override
  public Sender openSender(SenderOptions senderOptions) {
    Objects.requireNonNull(senderOptions, "options == null");
    return attachSender(nameOf(senderOptions, "sender"), senderOptions);
  }

  /** Attaches a sender named {@code name}; see {@link #openSender(SenderOptions)}. */
  SenderImpl attachSender(String name, SenderOptions senderOptions) {
    SenderImpl link =
        register(name, Role.SENDER, h -> new SenderImpl(this, name, h, senderOptions));
    link.open(connection.requestTimeout());
    return link;
  }

  @Override
  public Receiver openReceiver(ReceiverOptions receiverOptions) {
    Objects.requireNonNull(receiverOptions, "options == null");
    return attachReceiver(nameOf(receiverOptions, "receiver"), receiverOptions, false);
  }

  /**
   * Attaches a receiver named {@code name}; see {@link #openReceiver(ReceiverOptions)}. A
   * self-healing receiver's deliveries go stale, rather than unsettleable, when a failure ends it.
   */
  ReceiverImpl attachReceiver(String name, ReceiverOptions receiverOptions, boolean selfHealing) {
    ReceiverImpl link =
        register(
            name,
            Role.RECEIVER,
            h -> new ReceiverImpl(this, name, h, receiverOptions, selfHealing));
    link.open(connection.requestTimeout());
    return link;
  }

  static String nameOf(LinkOptions o, String kind) {
    return o.name() != null ? o.name() : "amqpkit-" + kind + "-" + UUID.randomUUID();
  }

  /** Takes the lowest free handle for a new link, which then waits for the peer's attach. */
  private <L extends LinkImpl> L register(String name, Role role, LongFunction<L> create) {
    checkOpen();
    L link;
    synchronized (linkLock) {
      for (LinkImpl other : byLocalHandle.values()) {
        if (other.name.equals(name) && other.role() == role) {
          throw new IllegalStateException(
              "a " + role.name().toLowerCase(Locale.ROOT) + " named '" + name + "' is attached");
        }
      }
      long handle = 0;
      while (byLocalHandle.containsKey(handle)) handle++;
      if (handle > handleMax) {
        throw new AmqpException(
            "every link handle is in use: the two sides allow "
                + (handleMax + 1)
                + " links on session "
                + channel);
      }
      link = create.apply(handle);
      byLocalHandle.put(handle, link);
      attaching.put(attachKey(name, role), link);
    }
    // An end that raced the registration: the link learns of it here.
    SessionClosedException cause = closeCause;
    if (cause != null) {
      link.sessionClosed(cause);
      throw cause;
    }
    return link;
  }

  private static String attachKey(String name, Role role) {
    return role.name() + ":" + name;
  }

  private void checkOpen() {
    SessionClosedException cause = closeCause;
    if (cause != null) throw cause;
    if (ending)
      throw new SessionClosedException("session is ending", null, CloseInitiator.APPLICATION, null);
  }

  // ---- sending, for links ----

  Duration requestTimeout() {
    return connection.requestTimeout();
  }

  Duration closeTimeout() {
    return connection.closeTimeout();
  }

  ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
    return AmqpConnection.schedule(task, delayMillis);
  }

  /** Sends a performative on this session, waiting for room in the writer if need be. */
  void send(Performative performative) {
    checkOpen();
    connection.send(channel, performative);
  }

  /** Sends a performative if the session and connection are open, without waiting for room. */
  void sendQuietly(Performative performative) {
    if (closeCause == null) connection.sendQuietly(channel, performative);
  }

  /**
   * Queues a delivery as one or more transfer frames: waits at most until {@code deadline} for the
   * peer's session window to take them all, then assigns the delivery id and queues the frames.
   *
   * @param pending the future of an unsettled send, or null for a settled one
   */
  void transfer(
      SenderImpl sender,
      byte[] tag,
      byte[] payload,
      long messageFormat,
      PendingSend pending,
      long deadline) {
    lockUntil(transferLock, deadline, "send on session " + channel);
    try {
      checkOpen();
      long id = nextDeliveryId;
      Transfer transfer =
          new Transfer(
              sender.handle,
              id,
              Binary.wrap(tag),
              messageFormat,
              pending == null,
              false,
              null,
              null,
              false,
              false,
              false);
      int frames = connection.framesOfTransfer(transfer, payload.length);
      awaitWindow(sender, frames, deadline);
      if (pending != null) {
        unsettledSends.add(id, pending);
        // A close that failed the link's sends just before this one joined them: this one too.
        if (sender.closeCause() != null && unsettledSends.remove(id) != null) sender.checkOpen();
      }
      try {
        connection.sendTransfer(channel, transfer, payload);
      } catch (RuntimeException e) {
        if (pending != null) unsettledSends.remove(id);
        throw e;
      }
      nextDeliveryId = (id + 1) & UINT_MASK;
      nextOutgoingId = (nextOutgoingId + frames) & UINT_MASK;
    } finally {
      transferLock.unlock();
    }
  }

  /**
   * Waits until the peer's incoming window takes {@code frames} more, while the sender's link and
   * the session are open. Under transferLock.
   */
  private void awaitWindow(SenderImpl sender, int frames, long deadline) {
    synchronized (windowLock) {
      while ((int) (remoteIncomingLimit - nextOutgoingId) < frames) {
        checkOpen();
        sender.checkOpen();
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AmqpTimeoutException(
              "session "
                  + channel
                  + ": the peer's incoming window ("
                  + Math.max(0, (int) (remoteIncomingLimit - nextOutgoingId))
                  + " frames) did not open for "
                  + frames
                  + " frame(s) within "
                  + connection.requestTimeout()
                  + "; the message was not sent");
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(windowLock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AmqpException("interrupted while waiting for the session window", e);
        }
      }
    }
    checkOpen();
    sender.checkOpen();
  }

  /** Wakes sends waiting for the peer's window: a link or the session closed. */
  void wakeWindowWaiters() {
    synchronized (windowLock) {
      windowLock.notifyAll();
    }
  }

  private static void lockUntil(ReentrantLock lock, long deadline, String what) {
    try {
      if (!lock.tryLock(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
        throw new AmqpTimeoutException("could not " + what + ": other sends held it too long");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AmqpException("interrupted while waiting to " + what, e);
    }
  }

  /** Queues a link's flow, with this session's windows, without waiting for room. */
  void sendLinkFlow(long handle, long deliveryCount, long linkCredit, boolean drain) {
    sendQuietly(flow(handle, deliveryCount, linkCredit, drain));
  }

  private Flow flow(Long handle, Long deliveryCount, Long linkCredit, boolean drain) {
    long next;
    long window;
    synchronized (incomingLock) {
      next = nextIncomingId;
      window = incomingWindow;
    }
    return new Flow(
        next,
        window,
        nextOutgoingId,
        options.outgoingWindow(),
        handle,
        deliveryCount,
        linkCredit,
        null,
        drain,
        false,
        null);
  }

  /** Sends a receiver's disposition, waiting for room if need be. */
  void sendDisposition(long first, long last, boolean settled, Object state) {
    send(new Disposition(Role.RECEIVER, first, first == last ? null : last, settled, state, false));
  }

  /** Sends a receiver's disposition without waiting for room; for the batcher's timer. */
  void sendDispositionQuietly(long first, long last, boolean settled, Object state) {
    sendQuietly(
        new Disposition(Role.RECEIVER, first, first == last ? null : last, settled, state, false));
  }

  /** A delivery settled here in second mode waits for the sender to settle it. */
  void awaitSenderSettlement(DeliveryImpl delivery) {
    synchronized (awaitingSender) {
      awaitingSender.put(delivery.deliveryId, delivery);
    }
  }

  /** Fails the settlements a receiver that closed still waited for (second mode). */
  void failAwaitingSender(ReceiverImpl receiver, AmqpException cause) {
    List<DeliveryImpl> failed = new ArrayList<>();
    synchronized (awaitingSender) {
      awaitingSender
          .values()
          .removeIf(
              d -> {
                boolean mine = d.receiver == receiver;
                if (mine) failed.add(d);
                return mine;
              });
    }
    for (DeliveryImpl d : failed) d.failSettlement(cause);
  }

  /** Fails the unsettled sends of a link that closed. */
  void failSends(SenderImpl sender, AmqpException cause) {
    unsettledSends.removeIf(p -> p.sender == sender, p -> p.fail(cause));
  }

  // ---- from the reader thread ----

  /**
   * Handles a frame on this session's channel; returns false for one that does not belong to a
   * session (the connection closes over it).
   */
  boolean handle(Performative p, ByteBuffer payload) {
    if (ending) return true; // ended here: the peer's end is on its way, the rest is moot
    if (p instanceof Transfer t) {
      peerTransfer(t, payload);
    } else if (p instanceof Disposition d) {
      peerDisposition(d);
    } else if (p instanceof Flow f) {
      peerFlow(f);
    } else if (p instanceof Attach a) {
      peerAttach(a);
    } else if (p instanceof Detach d) {
      peerDetach(d);
    } else {
      return false;
    }
    return true;
  }

  private void peerTransfer(Transfer t, ByteBuffer payload) {
    synchronized (incomingLock) {
      if (incomingWindow <= 0) {
        fail(
            ErrorConditions.SESSION_WINDOW_VIOLATION,
            "a transfer arrived beyond the incoming window of "
                + options.incomingWindow()
                + " frames (next-incoming-id "
                + nextIncomingId
                + ")");
        return;
      }
      incomingWindow--;
      nextIncomingId = (nextIncomingId + 1) & UINT_MASK;
      held++;
    }
    LinkImpl link = byRemoteHandle.get(t.handle());
    if (link == null) {
      fail(
          ErrorConditions.SESSION_UNATTACHED_HANDLE,
          "a transfer arrived on handle " + t.handle() + ", which is not attached");
      return;
    }
    if (link instanceof ReceiverImpl receiver) {
      receiver.peerTransfer(t, payload); // releases the frame, now or once its delivery is taken
    } else {
      releaseFrames(1);
      link.fail(ErrorConditions.NOT_ALLOWED, "a transfer arrived on a sending link");
    }
  }

  /**
   * Releases transfer frames: their delivery was taken by the application, or dropped. The incoming
   * window the peer was last given widens again once half of it can be given back, so it bounds the
   * frames this side holds and a peer that sends beyond it ends the session.
   */
  void releaseFrames(int frames) {
    boolean widen;
    synchronized (incomingLock) {
      held -= frames;
      long open = options.incomingWindow() - held;
      widen = open - incomingWindow >= Math.max(1, options.incomingWindow() / 2);
      if (widen) incomingWindow = open;
    }
    if (widen) sendQuietly(flow(null, null, null, false));
  }

  private void peerFlow(Flow f) {
    synchronized (windowLock) {
      long next = f.nextIncomingId() == null ? 0 : f.nextIncomingId();
      remoteIncomingLimit = (next + f.incomingWindow()) & UINT_MASK;
      windowLock.notifyAll();
    }
    if (f.handle() == null) {
      if (f.echo()) sendQuietly(flow(null, null, null, false));
      return;
    }
    LinkImpl link = byRemoteHandle.get(f.handle());
    if (link == null) {
      fail(
          ErrorConditions.SESSION_UNATTACHED_HANDLE,
          "a flow arrived for handle " + f.handle() + ", which is not attached");
    } else if (link instanceof SenderImpl sender) {
      sender.peerFlow(f);
    } else {
      ((ReceiverImpl) link).peerFlow(f);
    }
  }

  private void peerDisposition(Disposition d) {
    long first = d.first();
    long last = d.last() == null ? first : d.last();
    if (d.role() == Role.SENDER) {
      // The sender settled deliveries this side received; those settled here in second mode are
      // now settled on both sides.
      if (!d.settled()) return;
      List<DeliveryImpl> done = new ArrayList<>();
      synchronized (awaitingSender) {
        if (awaitingSender.isEmpty()) return;
        long width = (last - first) & UINT_MASK;
        if (width < awaitingSender.size()) {
          for (long i = 0; i <= width; i++) {
            DeliveryImpl delivery = awaitingSender.remove((first + i) & UINT_MASK);
            if (delivery != null) done.add(delivery);
          }
        } else {
          awaitingSender
              .values()
              .removeIf(
                  delivery -> {
                    boolean in = ((delivery.deliveryId - first) & UINT_MASK) <= width;
                    if (in) done.add(delivery);
                    return in;
                  });
        }
      }
      for (DeliveryImpl delivery : done) delivery.settledBothSides();
      return;
    }
    Outcome outcome = Outcomes.fromWire(d.state());
    if (!d.settled()) {
      // A receiver in second mode sent its outcome and waits for this side to settle.
      if (outcome == null) return;
      unsettledSends.removeRange(first, last, p -> settleSend(p, outcome));
      sendQuietly(new Disposition(Role.SENDER, first, d.last(), true, null, false));
      return;
    }
    unsettledSends.removeRange(first, last, p -> settleSend(p, outcome));
  }

  /** A send's outcome arrived: accepted (or none named) completes it, any other fails it. */
  private static void settleSend(PendingSend p, Outcome outcome) {
    p.sender.settled();
    if (outcome == null || outcome instanceof Outcome.Accepted) {
      p.complete(outcome);
    } else {
      p.completeExceptionally(refused(p.sender, outcome));
    }
  }

  private static MessageRefusedException refused(SenderImpl sender, Outcome outcome) {
    String what;
    if (outcome instanceof Outcome.Rejected r) {
      what = "rejected the message" + (r.error() == null ? "" : ": " + r.error());
    } else if (outcome instanceof Outcome.Modified m) {
      what =
          "returned the message modified (delivery failed: "
              + m.deliveryFailed()
              + ", undeliverable here: "
              + m.undeliverableHere()
              + "): it was not processed";
    } else {
      what = "released the message: it was not processed";
    }
    return new MessageRefusedException(
        "link '" + sender.name + "' to " + sender.describeAddress() + ": the peer " + what,
        outcome);
  }

  private void peerAttach(Attach a) {
    Role ours = a.role() == Role.SENDER ? Role.RECEIVER : Role.SENDER;
    LinkImpl link;
    synchronized (linkLock) {
      link = attaching.remove(attachKey(a.name(), ours));
    }
    if (link == null) {
      fail(
          ErrorConditions.NOT_ALLOWED,
          "the peer attached link '" + a.name() + "'; this client takes only links it attached");
      return;
    }
    if (byRemoteHandle.containsKey(a.handle())) {
      fail(
          ErrorConditions.SESSION_HANDLE_IN_USE,
          "the peer attached link '"
              + a.name()
              + "' on handle "
              + a.handle()
              + ", which is in use");
      return;
    }
    byRemoteHandle.put(a.handle(), link);
    link.peerAttached(a);
  }

  private void peerDetach(Detach d) {
    LinkImpl link = byRemoteHandle.remove(d.handle());
    if (link == null) {
      fail(
          ErrorConditions.SESSION_UNATTACHED_HANDLE,
          "a detach arrived for handle " + d.handle() + ", which is not attached");
      return;
    }
    if (link.peerDetached(d)) sendQuietly(new Detach(link.handle, d.closed(), null));
    synchronized (linkLock) {
      byLocalHandle.remove(link.handle);
      attaching.remove(attachKey(link.name, link.role()));
    }
    link.detachComplete(d);
  }

  /**
   * Ends the session over something the peer did wrong: sends {@code end} with the error; the
   * connection frees the channel when the peer's end arrives.
   */
  private void fail(Symbol condition, String description) {
    AmqpError error = AmqpError.of(condition, description);
    synchronized (this) {
      if (ending) return;
      ending = true;
    }
    // Recorded before the end goes out, so that by the peer's answer the session reads closed.
    markClosed(
        new SessionClosedException(
            "session on channel " + channel + " ended: " + description,
            error,
            CloseInitiator.CLIENT,
            null));
    connection.sendQuietly(channel, new End(AmqpConnection.wireError(error)));
  }

  // ---- Session ----

  @Override
  public int channel() {
    return channel;
  }

  @Override
  public boolean isOpen() {
    return closeCause == null && begun.isDone() && !begun.isCompletedExceptionally();
  }

  @Override
  public SessionClosedException closeCause() {
    return closeCause;
  }

  @Override
  public void close() {
    close(null);
  }

  @Override
  public void close(AmqpError error) {
    synchronized (this) {
      if (closeCause != null || ending) return;
      ending = true;
      // Queued under the lock the reader takes for the peer's end: that end is then answered by
      // this one, and its channel is not freed before this end is on its way.
      connection.sendQuietly(channel, new End(AmqpConnection.wireError(error)));
    }
    Duration timeout = connection.closeTimeout();
    try {
      ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // Ended here all the same; the channel stays taken until the peer's end arrives.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    markClosed(
        new SessionClosedException(
            "the application ended the session on channel " + channel,
            error,
            CloseInitiator.APPLICATION,
            null));
  }

  @Override
  public String toString() {
    return "session(channel " + channel + (isOpen() ? "" : ", closed") + ")";
  }
}
