package dev.amqpkit.msg;

import java.io.IOException;

/**
 * Where messages are sent: each {@link #newWriter()} starts one message.
 *
 * <p>Implementations are thread-safe: many threads may make writers of one topic at once. A lambda
 * is a topic, which is how decorators wrap one.
 */
@FunctionalInterface
public interface Topic {

  /** Starts a message; it is sent when the writer is closed. */
  MessageWriter newWriter();

  /**
   * Sends a message: its attributes and the rest of its body through a new writer. Returns once the
   * writer's {@code close} did; nothing is sent when reading the body fails.
   *
   * @throws SendFailedException if sending failed
   * @throws IOException if reading the body failed
   */
  default void send(Message message) throws IOException {
    MessageWriter writer = newWriter();
    writer.attributes().addAll(message.attributes());
    message.body().transferTo(writer);
    writer.close();
  }
}
