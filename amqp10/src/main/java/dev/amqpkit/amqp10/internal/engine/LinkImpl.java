package dev.amqpkit.amqp10.internal.engine;

import dev.amqpkit.amqp10.AmqpError;
import dev.amqpkit.amqp10.AmqpException;
import dev.amqpkit.amqp10.AmqpTimeoutException;
import dev.amqpkit.amqp10.CloseInitiator;
import dev.amqpkit.amqp10.LinkClosedException;
import dev.amqpkit.amqp10.LinkOptions;
import dev.amqpkit.amqp10.internal.protocol.Attach;
import dev.amqpkit.amqp10.internal.protocol.Detach;
import dev.amqpkit.amqp10.internal.protocol.Role;
import dev.amqpkit.amqp10.types.Symbol;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * What senders and receivers share: attaching, detaching in either direction, and the state that
 * says whether the link is open.
 *
 * <p>Threads: an application thread attaches and detaches; the reader thread reports the peer's
 * {@code attach} and {@code detach}. The transitions synchronize on the link.
 */
abstract class LinkImpl {
  final SessionImpl session;
  final String name;
  final long handle;
  final LinkOptions options;
  private final CompletableFuture<Attach> attached = new CompletableFuture<>();
  private final CompletableFuture<Detach> detached = new CompletableFuture<>();
  private volatile AmqpException closeCause;
  private boolean detaching; // this side sent detach, or gave up on the attach; guarded by this
  private volatile Attach remoteAttach;
  private volatile Consumer<AmqpException> closingHook;
  long remoteHandle = -1; // the reader's

  LinkImpl(SessionImpl session, String name, long handle, LinkOptions options) {
    this.session = session;
    this.name = name;
    this.handle = handle;
    this.options = options;
  }

  abstract Role role();

  /** This side's attach. */
  abstract Attach attach();

  /**
   * Checks the peer's attach once it arrived: null when the link can open, or why it cannot (for
   * instance a settle mode the peer does not agree to).
   */
  abstract String refusal(Attach peer);

  /** The link is open: for instance, a receiver grants its first credit. Application thread. */
  void opened() {}

  /** The link closed for {@code cause}: fail what waits on it. Any thread, once. */
  abstract void onClosed(AmqpException cause);

  // ---- attaching, on the application's thread ----

  /** Sends attach and waits for the peer's; throws if the link did not open. */
  void open(Duration timeout) {
    session.send(attach());
    Attach peer;
    try {
      peer = attached.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      giveUp();
      throw closeAndGet(
          new AmqpTimeoutException(
              "link '" + name + "': no attach from the peer within " + timeout));
    } catch (ExecutionException e) {
      throw (AmqpException) e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      giveUp();
      throw closeAndGet(new AmqpException("interrupted while attaching link '" + name + "'"));
    }
    if (isRefusal(peer)) {
      // The peer refuses by attaching without a terminus and detaching at once, with its reason.
      try {
        detached.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        // No reason given in time; refused all the same.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (closeCause == null) {
        markClosed(refused("the peer attached without a " + terminusName(), null));
        detach(null, true);
      }
      throw closeCause;
    }
    String refusal = refusal(peer);
    if (refusal != null) {
      AmqpError error =
          AmqpError.of(dev.amqpkit.amqp10.ErrorConditions.PRECONDITION_FAILED, refusal);
      markClosed(refused(refusal, error));
      detach(error, true);
      throw closeCause;
    }
    opened();
  }

  private LinkClosedException refused(String why, AmqpError error) {
    return new LinkClosedException(
        "link '" + name + "' to " + describeAddress() + " did not open: " + why,
        error,
        CloseInitiator.CLIENT,
        null);
  }

  private String terminusName() {
    return role() == Role.SENDER ? "target" : "source";
  }

  private boolean isRefusal(Attach peer) {
    return role() == Role.SENDER ? peer.target() == null : peer.source() == null;
  }

  /** Gave up waiting for the attach: a late one is answered with a detach. */
  private void giveUp() {
    boolean attachedMeanwhile;
    synchronized (this) {
      detaching = true;
      attachedMeanwhile = attached.isDone() && !attached.isCompletedExceptionally();
    }
    if (attachedMeanwhile) session.sendQuietly(new Detach(handle, true, null));
  }

  private AmqpException closeAndGet(AmqpException cause) {
    markClosed(cause);
    return closeCause;
  }

  // ---- from the reader thread ----

  void peerAttached(Attach attach) {
    boolean givenUp;
    synchronized (this) {
      remoteAttach = attach;
      remoteHandle = attach.handle();
      attached.complete(attach);
      givenUp = detaching;
    }
    if (givenUp) session.sendQuietly(new Detach(handle, true, null));
  }

  /**
   * The peer's detach: records it and returns whether this side must answer with its own. The
   * session answers and frees the handles, then calls {@link #detachComplete}.
   */
  synchronized boolean peerDetached(Detach detach) {
    boolean answer = !detaching;
    detaching = true;
    if (answer) {
      AmqpError error = AmqpConnection.publicError(detach.error());
      markClosed(
          new LinkClosedException(
              "the peer "
                  + (detach.closed() ? "closed" : "detached")
                  + " link '"
                  + name
                  + "' to "
                  + describeAddress()
                  + (error == null ? "" : ": " + error),
              error,
              CloseInitiator.PEER,
              null));
    }
    return answer;
  }

  void detachComplete(Detach detach) {
    detached.complete(detach);
  }

  /**
   * Detaches with an error over something the peer did wrong on this link; the session frees the
   * handles when the peer's detach arrives.
   */
  void fail(Symbol condition, String description) {
    AmqpError error = AmqpError.of(condition, description);
    synchronized (this) {
      if (detaching) return;
      detaching = true;
    }
    // Recorded before the detach goes out, so that by the peer's answer the link reads closed.
    markClosed(
        new LinkClosedException(
            "link '" + name + "' closed: " + description, error, CloseInitiator.CLIENT, null));
    session.sendQuietly(new Detach(handle, true, AmqpConnection.wireError(error)));
  }

  /** The session or connection ended: the link ends with it. */
  void sessionClosed(AmqpException cause) {
    attached.completeExceptionally(cause);
    detached.complete(null);
    markClosed(cause);
  }

  // ---- the application's ----

  /** Sends detach and waits, at most the close timeout, for the peer's; then the link is closed. */
  void close(AmqpError error, boolean closed) {
    if (closeCause != null || !detach(error, closed)) return;
    markClosed(
        new LinkClosedException(
            "the application " + (closed ? "closed" : "detached") + " link '" + name + "'",
            error,
            CloseInitiator.APPLICATION,
            null));
  }

  /**
   * Sends this side's detach, unless one went already, and waits at most the close timeout for the
   * peer's. Returns whether it sent one.
   */
  private boolean detach(AmqpError error, boolean closed) {
    synchronized (this) {
      if (detaching) return false;
      detaching = true;
      beforeDetach();
      // Under the lock the reader takes for the peer's detach: that one is then answered by this.
      session.sendQuietly(new Detach(handle, closed, AmqpConnection.wireError(error)));
    }
    Duration timeout = session.closeTimeout();
    try {
      detached.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // Detached here all the same; the handle stays taken until the peer's detach arrives.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return true;
  }

  /** Runs just before this side's detach is queued, under the link's lock. */
  void beforeDetach() {}

  void markClosed(AmqpException cause) {
    synchronized (this) {
      if (closeCause != null) return;
      closeCause = cause;
    }
    Consumer<AmqpException> hook = closingHook;
    if (hook != null) hook.accept(cause);
    onClosed(cause);
  }

  /**
   * Hears the link close, on the thread that closes it, before what waits on it fails; at once if
   * it has closed. Must not block. May be called twice for one close.
   */
  void onClosing(Consumer<AmqpException> hook) {
    closingHook = hook;
    AmqpException cause = closeCause;
    if (cause != null) hook.accept(cause);
  }

  // ---- state ----

  // ---- what Sender and Receiver share ----

  public String name() {
    return name;
  }

  public AmqpException closeCause() {
    return closeCause;
  }

  public boolean isOpen() {
    return closeCause == null && attached.isDone() && !attached.isCompletedExceptionally();
  }

  public void close() {
    close(null, true);
  }

  public void close(AmqpError error) {
    close(error, true);
  }

  public void detach() {
    close(null, false);
  }

  /** Throws why the link is closed, if it is. */
  void checkOpen() {
    AmqpException cause = closeCause;
    if (cause != null) throw cause;
  }

  /** The peer's attach, or null before it arrived. */
  Attach remoteAttach() {
    return remoteAttach;
  }

  /** The address asked for, or for a dynamic link, the one the peer gave. */
  public String address() {
    return options.address() != null ? options.address() : peerAddress();
  }

  abstract String peerAddress();

  String describeAddress() {
    String a = address();
    return a != null ? "'" + a + "'" : options.dynamic() ? "a dynamic node" : "no address";
  }

  @Override
  public String toString() {
    return role().name().toLowerCase(java.util.Locale.ROOT)
        + "('"
        + name
        + "', handle "
        + handle
        + (isOpen() ? "" : ", closed")
        + ")";
  }
}
