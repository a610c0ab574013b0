package dev.amqpkit.msg.decorate;

import dev.amqpkit.msg.Attributes;
import dev.amqpkit.msg.Message;
import dev.amqpkit.msg.Receiver;
import java.util.ArrayList;
import java.util.List;

/** Calls a receiver again while it throws, as {@link Retry#receiver} says. Thread-safe. */
final class RetryingReceiver implements Receiver {
  private final Receiver receiver;
  private final Retry retry;

  RetryingReceiver(Receiver receiver, Retry retry) {
    this.receiver = receiver;
    this.retry = retry;
  }

  /**
   * Calls the wrapped receiver until it returns or the attempts are used up.
   *
   * @throws Exception what the last attempt threw, with the earlier ones suppressed
   */
  @Override
  public void receive(Message message) throws Exception {
    Attributes attributes = message.attributes().copy();
    byte[] body = message.readBody();
    List<Exception> failures = new ArrayList<>();
    for (int attempt = 1; ; attempt++) {
      try {
        receiver.receive(Message.of(attributes.copy(), body));
        return;
      } catch (Exception e) {
        if (!retry.retries(e, attempt)) throw Retry.withEarlier(e, failures);
        failures.add(e);
        try {
          retry.await(attempt);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          failures.remove(failures.size() - 1);
          e.addSuppressed(interrupted);
          throw Retry.withEarlier(e, failures);
        }
      }
    }
  }

  @Override
  public String toString() {
    return retry + ".receiver(" + receiver + ")";
  }
}
