package dev.amqpkit.msg.spi;

import dev.amqpkit.msg.Message;
import dev.amqpkit.msg.Receiver;
import dev.amqpkit.msg.Server;
import dev.amqpkit.msg.ServerClosedException;
import dev.amqpkit.msg.ServerFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The life cycle every backend's server shares: serving once, a pool of at most {@code concurrency}
 * worker threads, a shutdown that stops taking, waits for what is in flight and then releases the
 * backend's resources, and failures that end {@code serve}.
 *
 * <p>A backend implements three steps. {@link #startTaking} begins taking messages; for each one it
 * calls {@link #awaitSlot()} (which waits for a free worker) and then {@link #dispatch}. A pull
 * backend loops there until {@code awaitSlot} returns false; a push backend registers its consumer
 * and returns, calling them from its delivery callback. {@link #stopTaking} stops that (cancels the
 * consumer). {@link #release} closes what the server holds once in-flight messages are done or the
 * time given to shutdown ran out. A backend that cannot go on calls {@link #fail}.
 *
 * <p>Thread-safe: {@code shutdown} and {@code fail} may be called from any thread.
 */
public abstract class AbstractServer implements Server {
  private static final System.Logger LOG = System.getLogger(AbstractServer.class.getName());

  /** How long messages in flight get to finish when serving ends on a failure. */
  protected static final Duration FAILURE_GRACE = Duration.ofSeconds(30);

  private enum State {
    NEW,
    SERVING,
    STOPPING,
    CLOSED
  }

  private static final AtomicInteger SERVERS = new AtomicInteger();

  private final String name;
  private final int concurrency;
  private final int slots;
  private final ReentrantLock lock = new ReentrantLock();

  /** Signalled when a slot frees, and when taking stops (waiters then give up). */
  private final Condition slotFree = lock.newCondition();

  /** Signalled when the state changes or a failure comes: what {@code serve} waits for. */
  private final Condition stateChanged = lock.newCondition();

  /** Signalled when the last message in flight is done. */
  private final Condition drained = lock.newCondition();

  // Written under the lock; read without it on the paths every message takes.
  private volatile State state = State.NEW;
  private volatile Throwable failure;
  private final AtomicInteger busy = new AtomicInteger();

  /** Threads waiting in {@link #awaitSlot()}; changed under the lock. */
  private volatile int slotWaiters;

  private boolean shutdownResult;
  private Receiver receiver;
  private ThreadPoolExecutor workers;

  /** Threads in a receive, each mapped to whether shutdown interrupted it. */
  private final ConcurrentHashMap<Thread, Boolean> receiving = new ConcurrentHashMap<>();

  /**
   * A server whose slots are its concurrency: for a backend that processes where it takes.
   *
   * @param name what the server serves (a queue, an address), in its threads' names and messages
   * @param concurrency how many messages may be in flight at once, at least 1
   */
  protected AbstractServer(String name, int concurrency) {
    this(name, concurrency, 0);
  }

  /**
   * A server with {@code queued} slots beyond its concurrency: for a backend that {@linkplain
   * #dispatch dispatches}, so that the thread taking messages can take the next while every worker
   * is busy, rather than wait for one (and be woken for each). The {@code concurrency} worker
   * threads still bound how many receives run at once.
   *
   * @param name what the server serves (a queue, an address), in its threads' names and messages
   * @param concurrency how many messages may be processed at once, at least 1
   * @param queued how many more may be taken and wait for a worker, at least 0
   */
  protected AbstractServer(String name, int concurrency, int queued) {
    this.name = Objects.requireNonNull(name, "name == null");
    if (concurrency < 1) throw new IllegalArgumentException("concurrency < 1: " + concurrency);
    if (queued < 0) throw new IllegalArgumentException("queued < 0: " + queued);
    this.concurrency = concurrency;
    this.slots = concurrency + queued;
  }

  /** How many messages may be in flight at once. */
  public final int concurrency() {
    return concurrency;
  }

  /** What the server serves, as given to the constructor. */
  public final String name() {
    return name;
  }

  /**
   * Begins taking messages. A pull backend loops here ({@code while (awaitSlot()) {...}}) and
   * returns when {@code awaitSlot} says no; a push backend registers its consumer and returns.
   *
   * @throws Exception if taking could not start or went wrong; serving then ends with it
   */
  protected abstract void startTaking() throws Exception;

  /**
   * Stops taking messages (cancels the consumer, ends the pull loop). Called once, when shutdown or
   * a failure begins; messages in flight are not touched.
   */
  protected abstract void stopTaking();

  /**
   * Releases what the server holds (closes its channel or link), once messages in flight are done
   * or shutdown's time ran out. Messages taken and not settled go back to be delivered again.
   * Called once.
   */
  protected abstract void release();

  @Override
  public final void serve(Receiver receiver) throws IOException, InterruptedException {
    Objects.requireNonNull(receiver, "receiver == null");
    lock.lock();
    try {
      if (state == State.SERVING) throw new IllegalStateException("already serving " + name);
      if (state != State.NEW) throw new ServerClosedException();
      state = State.SERVING;
      this.receiver = receiver;
      int id = SERVERS.incrementAndGet();
      AtomicInteger threads = new AtomicInteger();
      workers =
          new ThreadPoolExecutor(
              concurrency,
              concurrency,
              10,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(),
              r -> {
                Thread t = new Thread(r, "amqpkit-msg-" + id + "-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      workers.allowCoreThreadTimeOut(true);
    } finally {
      lock.unlock();
    }
    try {
      startTaking();
    } catch (InterruptedException e) {
      shutdown(Duration.ZERO);
      throw e;
    } catch (Exception | Error e) {
      fail(e);
    }
    boolean failed;
    try {
      lock.lock();
      try {
        while (state != State.CLOSED && failure == null) stateChanged.await();
        failed = failure != null;
      } finally {
        lock.unlock();
      }
    } catch (InterruptedException e) {
      shutdown(Duration.ZERO);
      throw e;
    }
    if (failed) {
      shutdown(FAILURE_GRACE);
      Throwable cause;
      lock.lock();
      try {
        cause = failure;
      } finally {
        lock.unlock();
      }
      if (cause instanceof Error error) throw error;
      throw new ServerFailedException(name + ": " + cause.getMessage(), cause);
    }
  }

  /**
   * Ends serving with {@code cause}: {@code serve} shuts the server down (giving messages in flight
   * {@link #FAILURE_GRACE}) and throws {@link ServerFailedException} with it. Only the first
   * failure counts; after shutdown has begun, failures are ignored.
   */
  protected final void fail(Throwable cause) {
    Objects.requireNonNull(cause, "cause == null");
    lock.lock();
    try {
      if (failure != null || state == State.STOPPING || state == State.CLOSED) {
        if (cause instanceof Error) {
          LOG.log(Level.WARNING, () -> name + ": a receiver threw " + cause, cause);
        }
        return;
      }
      failure = cause;
      stateChanged.signalAll();
      slotFree.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until a slot is free (fewer than {@code concurrency} messages in flight, plus {@code
   * queued} if given) and takes it; the caller must then {@link #process} or {@link #dispatch} a
   * message, or {@link #releaseSlot()}.
   *
   * @return false, at once, when the server stops taking messages (shutdown or failure)
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  protected final boolean awaitSlot() throws InterruptedException {
    while (true) {
      if (state != State.SERVING || failure != null) return false;
      int taken = busy.get();
      if (taken < slots) {
        if (busy.compareAndSet(taken, taken + 1)) return true;
        continue;
      }
      lock.lock();
      try {
        // Counted before busy is read again: a slot freed meanwhile either shows here or sees
        // this waiter and signals.
        slotWaiters++;
        try {
          while (state == State.SERVING && failure == null && busy.get() >= slots) {
            slotFree.await();
          }
        } finally {
          slotWaiters--;
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** Gives back a slot taken with {@link #awaitSlot()} that will not be used. */
  protected final void releaseSlot() {
    int taken = busy.decrementAndGet();
    // Only a waiter for a slot, or a shutdown waiting for the last one, needs to hear of it.
    if (slotWaiters > 0 || (taken == 0 && state != State.SERVING)) {
      lock.lock();
      try {
        slotFree.signal();
        if (busy.get() == 0) drained.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Whether the server is taking messages: serving, and neither shut down nor failed. */
  protected final boolean taking() {
    return state == State.SERVING && failure == null;
  }

  /**
   * Runs the receiver on {@code message} on a worker thread, then settles it, then frees the slot
   * taken with {@link #awaitSlot()}. For a backend whose thread that takes the message must go on
   * taking others (a single consumer); one that can take on several threads at once should rather
   * {@link #process} where it takes, and spare a hand-over per message.
   */
  protected final void dispatch(Message message, Settlement settlement) {
    Objects.requireNonNull(message, "message == null");
    Objects.requireNonNull(settlement, "settlement == null");
    workers().execute(() -> process(message, settlement));
  }

  /**
   * Runs {@code takeLoop} on each of the server's {@code concurrency} worker threads: for a pull
   * backend that takes messages on several threads at once, each loop taking one message at a time
   * ({@code while (awaitSlot()) {...}}) and {@linkplain #process processing} it there. What a loop
   * throws while the server is taking ends serving with it.
   */
  protected final void startTakers(Runnable takeLoop) {
    Objects.requireNonNull(takeLoop, "takeLoop == null");
    ThreadPoolExecutor pool = workers();
    for (int i = 0; i < concurrency; i++) {
      pool.execute(
          () -> {
            try {
              takeLoop.run();
            } catch (Throwable t) {
              if (taking()) fail(t);
            }
          });
    }
  }

  private ThreadPoolExecutor workers() {
    lock.lock();
    try {
      return workers;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs the receiver on {@code message} on the calling thread, then settles it, then frees the
   * slot taken with {@link #awaitSlot()}. The body cannot be read once the receive has returned.
   * Nothing it throws: a failed receive is settled as such, and a receiver's {@link Error} ends
   * serving.
   */
  protected final void process(Message message, Settlement settlement) {
    Objects.requireNonNull(message, "message == null");
    Objects.requireNonNull(settlement, "settlement == null");
    SealableBody body = new SealableBody(message.body());
    Throwable thrown = null;
    Thread self = Thread.currentThread();
    receiving.put(self, Boolean.FALSE);
    try {
      receiver.receive(new Message(message.attributes(), body));
    } catch (Throwable t) {
      thrown = t;
    } finally {
      // An interrupt from shutdown was meant for this receive only: the thread may be the
      // backend's (a callback thread) or the caller's (serve), and goes on. Any other interrupt
      // the receiver took as an InterruptedException is set again for the thread's owner: on
      // the serving thread, it ends serve.
      if (Boolean.TRUE.equals(receiving.remove(self))) {
        Thread.interrupted();
      } else if (thrown instanceof InterruptedException) {
        self.interrupt();
      }
      body.seal();
    }
    try {
      if (thrown == null) {
        settlement.succeeded();
      } else {
        settlement.failed(thrown);
      }
    } catch (Exception e) {
      LOG.log(Level.DEBUG, () -> name + ": settling a message failed: " + e, e);
    } finally {
      if (thrown instanceof Error error) fail(error);
      releaseSlot();
    }
  }

  @Override
  public final boolean shutdown(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    lock.lock();
    try {
      switch (state) {
        case NEW -> {
          state = State.CLOSED;
          shutdownResult = true;
          stateChanged.signalAll();
          return true;
        }
        case STOPPING, CLOSED -> {
          try {
            while (state != State.CLOSED) {
              long left = deadline - System.nanoTime();
              if (left <= 0) return false;
              stateChanged.awaitNanos(left);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
          return shutdownResult;
        }
        case SERVING -> {
          state = State.STOPPING;
          stateChanged.signalAll();
          slotFree.signalAll();
        }
      }
    } finally {
      lock.unlock();
    }
    try {
      stopTaking();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, () -> name + ": stopping the consumer failed: " + e, e);
    }
    boolean idle = true;
    lock.lock();
    try {
      try {
        while (busy.get() > 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            idle = false;
            break;
          }
          drained.awaitNanos(left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        idle = false;
      }
    } finally {
      lock.unlock();
    }
    try {
      release();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, () -> name + ": releasing the server failed: " + e, e);
    }
    ThreadPoolExecutor pool = workers();
    // Receives still running past the timeout are interrupted, on the server's threads and on the
    // backend's (a receive processed where it was taken); the server's threads end with them.
    if (idle) {
      pool.shutdown();
    } else {
      pool.shutdownNow();
      for (Thread t : receiving.keySet()) {
        receiving.computeIfPresent(
            t,
            (thread, interrupted) -> {
              thread.interrupt();
              return Boolean.TRUE;
            });
      }
    }
    lock.lock();
    try {
      state = State.CLOSED;
      shutdownResult = idle;
      stateChanged.signalAll();
    } finally {
      lock.unlock();
    }
    return idle;
  }

  /** The body of a message being received: it refuses reads once the receive returned. */
  private static final class SealableBody extends InputStream {
    private final InputStream in;
    private volatile boolean sealed;

    SealableBody(InputStream in) {
      this.in = in;
    }

    void seal() {
      sealed = true;
    }

    private void check() throws IOException {
      if (sealed) throw new IOException("msg: message body read after receive returned");
    }

    @Override
    public int read() throws IOException {
      check();
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      check();
      return in.read(b, off, len);
    }

    @Override
    public byte[] readAllBytes() throws IOException {
      check();
      return in.readAllBytes();
    }

    @Override
    public long skip(long n) throws IOException {
      check();
      return in.skip(n);
    }

    @Override
    public int available() throws IOException {
      check();
      return in.available();
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
