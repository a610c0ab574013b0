package dev.amqpkit.msg.decorate;

import dev.amqpkit.msg.Receiver;
import dev.amqpkit.msg.Topic;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Decorators that encode message bodies on the way out and decode them on the way in, recording the
 * content codings in the {@value #CONTENT_ENCODING} attribute the way HTTP does.
 *
 * <p>The attribute lists codings in the order they were applied: {@code Content-Encoding: gzip}
 * then {@code base64} (two values, or one value {@code "gzip, base64"}) means the body was gzipped
 * and the result base64-encoded. A {@linkplain #topic topic decorator} appends its codings after
 * those already there; a {@linkplain #receiver receiver decorator} undoes them from the last one
 * back.
 *
 * <pre>{@code
 * Topic out = Encoding.topic(queue.topic(), ContentEncoding.GZIP, ContentEncoding.BASE64);
 * server.serve(Encoding.receiver(message -> handle(message.body())));
 * }</pre>
 */
public final class Encoding {

  /** The attribute naming the content codings of a body: {@code Content-Encoding}. */
  public static final String CONTENT_ENCODING = "Content-Encoding";

  /** The most bytes {@link #receiver(Receiver)} decodes a body to: 64 MiB. */
  public static final int DEFAULT_MAX_DECODED_SIZE = 64 * 1024 * 1024;

  private Encoding() {}

  /**
   * A topic whose writers apply {@code encodings}, in the order given, to the body as it is
   * written, streaming it into a writer of {@code topic}. Closing such a writer finishes the
   * encodings, appends their tokens to {@value #CONTENT_ENCODING} in the same order and then closes
   * the underlying writer, which sends the message. If writing or finishing the encoding fails, the
   * underlying writer is not closed and nothing is sent.
   *
   * <p>The writers share their {@linkplain dev.amqpkit.msg.MessageWriter#attributes() attributes}
   * with the underlying writer. Thread-safe if {@code topic} is.
   *
   * @throws IllegalArgumentException if no encoding is given
   * @throws NullPointerException if an argument or an encoding is null
   */
  public static Topic topic(Topic topic, ContentEncoding... encodings) {
    Objects.requireNonNull(topic, "topic == null");
    List<ContentEncoding> list = List.of(encodings);
    if (list.isEmpty()) throw new IllegalArgumentException("no content encoding given");
    return () -> new EncodingWriter(topic.newWriter(), list);
  }

  /**
   * A receiver that decodes bodies in {@link ContentEncoding#GZIP}, {@link ContentEncoding#BASE64}
   * and {@link ContentEncoding#ZSTD} to at most {@link #DEFAULT_MAX_DECODED_SIZE} bytes before
   * passing messages to {@code receiver}; see {@link #receiver(Receiver, int, ContentEncoding...)}.
   */
  public static Receiver receiver(Receiver receiver) {
    return receiver(
        receiver,
        DEFAULT_MAX_DECODED_SIZE,
        ContentEncoding.GZIP,
        ContentEncoding.BASE64,
        ContentEncoding.ZSTD);
  }

  /**
   * A receiver that undoes the content codings of each message it knows and passes the decoded
   * message to {@code receiver}.
   *
   * <p>It reads the tokens of {@value #CONTENT_ENCODING} (case-insensitive; {@code identity} is
   * ignored) and, from the last one back, decodes each coding in {@code encodings}, stopping at the
   * first it does not know. The tokens it undid are removed from the attribute, and the attribute
   * is removed when none remain; the others stay, one value each. So a message in a coding it does
   * not know passes through as it is, and a chain of such receivers, each knowing some codings,
   * decodes what the chain knows. A message without the attribute passes through untouched.
   *
   * <p>The whole body is decoded before {@code receiver} is called, into memory: {@code receiver}
   * sees a body that decoded completely or is not called. The receive fails, and the server puts
   * the message back or dead-letters it, with a {@link ContentDecodingException} if the body is not
   * valid in a coding it names, or a {@link DecodedBodyTooLargeException} as soon as the decoded
   * body goes over {@code maxDecodedSize} bytes (a compression bomb). Thread-safe if {@code
   * receiver} is.
   *
   * @param maxDecodedSize the most bytes a decoded body may have
   * @param encodings the codings to decode
   * @throws IllegalArgumentException if {@code maxDecodedSize} is negative or no encoding is given
   * @throws NullPointerException if an argument or an encoding is null
   */
  public static Receiver receiver(
      Receiver receiver, int maxDecodedSize, ContentEncoding... encodings) {
    Objects.requireNonNull(receiver, "receiver == null");
    if (maxDecodedSize < 0) {
      throw new IllegalArgumentException("maxDecodedSize < 0: " + maxDecodedSize);
    }
    if (encodings.length == 0) throw new IllegalArgumentException("no content encoding given");
    Map<String, ContentEncoding> known = new LinkedHashMap<>();
    for (ContentEncoding encoding : encodings) {
      Objects.requireNonNull(encoding, "encoding == null");
      known.put(encoding.token().toLowerCase(Locale.ROOT), encoding);
    }
    return new DecodingReceiver(receiver, Map.copyOf(known), maxDecodedSize);
  }
}
