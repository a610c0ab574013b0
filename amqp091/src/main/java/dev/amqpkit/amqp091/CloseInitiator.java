package dev.amqpkit.amqp091;

/** Who ended a connection or channel. */
public enum CloseInitiator {
  /** The application closed it. */
  APPLICATION,
  /** The broker sent close. */
  BROKER,
  /** The client closed it over a protocol violation or missed heartbeats. */
  CLIENT,
  /** The network: the socket failed or ended. */
  NETWORK
}
