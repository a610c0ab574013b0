package dev.amqpkit.msg;

/** {@link Server#serve} was called on a server that was shut down, or is being shut down. */
public final class ServerClosedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** With the message "msg: server closed". */
  public ServerClosedException() {
    super("msg: server closed");
  }
}
