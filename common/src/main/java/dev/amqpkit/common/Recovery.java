package dev.amqpkit.common;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether and how a connection heals itself after a failure: the {@link Backoff} between attempts,
 * when to give up, and what happens to publishes made meanwhile. Immutable; built with {@link
 * #builder()}.
 *
 * <p>The defaults: recovery on; {@linkplain Backoff#exponential(Duration, Duration) exponential}
 * backoff from 100 ms to 10 s; no limit on attempts or time (a connection keeps trying until the
 * application closes it, as the official RabbitMQ client does); a refused login is not retried; up
 * to 10,000 publishes made while recovering wait to be sent.
 */
public final class Recovery {
  /** The number of publishes that may wait while a connection recovers, by default. */
  public static final int DEFAULT_BUFFERED_PUBLISHES = 10_000;

  private static final Recovery DISABLED = new Builder().enabled(false).build();
  private static final Recovery DEFAULTS = new Builder().build();

  private final boolean enabled;
  private final Backoff backoff;
  private final int maxAttempts;
  private final Duration maxElapsed;
  private final boolean retryAuthenticationFailures;
  private final int bufferedPublishes;

  private Recovery(Builder b) {
    this.enabled = b.enabled;
    this.backoff = b.backoff;
    this.maxAttempts = b.maxAttempts;
    this.maxElapsed = b.maxElapsed;
    this.retryAuthenticationFailures = b.retryAuthenticationFailures;
    this.bufferedPublishes = b.bufferedPublishes;
  }

  /** Recovery on, with the defaults above. */
  public static Recovery defaults() {
    return DEFAULTS;
  }

  /** No recovery: a failed connection stays closed, as with the bare client. */
  public static Recovery disabled() {
    return DISABLED;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    return new Builder(this);
  }

  public boolean enabled() {
    return enabled;
  }

  public Backoff backoff() {
    return backoff;
  }

  /** How many attempts to reconnect after one failure before giving up. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** How long after a failure to keep trying; empty for no limit. */
  public Optional<Duration> maxElapsed() {
    return Optional.ofNullable(maxElapsed);
  }

  /** Whether a refused login during recovery is tried again rather than the end of it. */
  public boolean retryAuthenticationFailures() {
    return retryAuthenticationFailures;
  }

  /**
   * How many publishes made while the connection recovers wait to be sent once it is back; 0 means
   * such a publish fails at once.
   */
  public int bufferedPublishes() {
    return bufferedPublishes;
  }

  @Override
  public String toString() {
    if (!enabled) return "Recovery{disabled}";
    return "Recovery{maxAttempts="
        + (maxAttempts == Integer.MAX_VALUE ? "unlimited" : maxAttempts)
        + ", maxElapsed="
        + (maxElapsed == null ? "unlimited" : maxElapsed)
        + ", retryAuthenticationFailures="
        + retryAuthenticationFailures
        + ", bufferedPublishes="
        + bufferedPublishes
        + "}";
  }

  /** Builds {@link Recovery}; starts from the defaults. Not thread-safe. */
  public static final class Builder {
    private boolean enabled = true;
    private Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(10));
    private int maxAttempts = Integer.MAX_VALUE;
    private Duration maxElapsed;
    private boolean retryAuthenticationFailures;
    private int bufferedPublishes = DEFAULT_BUFFERED_PUBLISHES;

    private Builder() {}

    private Builder(Recovery r) {
      enabled = r.enabled;
      backoff = r.backoff;
      maxAttempts = r.maxAttempts;
      maxElapsed = r.maxElapsed;
      retryAuthenticationFailures = r.retryAuthenticationFailures;
      bufferedPublishes = r.bufferedPublishes;
    }

    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    public Builder backoff(Backoff backoff) {
      this.backoff = Objects.requireNonNull(backoff, "backoff == null");
      return this;
    }

    /**
     * Gives up after this many failed attempts to reconnect.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Gives up once this long has passed since the failure; no attempt starts after it.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxElapsed(Duration maxElapsed) {
      Objects.requireNonNull(maxElapsed, "maxElapsed == null");
      if (maxElapsed.isNegative() || maxElapsed.isZero()) {
        throw new IllegalArgumentException("maxElapsed must be positive: " + maxElapsed);
      }
      this.maxElapsed = maxElapsed;
      return this;
    }

    public Builder retryAuthenticationFailures(boolean retry) {
      this.retryAuthenticationFailures = retry;
      return this;
    }

    /**
     * How many publishes made while recovering may wait to be sent (beyond them, a publisher waits
     * for room, bounded by its usual timeout); 0 to fail such publishes at once.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder bufferedPublishes(int bufferedPublishes) {
      if (bufferedPublishes < 0) {
        throw new IllegalArgumentException("bufferedPublishes is negative: " + bufferedPublishes);
      }
      this.bufferedPublishes = bufferedPublishes;
      return this;
    }

    public Recovery build() {
      return new Recovery(this);
    }
  }
}
