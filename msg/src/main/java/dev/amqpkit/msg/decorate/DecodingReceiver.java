package dev.amqpkit.msg.decorate;

import dev.amqpkit.msg.Message;
import dev.amqpkit.msg.Receiver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Undoes the content codings it knows, then passes the message on. Thread-safe. */
final class DecodingReceiver implements Receiver {
  private final Receiver receiver;
  private final Map<String, ContentEncoding> known;
  private final int maxDecodedSize;

  DecodingReceiver(Receiver receiver, Map<String, ContentEncoding> known, int maxDecodedSize) {
    this.receiver = receiver;
    this.known = known;
    this.maxDecodedSize = maxDecodedSize;
  }

  /**
   * Decodes the body and calls the wrapped receiver with the decoded message.
   *
   * @throws ContentDecodingException if the body is not valid in a coding it names
   * @throws DecodedBodyTooLargeException if the decoded body goes over the limit
   * @throws Exception what the wrapped receiver threw
   */
  @Override
  public void receive(Message message) throws Exception {
    List<String> values = message.attributes().getAll(Encoding.CONTENT_ENCODING);
    if (values.isEmpty()) {
      receiver.receive(message);
      return;
    }
    List<String> tokens = tokens(values);
    int kept = tokens.size();
    while (kept > 0 && known.containsKey(tokens.get(kept - 1))) kept--;
    if (kept == tokens.size()) {
      receiver.receive(message);
      return;
    }
    byte[] decoded = decode(message.body().readAllBytes(), tokens.subList(kept, tokens.size()));
    Message out = message.withBody(decoded);
    out.attributes().setAll(Encoding.CONTENT_ENCODING, tokens.subList(0, kept));
    receiver.receive(out);
  }

  /** The tokens of the attribute's values, split at commas, in lower case, without identity. */
  private static List<String> tokens(List<String> values) {
    List<String> tokens = new ArrayList<>();
    for (String value : values) {
      for (String token : value.split(",")) {
        String t = token.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty() && !t.equals("identity")) tokens.add(t);
      }
    }
    return tokens;
  }

  /** Decodes {@code body} from {@code applied}, undoing the last one first. */
  private byte[] decode(byte[] body, List<String> applied) throws IOException {
    InputStream in = new ByteArrayInputStream(body);
    try {
      for (int i = applied.size() - 1; i >= 0; i--) in = open(known.get(applied.get(i)), in);
      return readAtMost(in, applied.get(0));
    } finally {
      in.close();
    }
  }

  private static InputStream open(ContentEncoding encoding, InputStream in) throws IOException {
    try {
      return new Layer(encoding.token(), encoding.decoder(in));
    } catch (ContentDecodingException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw Layer.failure(encoding.token(), e);
    }
  }

  private byte[] readAtMost(InputStream in, String token) throws IOException {
    byte[] buffer = new byte[Math.min(maxDecodedSize, 8192)];
    int size = 0;
    while (true) {
      if (size == buffer.length) {
        if (size == maxDecodedSize) {
          if (in.read() != -1) throw new DecodedBodyTooLargeException(token, maxDecodedSize);
          return buffer;
        }
        buffer = Arrays.copyOf(buffer, (int) Math.min((long) size * 2 + 1, maxDecodedSize));
      }
      int n = in.read(buffer, size, buffer.length - size);
      if (n < 0) return size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
      size += n;
    }
  }

  @Override
  public String toString() {
    return "Encoding.receiver(" + known.keySet() + ", " + receiver + ")";
  }

  /** One decoder, whose failures name its coding. */
  private static final class Layer extends InputStream {
    private final String token;
    private final InputStream in;

    Layer(String token, InputStream in) {
      this.token = token;
      this.in = in;
    }

    static ContentDecodingException failure(String token, Exception e) {
      return new ContentDecodingException(
          token, "cannot decode the " + token + " message body: " + e.getMessage(), e);
    }

    @Override
    public int read() throws IOException {
      try {
        return in.read();
      } catch (ContentDecodingException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        throw failure(token, e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (ContentDecodingException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        throw failure(token, e);
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
