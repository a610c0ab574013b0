package dev.amqpkit.msg.decorate;

import dev.amqpkit.msg.Attributes;
import dev.amqpkit.msg.ClosedWriterException;
import dev.amqpkit.msg.MessageWriter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.io.IOException;

/** Sends within a producer span, whose context it puts in the attributes. Not thread-safe. */
final class TracingWriter extends MessageWriter {
  private final MessageWriter target;
  private final Tracing tracing;
  private final String destination;
  private long size;
  private boolean closed;

  TracingWriter(MessageWriter target, Tracing tracing, String destination) {
    this.target = target;
    this.tracing = tracing;
    this.destination = destination;
  }

  @Override
  public Attributes attributes() {
    return target.attributes();
  }

  @Override
  public void write(int b) throws IOException {
    target.write(b);
    size++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    target.write(b, off, len);
    size += len;
  }

  @Override
  public void flush() throws IOException {
    target.flush();
  }

  /**
   * Starts the producer span, puts its context in the attributes and closes the underlying writer
   * within it.
   *
   * @throws ClosedWriterException if the writer was closed before (no span is made)
   * @throws IOException what the underlying writer's close threw; the span records it
   */
  @Override
  public void close() throws IOException {
    if (closed) throw new ClosedWriterException();
    closed = true;
    Span span =
        tracing
            .span("send", destination, SpanKind.PRODUCER)
            .setAttribute(Tracing.BODY_SIZE, size)
            .startSpan();
    Scope scope = span.makeCurrent();
    try {
      tracing
          .propagator()
          .inject(Context.current(), target.attributes(), AttributesCarrier.INSTANCE);
      target.close();
    } catch (Throwable t) {
      Tracing.fail(span, t);
      throw t;
    } finally {
      scope.close();
      span.end();
    }
  }
}
