package dev.amqpkit.amqp10;

/** Who ended a connection, a session or a link. */
public enum CloseInitiator {
  /** The application closed it. */
  APPLICATION,
  /** The peer sent {@code close}. */
  PEER,
  /** The network failed: the socket ended, a write failed, or the peer fell silent. */
  NETWORK,
  /** This client closed it over something the peer did wrong (a protocol error). */
  CLIENT
}
