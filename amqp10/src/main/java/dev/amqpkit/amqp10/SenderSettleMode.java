package dev.amqpkit.amqp10;

/** How a sender settles its deliveries, agreed when a link attaches. */
public enum SenderSettleMode {
  /** Every delivery is sent unsettled: the receiver's outcome comes back for each. */
  UNSETTLED,
  /** Every delivery is sent settled ("fire and forget"): no outcome comes back. */
  SETTLED,
  /** The sender chooses per delivery. */
  MIXED
}
