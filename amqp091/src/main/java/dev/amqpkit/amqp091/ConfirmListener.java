package dev.amqpkit.amqp091;

/**
 * Hears the broker's publisher confirms on a channel in confirm mode. Runs on the channel's
 * callback executor, in the order the confirms arrived.
 */
public interface ConfirmListener {
  /** The broker took every message up to {@code sequenceNumber} (if multiple) or just that one. */
  void acked(long sequenceNumber, boolean multiple);

  /** The broker did not take them. */
  void nacked(long sequenceNumber, boolean multiple);
}
