package dev.amqpkit.msg.decorate;

import dev.amqpkit.msg.Receiver;
import dev.amqpkit.msg.SendFailedException;
import dev.amqpkit.msg.Topic;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Decorators that try again, after a {@link Backoff} delay, what failed: a receive, or a send.
 *
 * <p>{@link #receiver} calls its receiver again with the same message when it throws an exception;
 * {@link #topic} sends a message again when sending it failed with {@link SendFailedException}.
 * After the last attempt the last exception is thrown, with those of the earlier attempts added to
 * it as suppressed exceptions.
 *
 * <pre>{@code
 * Retry retry = Retry.builder().maxAttempts(5).backoff(Backoff.exponential(ofMillis(50), ofSeconds(2))).build();
 * server.serve(retry.receiver(receiver));
 * }</pre>
 *
 * <p>Immutable and thread-safe; so are the receivers it makes (if the wrapped one is) and the
 * topics (if the wrapped one is).
 */
public final class Retry {
  private final int maxAttempts;
  private final Backoff backoff;
  private final Predicate<? super Exception> retryIf;
  private final int maxBodySize;
  private final Sleeper sleeper;

  Retry(Builder builder, Sleeper sleeper) {
    this.maxAttempts = builder.maxAttempts;
    this.backoff = builder.backoff;
    this.retryIf = builder.retryIf;
    this.maxBodySize = builder.maxBodySize;
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper == null");
  }

  /** Retries with the defaults: 3 attempts, {@code Backoff.exponential(100 ms, 5 s)}. */
  public static Retry create() {
    return builder().build();
  }

  /** Options, starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A receiver that calls {@code receiver} up to {@code maxAttempts} times with a message until it
   * returns, waiting {@code backoff.delay(n)} before retry {@code n}.
   *
   * <p>It reads the body once, into memory, and gives each attempt a message of its own: a copy of
   * the attributes as received and a body readable from the start. An exception that {@code
   * retryIf} refuses ends the retries at once. An {@link Error} is not retried and passes through.
   * When the attempts are used up, the receive fails with the last exception, so the server puts
   * the message back or dead-letters it.
   *
   * <p>The message stays in flight while it waits: keep the sum of the delays well below the time
   * the server's {@code shutdown} is given. If the thread is interrupted while waiting (a shutdown
   * whose time ran out), the interrupt flag is set again and the last exception is thrown, with the
   * {@code InterruptedException} among its suppressed exceptions.
   */
  public Receiver receiver(Receiver receiver) {
    Objects.requireNonNull(receiver, "receiver == null");
    return new RetryingReceiver(receiver, this);
  }

  /**
   * A topic whose writers keep the message in memory (at most {@code maxBodySize} bytes, or the
   * write fails with an {@code IOException}) and on close send it through a new writer of {@code
   * topic}, again and again while that fails with {@link SendFailedException}, up to {@code
   * maxAttempts} times, waiting {@code backoff.delay(n)} before retry {@code n}.
   *
   * <p>Other {@code IOException}s (a decorator's transformation failed, the body is too large) do
   * not improve with time and are thrown at once. A broker that took a message but whose
   * confirmation was lost makes the retry a duplicate: receivers should tolerate duplicates, as
   * they must anyway. If the thread is interrupted while waiting, the interrupt flag is set again
   * and the last {@code SendFailedException} is thrown, with the {@code InterruptedException} among
   * its suppressed exceptions.
   */
  public Topic topic(Topic topic) {
    Objects.requireNonNull(topic, "topic == null");
    return () -> new RetryingWriter(topic, this);
  }

  int maxAttempts() {
    return maxAttempts;
  }

  int maxBodySize() {
    return maxBodySize;
  }

  /** Whether {@code failure} of attempt {@code attempt} may be retried. */
  boolean retries(Exception failure, int attempt) {
    return attempt < maxAttempts && retryIf.test(failure);
  }

  /** Waits before retry {@code retry}. */
  void await(int retry) throws InterruptedException {
    sleeper.sleep(Objects.requireNonNull(backoff.delay(retry), "backoff returned null"));
  }

  /**
   * Adds {@code earlier} to {@code last} as suppressed exceptions, skipping {@code last} itself.
   */
  static <E extends Exception> E withEarlier(E last, Iterable<? extends Exception> earlier) {
    for (Exception e : earlier) {
      if (e != last) last.addSuppressed(e);
    }
    return last;
  }

  @Override
  public String toString() {
    return "Retry(maxAttempts=" + maxAttempts + ", backoff=" + backoff + ")";
  }

  /** Options of a {@link Retry}. Not thread-safe. */
  public static final class Builder {
    private int maxAttempts = 3;
    private Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(5));
    private Predicate<? super Exception> retryIf = e -> true;
    private int maxBodySize = 64 * 1024 * 1024;

    private Builder() {}

    /**
     * How many times a receive or send is tried in all, the first time included; default 3.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts < 1: " + maxAttempts);
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The delays between attempts; default {@code Backoff.exponential(100 ms, 5 s)}. */
    public Builder backoff(Backoff backoff) {
      this.backoff = Objects.requireNonNull(backoff, "backoff == null");
      return this;
    }

    /**
     * Which failures are worth another attempt; default all of them. For example {@code e -> !(e
     * instanceof ContentDecodingException)}: a corrupt body stays corrupt. On the topic side this
     * narrows {@link SendFailedException}s further.
     */
    public Builder retryIf(Predicate<? super Exception> retryIf) {
      this.retryIf = Objects.requireNonNull(retryIf, "retryIf == null");
      return this;
    }

    /**
     * The largest body the topic side keeps for sending again, in bytes; default 64 MiB.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder maxBodySize(int maxBodySize) {
      if (maxBodySize < 0) throw new IllegalArgumentException("maxBodySize < 0: " + maxBodySize);
      this.maxBodySize = maxBodySize;
      return this;
    }

    /** The retry decorators. */
    public Retry build() {
      return new Retry(this, Sleeper.SYSTEM);
    }

    Retry build(Sleeper sleeper) {
      return new Retry(this, sleeper);
    }
  }
}
