package dev.amqpkit.msg.decorate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.msg.Attributes;
import dev.amqpkit.msg.ClosedWriterException;
import dev.amqpkit.msg.Message;
import dev.amqpkit.msg.MessageWriter;
import dev.amqpkit.msg.SendFailedException;
import dev.amqpkit.msg.Topic;
import dev.amqpkit.msg.mem.MemoryQueue;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(60)
class TracingTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private final Tracing tracing = Tracing.create(OTEL.getOpenTelemetry()).withSystem("memory");

  private static String traceparent(SpanData span) {
    return "00-"
        + span.getTraceId()
        + "-"
        + span.getSpanId()
        + "-"
        + span.getSpanContext().getTraceFlags().asHex();
  }

  private static SpanData only(List<SpanData> spans, SpanKind kind) {
    assertThat(spans).filteredOn(s -> s.getKind() == kind).hasSize(1);
    return spans.stream().filter(s -> s.getKind() == kind).findFirst().orElseThrow();
  }

  @Test
  void theConsumerSpanIsAChildOfTheProducerSpanAcrossTheQueue() throws Exception {
    MemoryQueue queue = MemoryQueue.create("orders");
    Topic topic = tracing.topic(queue.topic(), "orders");
    Span checkout = OTEL.getOpenTelemetry().getTracer("test").spanBuilder("checkout").startSpan();
    Scope scope = checkout.makeCurrent();
    try {
      topic.send(Message.of(Attributes.of("X-Id", "1"), "hello".getBytes(UTF_8)));
    } finally {
      scope.close();
      checkout.end();
    }

    AtomicReference<SpanContext> current = new AtomicReference<>();
    AtomicReference<Attributes> received = new AtomicReference<>();
    Serving.until(
        queue.server(1),
        tracing.receiver(
            m -> {
              current.set(Span.current().getSpanContext());
              received.set(m.attributes().copy());
            },
            "orders"),
        WAIT,
        () -> OTEL.getSpans().size() == 3);

    List<SpanData> spans = OTEL.getSpans();
    SpanData producer = only(spans, SpanKind.PRODUCER);
    SpanData consumer = only(spans, SpanKind.CONSUMER);
    assertThat(producer.getName()).isEqualTo("send orders");
    assertThat(consumer.getName()).isEqualTo("process orders");
    assertThat(producer.getParentSpanId()).isEqualTo(checkout.getSpanContext().getSpanId());
    assertThat(consumer.getParentSpanId()).isEqualTo(producer.getSpanId());
    assertThat(consumer.getTraceId())
        .isEqualTo(producer.getTraceId())
        .isEqualTo(checkout.getSpanContext().getTraceId());
    assertThat(current.get()).isEqualTo(consumer.getSpanContext());
    assertThat(received.get().get("Traceparent")).contains(traceparent(producer));
    assertThat(received.get().keys()).contains("Traceparent", "X-Id");

    assertThat(producer.getAttributes().get(Tracing.DESTINATION)).isEqualTo("orders");
    assertThat(producer.getAttributes().get(Tracing.OPERATION_TYPE)).isEqualTo("send");
    assertThat(producer.getAttributes().get(Tracing.OPERATION_NAME)).isEqualTo("send");
    assertThat(producer.getAttributes().get(Tracing.SYSTEM)).isEqualTo("memory");
    assertThat(producer.getAttributes().get(Tracing.BODY_SIZE)).isEqualTo(5L);
    assertThat(consumer.getAttributes().get(Tracing.OPERATION_TYPE)).isEqualTo("process");
    assertThat(consumer.getAttributes().get(Tracing.DESTINATION)).isEqualTo("orders");
    assertThat(producer.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(consumer.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void traceStateTravelsWithTheMessage() throws Exception {
    SpanContext remote =
        SpanContext.create(
            "0af7651916cd43dd8448eb211c80319c",
            "b7ad6b7169203331",
            TraceFlags.getSampled(),
            TraceState.builder().put("vendor", "blue").build());
    List<Message> sent = new CopyOnWriteArrayList<>();
    Topic capture = () -> new CapturingWriter(sent);
    Scope scope = Span.wrap(remote).makeCurrent();
    try {
      tracing.topic(capture, "orders").send(Message.of(new byte[] {1}));
    } finally {
      scope.close();
    }
    Attributes attributes = sent.get(0).attributes();
    assertThat(attributes.get("Tracestate")).contains("vendor=blue");
    assertThat(attributes.get("traceparent"))
        .hasValueSatisfying(v -> assertThat(v).contains(remote.getTraceId()));

    tracing.receiver(m -> {}, "orders").receive(sent.get(0));
    SpanData consumer = only(OTEL.getSpans(), SpanKind.CONSUMER);
    assertThat(consumer.getSpanContext().getTraceState().get("vendor")).isEqualTo("blue");
    assertThat(consumer.getTraceId()).isEqualTo(remote.getTraceId());
  }

  @Test
  void aFailedReceiveMarksTheConsumerSpan() {
    Message message = Message.of(new byte[0]);
    assertThatThrownBy(
            () ->
                tracing
                    .receiver(
                        m -> {
                          throw new IOException("cannot");
                        },
                        "orders")
                    .receive(message))
        .isInstanceOf(IOException.class)
        .hasMessage("cannot");

    SpanData consumer = only(OTEL.getSpans(), SpanKind.CONSUMER);
    assertThat(consumer.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(consumer.getStatus().getDescription()).isEqualTo("cannot");
    assertThat(consumer.getAttributes().get(Tracing.ERROR_TYPE)).isEqualTo("java.io.IOException");
    assertThat(consumer.getEvents()).extracting(e -> e.getName()).contains("exception");
    assertThat(consumer.getParentSpanContext().isValid()).isFalse();
  }

  @Test
  void aFailedSendMarksTheProducerSpan() throws Exception {
    MemoryQueue queue = MemoryQueue.builder("full").capacity(1).sendTimeout(Duration.ZERO).build();
    queue.topic().send(Message.of(new byte[0]));
    Topic topic = tracing.topic(queue.topic(), "full");

    assertThatThrownBy(() -> topic.send(Message.of(new byte[0])))
        .isInstanceOf(SendFailedException.class);

    SpanData producer = only(OTEL.getSpans(), SpanKind.PRODUCER);
    assertThat(producer.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(producer.getAttributes().get(Tracing.ERROR_TYPE))
        .isEqualTo(SendFailedException.class.getName());
    assertThat(producer.getEvents()).extracting(e -> e.getName()).contains("exception");
  }

  @Test
  void aWriterClosedTwiceMakesOneSpan() throws Exception {
    MessageWriter writer = tracing.topic(MemoryQueue.create("q").topic(), "q").newWriter();
    writer.close();
    assertThatThrownBy(writer::close).isInstanceOf(ClosedWriterException.class);
    assertThat(OTEL.getSpans()).hasSize(1);
  }

  @Test
  void anOpenTelemetryWithoutPropagatorsStillCarriesW3cTraceContext() throws Exception {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    try (OpenTelemetrySdk sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                    .build())
            .build()) {
      List<Message> sent = new CopyOnWriteArrayList<>();
      Tracing.create(sdk).topic(() -> new CapturingWriter(sent), "q").send(Message.of(new byte[0]));

      SpanData producer = exporter.getFinishedSpanItems().get(0);
      assertThat(sent.get(0).attributes().get("Traceparent")).contains(traceparent(producer));
    }
  }

  /** Keeps what is sent through it, as a message. */
  private static final class CapturingWriter extends MessageWriter {
    private final List<Message> sent;
    private final Attributes attributes = new Attributes();
    private final java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();

    CapturingWriter(List<Message> sent) {
      this.sent = sent;
    }

    @Override
    public Attributes attributes() {
      return attributes;
    }

    @Override
    public void write(int b) {
      body.write(b);
    }

    @Override
    public void close() {
      sent.add(Message.of(attributes, body.toByteArray()));
    }
  }
}
