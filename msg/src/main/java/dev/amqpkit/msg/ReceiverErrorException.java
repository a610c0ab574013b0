package dev.amqpkit.msg;

/**
 * A receiver threw an {@link Error}, which is this exception's cause; a {@link SafeReceiver} turns
 * it into this failed receive.
 */
public final class ReceiverErrorException extends Exception {
  private static final long serialVersionUID = 1L;

  ReceiverErrorException(Error cause) {
    super("the receiver threw " + cause, cause);
  }
}
