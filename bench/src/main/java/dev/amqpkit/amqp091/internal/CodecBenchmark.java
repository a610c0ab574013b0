package dev.amqpkit.amqp091.internal;

import dev.amqpkit.amqp091.BasicProperties;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The client's hot paths without a socket: encoding a publish (method, content header, body frames)
 * into the frame writer, and decoding a delivery (frame reader, method, content header, body). Run
 * with {@code -prof gc} to see bytes allocated per operation.
 *
 * <p>Lives in the internal package's name to reach its package-private classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {
  @Param({"100", "4096"})
  int bodySize;

  private Encoder frames;
  private byte[] body;
  private BasicProperties properties;
  private FrameReader reader;
  private Decoder decoder;

  @Setup
  public void setUp() throws Exception {
    frames = new Encoder(64 * 1024);
    body = new byte[bodySize];
    properties =
        BasicProperties.builder().contentType("application/octet-stream").persistent().build();

    // One delivery as the broker would send it, replayed forever by the reader.
    Encoder wire = new Encoder(64 * 1024);
    FrameWriter.encodeMethod(
        wire, 1, new Method.BasicDeliver("amq.ctag-1", 42, false, "", "bench"));
    FrameWriter.encodeContent(wire, 1, properties, body, 131_072);
    byte[] delivery = wire.toByteArray();
    reader = new FrameReader(new Replay(delivery));
    decoder = new Decoder(new byte[0], 0, 0);
  }

  /** What a publish costs the caller's thread: its frames encoded into the pending buffer. */
  @Benchmark
  public int encodePublish() {
    frames.reset();
    FrameWriter.encodePublishMethod(frames, 1, "", "bench", false);
    FrameWriter.encodeContent(frames, 1, properties, body, 131_072);
    return frames.position();
  }

  @Benchmark
  public Object decodeDelivery() throws Exception {
    reader.next(131_072);
    Method method =
        Method.decode(decoder.reset(reader.buffer(), reader.payloadOffset, reader.payloadLength));
    reader.next(131_072);
    ContentHeader.Decoded header =
        ContentHeader.decode(
            decoder.reset(reader.buffer(), reader.payloadOffset, reader.payloadLength));
    byte[] received = new byte[(int) header.bodySize()];
    int filled = 0;
    while (filled < received.length) {
      reader.next(131_072);
      decoder.reset(reader.buffer(), reader.payloadOffset, reader.payloadLength);
      int n = decoder.remaining();
      decoder.copyTo(received, filled, n);
      filled += n;
    }
    return new Object[] {method, header, received};
  }

  /** An endless stream repeating the same bytes. */
  static final class Replay extends InputStream {
    private final byte[] bytes;
    private int position;

    Replay(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public int read() {
      int b = bytes[position] & 0xFF;
      position = (position + 1) % bytes.length;
      return b;
    }

    @Override
    public int read(byte[] into, int offset, int length) {
      int n = Math.min(length, bytes.length - position);
      System.arraycopy(bytes, position, into, offset, n);
      position = (position + n) % bytes.length;
      return n;
    }
  }
}
