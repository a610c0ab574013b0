package dev.amqpkit.amqp10;

/** What of a link's terminus the peer keeps across a detach or a restart. */
public enum Durability {
  /** Nothing. */
  NONE,
  /** The terminus's configuration. */
  CONFIGURATION,
  /** The configuration and the state of unsettled deliveries. */
  UNSETTLED_STATE
}
