package dev.amqpkit.msg.decorate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A content coding, as HTTP's {@code Content-Encoding} names them: a reversible transformation of a
 * message body, such as compression, and its token ({@code gzip}).
 *
 * <p>{@link #GZIP} and {@link #BASE64} need the JDK only; {@link #ZSTD} needs {@code
 * io.airlift:aircompressor} (2.x) on the class path. An application may implement its own (say
 * {@code br}) and hand it to {@link Encoding}. Implementations are immutable and thread-safe; the
 * streams they return belong to one thread.
 */
public interface ContentEncoding {

  /** Gzip (RFC 1952), by the JDK's {@code java.util.zip}; token {@code gzip}. */
  ContentEncoding GZIP = JdkEncodings.GZIP;

  /**
   * Base64 (RFC 4648, the basic alphabet with padding and no line breaks), by the JDK's {@code
   * java.util.Base64}; token {@code base64}. For brokers or gateways that pass only text.
   */
  ContentEncoding BASE64 = JdkEncodings.BASE64;

  /**
   * Zstandard (RFC 8878), by the pure-Java {@code io.airlift:aircompressor}; token {@code zstd}.
   * Faster than gzip at a similar ratio. Using it without that library on the class path fails with
   * an {@code IOException} that names the library.
   */
  ContentEncoding ZSTD = new ZstdEncoding();

  /** The token naming this coding in {@code Content-Encoding}, in lower case ({@code gzip}). */
  String token();

  /**
   * A stream that writes the encoded form of what is written to it into {@code out}. Closing it
   * writes what the coding needs at its end and then closes {@code out}.
   *
   * @throws IOException if writing the coding's header to {@code out} fails, or the coding is not
   *     available
   */
  OutputStream encoder(OutputStream out) throws IOException;

  /**
   * A stream that reads the decoded form of {@code in}. Reading it fails with an {@code
   * IOException} (or the codec's {@code RuntimeException}) when {@code in} is not a valid encoding.
   *
   * @throws IOException if the coding's header in {@code in} is missing or invalid, or the coding
   *     is not available
   */
  InputStream decoder(InputStream in) throws IOException;
}
