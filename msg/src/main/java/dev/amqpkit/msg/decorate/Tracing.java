package dev.amqpkit.msg.decorate;

import dev.amqpkit.msg.Receiver;
import dev.amqpkit.msg.Topic;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.Objects;

/**
 * Decorators that trace messages with OpenTelemetry and carry the trace context from sender to
 * receiver in the message's attributes.
 *
 * <p>A {@linkplain #topic topic}'s writer, on close, starts a {@link SpanKind#PRODUCER} span named
 * {@code "send <destination>"}, writes its context into the attributes (with W3C trace context:
 * {@code Traceparent} and, when there is trace state, {@code Tracestate}) and sends the message
 * within it. A {@linkplain #receiver receiver} reads that context back and processes the message
 * within a {@link SpanKind#CONSUMER} span named {@code "process <destination>"}, a child of the
 * sender's span, current while the wrapped receiver runs. A send or receive that throws marks its
 * span with the exception and the error status. The spans carry the messaging semantic conventions'
 * attributes: {@code messaging.operation.name} and {@code messaging.operation.type} ({@code send}
 * or {@code process}), {@code messaging.destination.name}, {@code messaging.system} if {@linkplain
 * #withSystem given}, the body size the producer wrote as {@code messaging.message.body.size}, and
 * {@code error.type} on failure.
 *
 * <p>Needs {@code io.opentelemetry:opentelemetry-api} on the class path. Immutable and thread-safe;
 * so are its decorators if the decorated topic or receiver is.
 */
public final class Tracing {
  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  static final AttributeKey<String> DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");
  static final AttributeKey<String> OPERATION_NAME =
      AttributeKey.stringKey("messaging.operation.name");
  static final AttributeKey<String> OPERATION_TYPE =
      AttributeKey.stringKey("messaging.operation.type");
  static final AttributeKey<Long> BODY_SIZE = AttributeKey.longKey("messaging.message.body.size");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final String system;

  private Tracing(Tracer tracer, TextMapPropagator propagator, String system) {
    this.tracer = tracer;
    this.propagator = propagator;
    this.system = system;
  }

  /**
   * Traces with {@code openTelemetry}'s tracer provider and text-map propagator. If it has no
   * propagator (an SDK built without {@code setPropagators}), W3C trace context is used, so that
   * messages always carry their trace.
   */
  public static Tracing create(OpenTelemetry openTelemetry) {
    Objects.requireNonNull(openTelemetry, "openTelemetry == null");
    TextMapPropagator propagator = openTelemetry.getPropagators().getTextMapPropagator();
    if (propagator.fields().isEmpty()) propagator = W3CTraceContextPropagator.getInstance();
    return new Tracing(openTelemetry.getTracer("dev.amqpkit.msg"), propagator, null);
  }

  /** Traces with {@link GlobalOpenTelemetry}, as {@link #create} would. */
  public static Tracing global() {
    return create(GlobalOpenTelemetry.get());
  }

  /**
   * The same tracing, with spans naming the messaging system in {@code messaging.system}, such as
   * {@code rabbitmq} or {@code activemq}.
   */
  public Tracing withSystem(String system) {
    return new Tracing(tracer, propagator, Objects.requireNonNull(system, "system == null"));
  }

  /**
   * A topic whose writers send within a producer span and carry its context in their attributes.
   *
   * @param destination the name of where {@code topic} sends (a queue, an exchange), for the span
   */
  public Topic topic(Topic topic, String destination) {
    Objects.requireNonNull(topic, "topic == null");
    Objects.requireNonNull(destination, "destination == null");
    return () -> new TracingWriter(topic.newWriter(), this, destination);
  }

  /**
   * A receiver that processes each message within a consumer span, a child of the context the
   * message carries (or of the current context, if it carries none).
   *
   * @param destination the name of where the messages come from (a queue), for the span
   */
  public Receiver receiver(Receiver receiver, String destination) {
    Objects.requireNonNull(receiver, "receiver == null");
    Objects.requireNonNull(destination, "destination == null");
    return new TracingReceiver(receiver, this, destination);
  }

  TextMapPropagator propagator() {
    return propagator;
  }

  /**
   * A span builder for {@code operation} ({@code send}, {@code process}) on {@code destination}.
   */
  SpanBuilder span(String operation, String destination, SpanKind kind) {
    SpanBuilder builder =
        tracer
            .spanBuilder(operation + " " + destination)
            .setSpanKind(kind)
            .setAttribute(OPERATION_NAME, operation)
            .setAttribute(OPERATION_TYPE, operation)
            .setAttribute(DESTINATION, destination);
    if (system != null) builder.setAttribute(SYSTEM, system);
    return builder;
  }

  /** Marks {@code span} as failed with {@code failure}. */
  static void fail(Span span, Throwable failure) {
    span.recordException(failure);
    span.setAttribute(ERROR_TYPE, failure.getClass().getName());
    span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
  }

  @Override
  public String toString() {
    return "Tracing(" + (system == null ? "" : system) + ")";
  }
}
