/**
 * Decorators of topics, receivers and servers, each made to wrap another and to compose.
 *
 * <ul>
 *   <li>{@link dev.amqpkit.msg.decorate.Encoding}: content codings ({@link
 *       dev.amqpkit.msg.decorate.ContentEncoding#GZIP gzip}, {@link
 *       dev.amqpkit.msg.decorate.ContentEncoding#ZSTD zstd}, {@link
 *       dev.amqpkit.msg.decorate.ContentEncoding#BASE64 base64}) applied on the way out, recorded
 *       in {@code Content-Encoding}, and undone on the way in within a size limit.
 *   <li>{@link dev.amqpkit.msg.decorate.Retry}: a failed receive or send tried again after a {@link
 *       dev.amqpkit.msg.decorate.Backoff} delay.
 *   <li>{@link dev.amqpkit.msg.decorate.Tracing}: OpenTelemetry spans for sends and receives, the
 *       trace context carried in W3C trace-context attributes.
 *   <li>{@link dev.amqpkit.msg.decorate.WeightedServer}: several servers served at once, sharing a
 *       concurrency by weight.
 * </ul>
 *
 * <p>Decorators apply in the order they wrap: the outermost topic decorator sees the body first and
 * the outermost receiver decorator sees the message first. A usual stack, which compresses once,
 * keeps the compressed body for sending again, decodes once, and retries only the handler:
 *
 * <pre>{@code
 * Topic out = tracing.topic(Encoding.topic(retry.topic(queue.topic()), GZIP), "orders");
 * Receiver in = tracing.receiver(Encoding.receiver(retry.receiver(handler)), "orders");
 * }</pre>
 *
 * <p>Gzip, base64, retry and the weighted server need the JDK only. {@code ContentEncoding.ZSTD}
 * needs {@code io.airlift:aircompressor} 2.x and {@code Tracing} needs {@code
 * io.opentelemetry:opentelemetry-api}: optional dependencies of this module, which an application
 * using them declares itself.
 */
package dev.amqpkit.msg.decorate;
