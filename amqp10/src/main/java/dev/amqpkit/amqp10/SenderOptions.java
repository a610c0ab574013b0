package dev.amqpkit.amqp10;

import java.util.Objects;

/**
 * How to attach a sender. Immutable and thread-safe; build with {@link #builder()}.
 *
 * <p>{@link #toString()} names the address and the modes.
 */
public final class SenderOptions extends LinkOptions {
  /** How many sends may await their outcome by default. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 10_000;

  private final SenderSettleMode settleMode;
  private final ReceiverSettleMode receiverSettleMode;
  private final int maxInFlight;

  private SenderOptions(Builder b) {
    super(b);
    settleMode = b.settleMode;
    receiverSettleMode = b.receiverSettleMode;
    maxInFlight = b.maxInFlight;
  }

  @Override
  boolean requiresAddress() {
    return false;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    return new Builder(this);
  }

  /** How this sender settles; the peer must agree. */
  public SenderSettleMode settleMode() {
    return settleMode;
  }

  /** The receiver settle mode asked of the peer, or null to take the peer's choice. */
  public ReceiverSettleMode receiverSettleMode() {
    return receiverSettleMode;
  }

  /** How many unsettled sends may await their outcome before a send waits. */
  public int maxInFlight() {
    return maxInFlight;
  }

  @Override
  public String toString() {
    return "SenderOptions{address="
        + (dynamic() ? "(dynamic)" : address())
        + ", settleMode="
        + settleMode
        + (receiverSettleMode == null ? "" : ", receiverSettleMode=" + receiverSettleMode)
        + ", maxInFlight="
        + maxInFlight
        + "}";
  }

  /** Builds {@link SenderOptions}. Not thread-safe. */
  public static final class Builder extends LinkOptions.Builder<Builder> {
    private SenderSettleMode settleMode = SenderSettleMode.UNSETTLED;
    private ReceiverSettleMode receiverSettleMode;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;

    private Builder() {}

    private Builder(SenderOptions o) {
      super(o);
      settleMode = o.settleMode;
      receiverSettleMode = o.receiverSettleMode;
      maxInFlight = o.maxInFlight;
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * Default {@link SenderSettleMode#UNSETTLED}: every send gets the receiver's outcome. If the
     * peer does not agree to the mode, the link does not open.
     */
    public Builder settleMode(SenderSettleMode mode) {
      this.settleMode = Objects.requireNonNull(mode, "mode == null");
      return this;
    }

    /**
     * Asks the receiving end to settle in this mode; if it does not agree, the link does not open.
     * Default: none asked, the peer chooses (and the sender handles both).
     */
    public Builder receiverSettleMode(ReceiverSettleMode mode) {
      this.receiverSettleMode = Objects.requireNonNull(mode, "mode == null");
      return this;
    }

    /**
     * How many unsettled sends may await their outcome before {@link Sender#send} waits; default
     * {@value SenderOptions#DEFAULT_MAX_IN_FLIGHT}.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxInFlight(int max) {
      if (max < 1) throw new IllegalArgumentException("maxInFlight < 1: " + max);
      this.maxInFlight = max;
      return this;
    }

    public SenderOptions build() {
      return new SenderOptions(this);
    }
  }
}
