package dev.amqpkit.amqp091;

/** A condition under which a delete goes ahead; if it does not hold, the broker refuses (406). */
public enum DeleteCondition {
  /** Only if nothing uses it: no consumers (queue) or no bindings (exchange). */
  IF_UNUSED,
  /** Only if the queue holds no messages. */
  IF_EMPTY
}
