package dev.amqpkit.amqp10.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Whatever the bytes, the decoder returns a value or throws a {@link DecodeException}: never
 * another exception, never an error, never a long pause. A value it returns can be encoded again
 * and decodes to itself.
 */
class FuzzTest {
  private static final long SLOW_NANOS = 2_000_000_000L;

  private final Decoder decoder = new Decoder();
  private final Encoder encoder = new Encoder();

  /** Bytes skewed towards format codes, small sizes and extreme length fields. */
  @Provide
  Arbitrary<byte[]> noise() {
    List<Integer> codes = new ArrayList<>();
    for (int code = 0; code < 256; code++) {
      if (code == 0 || EncodingCodes.isPrimitive(code)) codes.add(code);
    }
    Arbitrary<Byte> interesting =
        Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.of(codes).map(Integer::byteValue)),
            Tuple.of(3, Arbitraries.bytes().between((byte) 0, (byte) 8)),
            Tuple.of(1, Arbitraries.of((byte) 0xff, (byte) 0x7f, (byte) 0x80, (byte) 0xfe)),
            Tuple.of(2, Arbitraries.bytes()));
    return interesting
        .list()
        .ofMaxSize(200)
        .map(
            list -> {
              byte[] bytes = new byte[list.size()];
              for (int i = 0; i < bytes.length; i++) bytes[i] = list.get(i);
              return bytes;
            });
  }

  @Property(tries = 5000)
  void randomBytesOnlyEverFailWithADecodeException(@ForAll("noise") byte[] bytes) {
    check(bytes);
  }

  @Provide
  Arbitrary<Object> values() {
    return AmqpValues.values(3);
  }

  @Property(tries = 2000)
  void damagedEncodingsOnlyEverFailWithADecodeException(
      @ForAll("values") Object value, @ForAll long seed) {
    Random random = new Random(seed);
    byte[] bytes = new AnyFormEncoder(seed).encode(value);
    int damage = 1 + random.nextInt(4);
    for (int i = 0; i < damage && bytes.length > 0; i++) {
      int at = random.nextInt(bytes.length);
      switch (random.nextInt(6)) {
        case 0 -> bytes[at] = (byte) random.nextInt(256);
        case 1 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
        case 2 -> bytes = java.util.Arrays.copyOf(bytes, at); // truncate
        case 3 -> bytes[at] = (byte) 0xff;
        case 4 -> bytes[at] = (byte) (bytes[at] + (random.nextBoolean() ? 1 : -1));
        default -> {
          byte[] longer = new byte[bytes.length + 1];
          System.arraycopy(bytes, 0, longer, 0, at);
          longer[at] = (byte) random.nextInt(256);
          System.arraycopy(bytes, at, longer, at + 1, bytes.length - at);
          bytes = longer;
        }
      }
    }
    check(bytes);
  }

  private void check(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    long start = System.nanoTime();
    Object value;
    try {
      value = decoder.decode(buffer);
    } catch (DecodeException e) {
      assertThat(buffer.position()).as("position after a failure").isZero();
      assertThat(e.getMessage()).contains("(at offset ");
      assertThat(e.offset()).isBetween(0, bytes.length);
      return;
    } finally {
      assertThat(System.nanoTime() - start).as("nanoseconds to decode").isLessThan(SLOW_NANOS);
    }
    assertThat(buffer.position()).isBetween(1, bytes.length);
    byte[] again = encoder.encode(value);
    assertThat(decoder.decode(ByteBuffer.wrap(again))).isEqualTo(value);
  }
}
