package dev.amqpkit.amqp10.internal.frames;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amqpkit.amqp10.internal.codec.Encoder;
import dev.amqpkit.amqp10.internal.protocol.Accepted;
import dev.amqpkit.amqp10.internal.protocol.Disposition;
import dev.amqpkit.amqp10.internal.protocol.ProtocolTypes;
import dev.amqpkit.amqp10.internal.protocol.Rejected;
import dev.amqpkit.amqp10.internal.protocol.Released;
import dev.amqpkit.amqp10.internal.protocol.Role;
import dev.amqpkit.amqp10.internal.protocol.Transfer;
import dev.amqpkit.amqp10.types.Binary;
import java.nio.ByteBuffer;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The hand-written transfer and disposition encodings equal the generic encoder's, byte for byte.
 */
class HotPerformativesTest {
  private final Encoder generic = new Encoder(ProtocolTypes.REGISTRY);

  private void assertSameAsGeneric(Object performative) {
    byte[] expected = generic.encode(performative);
    int size = HotPerformatives.size(performative);
    assertThat(size).as("size of %s", performative).isEqualTo(expected.length);
    ByteBuffer out = ByteBuffer.allocate(size + 3);
    out.put((byte) 9); // written at the position, not at 0
    assertThat(HotPerformatives.write(performative, out)).isEqualTo(size);
    assertThat(Arrays.copyOfRange(out.array(), 1, 1 + size))
        .as("%s", performative)
        .isEqualTo(expected);
  }

  @Property(tries = 2000)
  void transfersAreWrittenAsTheGenericEncoderWritesThem(@ForAll("transfers") Transfer t) {
    assertSameAsGeneric(t);
  }

  @Property(tries = 1000)
  void dispositionsAreWrittenAsTheGenericEncoderWritesThem(@ForAll("dispositions") Disposition d) {
    assertSameAsGeneric(d);
  }

  @Property(tries = 2000)
  void aTransferReadsBackAsTheGenericDecoderReadsIt(@ForAll("transfers") Transfer t) {
    byte[] bytes = generic.encode(t);
    ByteBuffer in = ByteBuffer.allocate(bytes.length + 4);
    in.put(new byte[] {7, 7}).put(bytes).put(new byte[] {7, 7}).flip();
    in.position(2);

    Transfer read = HotPerformatives.readTransfer(in, 2, 2 + bytes.length);

    assertThat(read).isEqualTo(t);
    assertThat(in.position()).isEqualTo(2 + bytes.length);
  }

  @Property(tries = 3000)
  void anyBytesReadAsTheGenericDecoderReadsThemOrAreLeftToIt(
      @ForAll("transfers") Transfer t, @ForAll int at, @ForAll byte value) {
    byte[] bytes = generic.encode(t);
    bytes[Math.floorMod(at, bytes.length)] = value; // one byte changed, anywhere
    ByteBuffer in = ByteBuffer.wrap(bytes);

    Transfer read = HotPerformatives.readTransfer(in, 0, bytes.length);

    if (read == null) {
      assertThat(in.position()).isZero();
      return;
    }
    Object expected;
    try {
      ByteBuffer again = ByteBuffer.wrap(bytes, 0, in.position());
      expected =
          new dev.amqpkit.amqp10.internal.codec.Decoder(ProtocolTypes.REGISTRY).decode(again);
    } catch (RuntimeException e) {
      throw new AssertionError("the fast reader took bytes the generic decoder refuses", e);
    }
    assertThat(read).isEqualTo(expected);
  }

  @Test
  void aTransferWithAStateIsLeftToTheGenericDecoder() {
    Transfer withState =
        new Transfer(0, 1L, null, null, true, false, null, new Accepted(), false, false, false);
    ByteBuffer in = ByteBuffer.wrap(generic.encode(withState));

    assertThat(HotPerformatives.readTransfer(in, 0, in.limit())).isNull();
    assertThat(in.position()).isZero();
  }

  @Test
  void aTagThatPushesTheListPastABytesSizeTakesAList32() {
    Transfer t =
        new Transfer(
            70_000,
            4_000_000_000L,
            Binary.wrap(new byte[250]),
            0L,
            true,
            true,
            null,
            null,
            false,
            false,
            false);
    assertSameAsGeneric(t);
    assertThat(generic.encode(t)[3] & 0xFF).isEqualTo(0xd0);
  }

  @Test
  void whatItDoesNotWriteIsLeftToTheGenericEncoder() {
    Transfer withState =
        new Transfer(0, 1L, null, null, null, false, null, new Accepted(), false, false, false);
    Disposition rejected = new Disposition(Role.RECEIVER, 1, null, true, new Rejected(null), false);

    assertThat(HotPerformatives.size(withState)).isEqualTo(-1);
    assertThat(HotPerformatives.size(rejected)).isEqualTo(-1);
    assertThat(HotPerformatives.size("not a performative")).isEqualTo(-1);
  }

  private static Arbitrary<Long> optionalUint() {
    return Arbitraries.oneOf(
        Arbitraries.just(null),
        Arbitraries.longs().between(0, 300),
        Arbitraries.longs().between(0, 0xFFFF_FFFFL));
  }

  @Provide
  Arbitrary<Transfer> transfers() {
    Arbitrary<Binary> tags =
        Arbitraries.oneOf(
            Arbitraries.just(null),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(Binary::wrap));
    Arbitrary<Boolean> optionalBool = Arbitraries.of(null, true, false);
    Arbitrary<Boolean> bool = Arbitraries.of(true, false);
    return Combinators.combine(
            Arbitraries.longs().between(0, 0xFFFF_FFFFL),
            optionalUint(),
            tags,
            optionalUint(),
            optionalBool,
            bool,
            bool,
            bool)
        .as(
            (handle, id, tag, format, settled, more, aborted, batchable) ->
                new Transfer(
                    handle, id, tag, format, settled, more, null, null, false, aborted, batchable));
  }

  @Provide
  Arbitrary<Disposition> dispositions() {
    return Combinators.combine(
            Arbitraries.of(Role.SENDER, Role.RECEIVER),
            Arbitraries.longs().between(0, 0xFFFF_FFFFL),
            optionalUint(),
            Arbitraries.of(true, false),
            Arbitraries.of(null, new Accepted(), new Released()),
            Arbitraries.of(true, false))
        .as(Disposition::new);
  }
}
