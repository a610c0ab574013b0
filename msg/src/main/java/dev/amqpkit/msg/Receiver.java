package dev.amqpkit.msg;

/**
 * Processes messages a {@link Server} takes.
 *
 * <p>Returning normally means the message was processed, and the server settles it for good
 * (acknowledges it). Throwing means it was not: the server puts the message back to be delivered
 * again, or dead-letters it if so configured. The body may be read only until {@code receive}
 * returns.
 *
 * <p>A server calls {@code receive} from several threads at once, up to its concurrency: an
 * implementation must be thread-safe. An {@link Error} thrown here fails the receive and then ends
 * {@code serve}, which throws it; wrap the receiver in a {@link SafeReceiver} to have it count as a
 * failed receive only.
 */
@FunctionalInterface
public interface Receiver {

  /**
   * Processes one message.
   *
   * @throws Exception if the message was not processed
   */
  void receive(Message message) throws Exception;
}
