package dev.amqpkit.msg.decorate;

import dev.amqpkit.msg.Message;
import dev.amqpkit.msg.Receiver;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/** Processes each message within a consumer span, a child of the sender's. Thread-safe. */
final class TracingReceiver implements Receiver {
  private final Receiver receiver;
  private final Tracing tracing;
  private final String destination;

  TracingReceiver(Receiver receiver, Tracing tracing, String destination) {
    this.receiver = receiver;
    this.tracing = tracing;
    this.destination = destination;
  }

  /**
   * Calls the wrapped receiver within a consumer span.
   *
   * @throws Exception what the wrapped receiver threw; the span records it
   */
  @Override
  public void receive(Message message) throws Exception {
    Context parent =
        tracing
            .propagator()
            .extract(Context.current(), message.attributes(), AttributesCarrier.INSTANCE);
    Span span =
        tracing.span("process", destination, SpanKind.CONSUMER).setParent(parent).startSpan();
    Scope scope = parent.with(span).makeCurrent();
    try {
      receiver.receive(message);
    } catch (Throwable t) {
      Tracing.fail(span, t);
      throw t;
    } finally {
      scope.close();
      span.end();
    }
  }

  @Override
  public String toString() {
    return "Tracing.receiver(" + destination + ", " + receiver + ")";
  }
}
