package dev.amqpkit.amqp10;

/** When a receiver settles a delivery, agreed when a link attaches. */
public enum ReceiverSettleMode {
  /** The receiver settles as it sends its outcome ("at most once" once the outcome is sent). */
  FIRST,
  /**
   * The receiver sends its outcome unsettled and settles only once the sender has settled: the
   * sender knows the outcome arrived before the receiver forgets the delivery.
   */
  SECOND
}
