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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
  private final Object lock = new Object();
  private State state = State.NEW;
  private int busy;
  private Throwable failure;
  private boolean shutdownResult;
  private Receiver receiver;
  private ThreadPoolExecutor workers;

  /**
   * @param name what the server serves (a queue, an address), in its threads' names and messages
   * @param concurrency how many messages may be in flight at once, at least 1
   */
  protected AbstractServer(String name, int concurrency) {
    this.name = Objects.requireNonNull(name, "name == null");
    if (concurrency < 1) throw new IllegalArgumentException("concurrency < 1: " + concurrency);
    this.concurrency = concurrency;
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
    synchronized (lock) {
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
      synchronized (lock) {
        while (state != State.CLOSED && failure == null) lock.wait();
        failed = failure != null;
      }
    } catch (InterruptedException e) {
      shutdown(Duration.ZERO);
      throw e;
    }
    if (failed) {
      shutdown(FAILURE_GRACE);
      Throwable cause;
      synchronized (lock) {
        cause = failure;
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
    synchronized (lock) {
      if (failure != null || state == State.STOPPING || state == State.CLOSED) return;
      failure = cause;
      lock.notifyAll();
    }
  }

  /**
   * Waits until fewer than {@code concurrency} messages are in flight and takes the free slot; the
   * caller must then {@link #dispatch} a message or {@link #releaseSlot()}.
   *
   * @return false, at once, when the server stops taking messages (shutdown or failure)
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  protected final boolean awaitSlot() throws InterruptedException {
    synchronized (lock) {
      while (state == State.SERVING && failure == null && busy >= concurrency) lock.wait();
      if (state != State.SERVING || failure != null) return false;
      busy++;
      return true;
    }
  }

  /** Gives back a slot taken with {@link #awaitSlot()} that will not be used. */
  protected final void releaseSlot() {
    synchronized (lock) {
      busy--;
      lock.notifyAll();
    }
  }

  /** Whether the server is taking messages: serving, and neither shut down nor failed. */
  protected final boolean taking() {
    synchronized (lock) {
      return state == State.SERVING && failure == null;
    }
  }

  /**
   * Runs the receiver on {@code message} on a worker thread, then settles it, then frees the slot
   * taken with {@link #awaitSlot()}. The body cannot be read once the receive has returned.
   */
  protected final void dispatch(Message message, Settlement settlement) {
    Objects.requireNonNull(message, "message == null");
    Objects.requireNonNull(settlement, "settlement == null");
    ThreadPoolExecutor pool;
    synchronized (lock) {
      pool = workers;
    }
    pool.execute(() -> run(message, settlement));
  }

  private void run(Message message, Settlement settlement) {
    SealableBody body = new SealableBody(message.body());
    Throwable thrown = null;
    try {
      receiver.receive(new Message(message.attributes(), body));
    } catch (Throwable t) {
      thrown = t;
    } finally {
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
    synchronized (lock) {
      switch (state) {
        case NEW -> {
          state = State.CLOSED;
          shutdownResult = true;
          lock.notifyAll();
          return true;
        }
        case STOPPING, CLOSED -> {
          try {
            while (state != State.CLOSED) {
              long left = deadline - System.nanoTime();
              if (left <= 0) return false;
              TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
          return shutdownResult;
        }
        case SERVING -> {
          state = State.STOPPING;
          lock.notifyAll();
        }
      }
    }
    try {
      stopTaking();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, () -> name + ": stopping the consumer failed: " + e, e);
    }
    boolean idle = true;
    synchronized (lock) {
      try {
        while (busy > 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            idle = false;
            break;
          }
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        idle = false;
      }
    }
    try {
      release();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, () -> name + ": releasing the server failed: " + e, e);
    }
    ThreadPoolExecutor pool;
    synchronized (lock) {
      pool = workers;
    }
    // Receives still running past the timeout are interrupted; their threads end with them.
    if (idle) pool.shutdown();
    else pool.shutdownNow();
    synchronized (lock) {
      state = State.CLOSED;
      shutdownResult = idle;
      lock.notifyAll();
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
