package dev.amqpkit.amqp10;

/** When the expiry timer of a link's terminus starts. */
public enum ExpiryPolicy {
  /** When the link detaches. */
  LINK_DETACH,
  /** When the session ends (the specification's default). */
  SESSION_END,
  /** When the connection closes. */
  CONNECTION_CLOSE,
  /** Never: the terminus does not expire. */
  NEVER
}
