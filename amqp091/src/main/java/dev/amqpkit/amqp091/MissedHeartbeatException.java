package dev.amqpkit.amqp091;

/** The broker sent nothing for two heartbeat intervals, so the client closed the connection. */
public final class MissedHeartbeatException extends ConnectionClosedException {
  private static final long serialVersionUID = 1L;

  public MissedHeartbeatException(String message) {
    super(
        message,
        new CloseReason(320, "missed heartbeats from the broker", 0, 0),
        CloseInitiator.CLIENT,
        null);
  }
}
