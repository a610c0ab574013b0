package dev.amqpkit.amqp091.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

// A reader that loops on a zero-length read must fail, not hang the build.
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FrameReaderTest {
  private static final int METHOD = 1;
  private static final int BODY = 3;
  private static final int HEARTBEAT = 8;
  private static final int FRAME_MAX = 131_072;

  private static byte[] frame(int type, int channel, byte[] payload) {
    Encoder e = new Encoder(payload.length + 8);
    e.octet(type).shortUint(channel).longInt(payload.length);
    e.bytes(payload, 0, payload.length).octet(0xCE);
    return e.toByteArray();
  }

  private static byte[] payload(FrameReader reader) {
    return Arrays.copyOfRange(
        reader.buffer(), reader.payloadOffset, reader.payloadOffset + reader.payloadLength);
  }

  private static byte[] randomBytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  private static int replyCode(Throwable t) {
    return ((MalformedFrameException) t).replyCode();
  }

  /** Hands out at most {@code chunk} bytes per read, like a socket would. */
  private static InputStream trickling(byte[] bytes, int chunk) {
    return new FilterInputStream(new ByteArrayInputStream(bytes)) {
      @Override
      public int read(byte[] b, int off, int len) throws java.io.IOException {
        return super.read(b, off, Math.min(len, chunk));
      }
    };
  }

  @Test
  void readsAMethodFrameAndExposesTypeChannelAndPayload() throws Exception {
    Encoder method = new Encoder(64);
    new Method.BasicAck(5, true).encode(method);
    FrameReader reader =
        new FrameReader(new ByteArrayInputStream(frame(METHOD, 7, method.toByteArray())));

    reader.next(FRAME_MAX);

    assertThat(reader.type).isEqualTo(METHOD);
    assertThat(reader.channel).isEqualTo(7);
    assertThat(reader.payloadLength).isEqualTo(method.position());
    assertThat(payload(reader)).containsExactly(method.toByteArray());
    Decoder d = new Decoder(reader.buffer(), reader.payloadOffset, reader.payloadLength);
    assertThat(Method.decode(d)).isEqualTo(new Method.BasicAck(5, true));
  }

  @Test
  void readsTheHighestChannelNumber() throws Exception {
    FrameReader reader =
        new FrameReader(new ByteArrayInputStream(frame(HEARTBEAT, 65535, new byte[0])));

    reader.next(FRAME_MAX);

    assertThat(reader.type).isEqualTo(HEARTBEAT);
    assertThat(reader.channel).isEqualTo(65535);
    assertThat(reader.payloadLength).isZero();
  }

  @Test
  void aTwoGibibyteFrameIsAFrameErrorBeforeAnyPayloadIsReadOrAllocated() {
    byte[] header = {METHOD, 0, 1, (byte) 0x80, 0, 0, 0}; // size 2^31, and nothing follows
    FrameReader reader = new FrameReader(new ByteArrayInputStream(header));
    int bufferBefore = reader.buffer().length;

    assertThatThrownBy(() -> reader.next(FRAME_MAX))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("frame-max")
        .extracting(FrameReaderTest::replyCode)
        .isEqualTo(MalformedFrameException.FRAME_ERROR);
    assertThat(reader.buffer().length).isEqualTo(bufferBefore);
  }

  @Test
  void aFrameOfExactlyFrameMaxIsReadAndOneByteMoreIsAFrameError() throws Exception {
    int frameMax = 4096;
    byte[] fits = randomBytes(new Random(1), frameMax - 8);
    FrameReader reader = new FrameReader(new ByteArrayInputStream(frame(BODY, 1, fits)));
    reader.next(frameMax);
    assertThat(payload(reader)).containsExactly(fits);

    FrameReader tooBig =
        new FrameReader(new ByteArrayInputStream(frame(BODY, 1, new byte[frameMax - 7])));
    assertThatThrownBy(() -> tooBig.next(frameMax))
        .isInstanceOf(MalformedFrameException.class)
        .extracting(FrameReaderTest::replyCode)
        .isEqualTo(MalformedFrameException.FRAME_ERROR);
  }

  @Test
  void aWrongFrameEndOctetIsAFrameError() {
    byte[] bytes = frame(METHOD, 1, new byte[] {1, 2, 3});
    bytes[bytes.length - 1] = (byte) 0xCD;
    FrameReader reader = new FrameReader(new ByteArrayInputStream(bytes));

    assertThatThrownBy(() -> reader.next(FRAME_MAX))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("0xCD")
        .extracting(FrameReaderTest::replyCode)
        .isEqualTo(MalformedFrameException.FRAME_ERROR);
  }

  @Test
  void anEmptyStreamIsAnEndOfFile() {
    FrameReader reader = new FrameReader(new ByteArrayInputStream(new byte[0]));

    assertThatThrownBy(() -> reader.next(FRAME_MAX)).isInstanceOf(EOFException.class);
  }

  @Test
  void aStreamEndingInTheHeaderIsAnEndOfFile() {
    FrameReader reader = new FrameReader(new ByteArrayInputStream(new byte[] {METHOD, 0, 1}));

    assertThatThrownBy(() -> reader.next(FRAME_MAX))
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("mid-frame");
  }

  @Test
  void aStreamEndingInThePayloadIsAnEndOfFile() {
    byte[] whole = frame(BODY, 1, new byte[100]);
    FrameReader reader =
        new FrameReader(new ByteArrayInputStream(Arrays.copyOf(whole, whole.length - 10)));

    assertThatThrownBy(() -> reader.next(FRAME_MAX))
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("mid-frame");
  }

  @Test
  void aStreamEndingBetweenFramesIsAnEndOfFileAfterTheCompleteFrames() throws Exception {
    FrameReader reader =
        new FrameReader(new ByteArrayInputStream(frame(HEARTBEAT, 0, new byte[0])));

    reader.next(FRAME_MAX);

    assertThat(reader.type).isEqualTo(HEARTBEAT);
    assertThatThrownBy(() -> reader.next(FRAME_MAX)).isInstanceOf(EOFException.class);
  }

  private record Sent(int type, int channel, byte[] payload) {}

  private static List<Sent> manyFrames() {
    Random random = new Random(42);
    List<Sent> frames = new ArrayList<>();
    frames.add(new Sent(HEARTBEAT, 0, new byte[0]));
    frames.add(new Sent(BODY, 3, randomBytes(random, 100_000))); // over the 64 KiB buffer
    for (int i = 0; i < 2_000; i++) { // about 200 KiB, crossing the buffer's end many times
      frames.add(new Sent(BODY, 1 + i % 5, randomBytes(random, random.nextInt(200))));
    }
    frames.add(new Sent(METHOD, 2, randomBytes(random, 70_000)));
    frames.add(new Sent(BODY, 2, randomBytes(random, 300_000)));
    frames.add(new Sent(HEARTBEAT, 0, new byte[0]));
    return frames;
  }

  private static void assertReadsAll(List<Sent> frames, InputStream in) throws Exception {
    FrameReader reader = new FrameReader(in);
    for (int i = 0; i < frames.size(); i++) {
      Sent sent = frames.get(i);
      reader.next(1 << 20);
      assertThat(reader.type).as("type of frame %d", i).isEqualTo(sent.type());
      assertThat(reader.channel).as("channel of frame %d", i).isEqualTo(sent.channel());
      assertThat(payload(reader)).as("payload of frame %d", i).isEqualTo(sent.payload());
    }
    assertThatThrownBy(() -> reader.next(1 << 20)).isInstanceOf(EOFException.class);
  }

  private static byte[] concatenate(List<Sent> frames) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Sent sent : frames) out.writeBytes(frame(sent.type(), sent.channel(), sent.payload()));
    return out.toByteArray();
  }

  @Test
  void readsManyFramesFromOneStreamIncludingOnesLargerThanTheBuffer() throws Exception {
    List<Sent> frames = manyFrames();

    assertReadsAll(frames, new ByteArrayInputStream(concatenate(frames)));
  }

  @Test
  void readsManyFramesArrivingInSmallPieces() throws Exception {
    List<Sent> frames = manyFrames();

    assertReadsAll(frames, trickling(concatenate(frames), 777));
  }
}
