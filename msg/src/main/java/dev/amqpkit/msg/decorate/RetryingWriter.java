package dev.amqpkit.msg.decorate;

import dev.amqpkit.msg.Attributes;
import dev.amqpkit.msg.MessageWriter;
import dev.amqpkit.msg.SendFailedException;
import dev.amqpkit.msg.Topic;
import dev.amqpkit.msg.spi.BufferedMessageWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Keeps the message and sends it again while sending fails, as {@link Retry#topic} says. */
final class RetryingWriter extends BufferedMessageWriter {
  private final Topic topic;
  private final Retry retry;

  RetryingWriter(Topic topic, Retry retry) {
    super(retry.maxBodySize());
    this.topic = topic;
    this.retry = retry;
  }

  @Override
  protected void send(Attributes attributes, byte[] body, int length) throws IOException {
    List<SendFailedException> failures = new ArrayList<>();
    for (int attempt = 1; ; attempt++) {
      try {
        MessageWriter writer = topic.newWriter();
        writer.attributes().addAll(attributes);
        writer.write(body, 0, length);
        writer.close();
        return;
      } catch (SendFailedException e) {
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
      } catch (IOException e) {
        throw Retry.withEarlier(e, failures);
      }
    }
  }
}
