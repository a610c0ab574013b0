package dev.amqpkit.amqp10;

import dev.amqpkit.amqp10.types.DescribedValue;
import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.amqp10.types.UnsignedLong;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to attach a receiver. Immutable and thread-safe; build with {@link #builder()}.
 *
 * <p>{@link #toString()} names the address, the credit and the modes.
 */
public final class ReceiverOptions extends LinkOptions {
  /** The credit window a receiver keeps by default. */
  public static final int DEFAULT_CREDIT = 100;

  /** The largest message a receiver takes by default: 128 MiB, RabbitMQ's own limit. */
  public static final long DEFAULT_MAX_MESSAGE_SIZE = 128L * 1024 * 1024;

  /** The filter-set key and descriptor of the JMS-style selector filter. */
  public static final Symbol SELECTOR_FILTER = Symbol.valueOf("apache.org:selector-filter:string");

  private static final UnsignedLong SELECTOR_FILTER_CODE =
      UnsignedLong.valueOf(0x0000468C00000004L);

  /** The filter-set key and descriptor of Azure Service Bus's session filter. */
  public static final Symbol SESSION_FILTER = Symbol.valueOf("com.microsoft:session-filter");

  private static final UnsignedLong SESSION_FILTER_CODE = UnsignedLong.valueOf(0x00000137000000CL);

  private final int credit;
  private final ReceiverSettleMode settleMode;
  private final SenderSettleMode senderSettleMode;
  private final Map<Symbol, Object> filters;
  private final int dispositionBatchSize;
  private final Duration dispositionMaxAge;

  private ReceiverOptions(Builder b) {
    super(b);
    credit = b.credit;
    settleMode = b.settleMode;
    senderSettleMode = b.senderSettleMode;
    filters = Message.immutableCopy(b.filters, "filters");
    dispositionBatchSize = b.dispositionBatchSize;
    dispositionMaxAge = b.dispositionMaxAge;
  }

  @Override
  boolean requiresAddress() {
    return true;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    return new Builder(this);
  }

  /** The credit window kept topped up automatically, or 0 for manual credit. */
  public int credit() {
    return credit;
  }

  /** Whether the application grants credit itself. */
  public boolean manualCredit() {
    return credit == 0;
  }

  /** How this receiver settles; the peer must agree. */
  public ReceiverSettleMode settleMode() {
    return settleMode;
  }

  /** The sender settle mode asked of the peer, or null to take what the peer sends. */
  public SenderSettleMode senderSettleMode() {
    return senderSettleMode;
  }

  /** The source's filter-set: key to described filter. */
  public Map<Symbol, Object> filters() {
    return filters;
  }

  /** How many settlements are sent in one disposition at most; 1 when not batching. */
  public int dispositionBatchSize() {
    return dispositionBatchSize;
  }

  /** How long a settlement may wait for others to join it; zero when not batching. */
  public Duration dispositionMaxAge() {
    return dispositionMaxAge;
  }

  @Override
  public String toString() {
    return "ReceiverOptions{address="
        + (dynamic() ? "(dynamic)" : address())
        + (credit == 0 ? ", manual credit" : ", credit=" + credit)
        + ", settleMode="
        + settleMode
        + (senderSettleMode == null ? "" : ", senderSettleMode=" + senderSettleMode)
        + (filters.isEmpty() ? "" : ", filters=" + filters.keySet())
        + (dispositionBatchSize == 1
            ? ""
            : ", dispositionBatch=" + dispositionBatchSize + "/" + dispositionMaxAge)
        + "}";
  }

  /** Builds {@link ReceiverOptions}. Not thread-safe. */
  public static final class Builder extends LinkOptions.Builder<Builder> {
    private int credit = DEFAULT_CREDIT;
    private ReceiverSettleMode settleMode = ReceiverSettleMode.FIRST;
    private SenderSettleMode senderSettleMode;
    private final Map<Symbol, Object> filters = new LinkedHashMap<>();
    private int dispositionBatchSize = 1;
    private Duration dispositionMaxAge = Duration.ZERO;

    private Builder() {
      maxMessageSize(DEFAULT_MAX_MESSAGE_SIZE);
    }

    private Builder(ReceiverOptions o) {
      super(o);
      credit = o.credit;
      settleMode = o.settleMode;
      senderSettleMode = o.senderSettleMode;
      filters.putAll(o.filters);
      dispositionBatchSize = o.dispositionBatchSize;
      dispositionMaxAge = o.dispositionMaxAge;
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * Automatic credit: the receiver keeps up to {@code credit} messages prefetched and grants more
     * as the application takes them. Default {@value ReceiverOptions#DEFAULT_CREDIT}.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder credit(int credit) {
      if (credit < 1) throw new IllegalArgumentException("credit < 1: " + credit);
      this.credit = credit;
      return this;
    }

    /**
     * Manual credit: the receiver grants none by itself; use {@link Receiver#addCredit} and {@link
     * Receiver#drain}.
     */
    public Builder manualCredit() {
      this.credit = 0;
      return this;
    }

    /**
     * Default {@link ReceiverSettleMode#FIRST}. If the peer does not agree to the mode, the link
     * does not open.
     */
    public Builder settleMode(ReceiverSettleMode mode) {
      this.settleMode = Objects.requireNonNull(mode, "mode == null");
      return this;
    }

    /**
     * Asks the sending end to settle in this mode; if it does not agree, the link does not open.
     * Default: none asked.
     */
    public Builder senderSettleMode(SenderSettleMode mode) {
      this.senderSettleMode = Objects.requireNonNull(mode, "mode == null");
      return this;
    }

    /** A JMS-style selector on the messages' properties, such as {@code "color = 'red'"}. */
    public Builder selector(String selector) {
      Objects.requireNonNull(selector, "selector == null");
      return filter(SELECTOR_FILTER, SELECTOR_FILTER_CODE, selector);
    }

    /** Azure Service Bus's session filter: messages of this session id only. */
    public Builder sessionFilter(String sessionId) {
      Objects.requireNonNull(sessionId, "sessionId == null");
      return filter(SESSION_FILTER, SESSION_FILTER_CODE, sessionId);
    }

    /**
     * Adds a filter to the source's filter-set: {@code value} described by {@code descriptor} (a
     * {@link Symbol} or an {@link UnsignedLong}) under {@code key}.
     *
     * @throws IllegalArgumentException if the descriptor is neither a symbol nor an unsigned long
     */
    public Builder filter(Symbol key, Object descriptor, Object value) {
      Objects.requireNonNull(key, "key == null");
      filters.put(key, DescribedValue.of(descriptor, value));
      return this;
    }

    /**
     * Batches settlements: up to {@code size} consecutive deliveries settled with the same outcome
     * go in one disposition, sent at the latest {@code maxAge} after the first of them. Default:
     * one disposition per settlement.
     *
     * @throws IllegalArgumentException if {@code size} is below 1, or {@code maxAge} is not
     *     positive while {@code size} is above 1
     */
    public Builder dispositionBatch(int size, Duration maxAge) {
      Objects.requireNonNull(maxAge, "maxAge == null");
      if (size < 1) throw new IllegalArgumentException("size < 1: " + size);
      if (size > 1 && (maxAge.isNegative() || maxAge.isZero())) {
        throw new IllegalArgumentException("maxAge must be positive when batching: " + maxAge);
      }
      this.dispositionBatchSize = size;
      this.dispositionMaxAge = size == 1 ? Duration.ZERO : maxAge;
      return this;
    }

    /**
     * @throws IllegalStateException if there is neither an address nor a dynamic address
     */
    public ReceiverOptions build() {
      return new ReceiverOptions(this);
    }
  }
}
