package dev.amqpkit.amqp10.internal.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.amqp10.MalformedMessageException;
import dev.amqpkit.amqp10.Message;
import dev.amqpkit.amqp10.internal.codec.DecodeException;
import dev.amqpkit.amqp10.internal.codec.Encoder;
import dev.amqpkit.amqp10.internal.protocol.ApplicationProperties;
import dev.amqpkit.amqp10.internal.protocol.Data;
import dev.amqpkit.amqp10.internal.protocol.ProtocolTypes;
import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.amqp10.types.UnsignedByte;
import dev.amqpkit.amqp10.types.UnsignedInteger;
import dev.amqpkit.amqp10.types.UnsignedLong;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Application properties read in place from a message's bytes. */
class EncodedApplicationPropertiesTest {
  private final MessageCodec codec = new MessageCodec();

  private static byte[] withProperties(Map<String, Object> properties) {
    Encoder encoder = new Encoder(ProtocolTypes.REGISTRY);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(encoder.encode(new ApplicationProperties(properties)));
    out.writeBytes(encoder.encode(new Data(Binary.wrap(new byte[] {1}))));
    return out.toByteArray();
  }

  private Map<String, Object> decoded(byte[] wire) {
    return codec.decode(ByteBuffer.wrap(wire), 0).applicationProperties();
  }

  @Test
  void everySimpleTypeIsFoundAndEqualsTheGeneralDecodersValue() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("string", "ACME Corp");
    p.put("int", 42);
    p.put("bigInt", 1 << 30);
    p.put("long", 1_234_567_890_123L);
    p.put("smallLong", 7L);
    p.put("true", true);
    p.put("false", false);
    p.put("null", null);
    p.put("double", 2.5);
    p.put("binary", Binary.wrap(new byte[] {1, 2, 3}));
    p.put("symbol", Symbol.valueOf("sym"));
    p.put("uuid", new UUID(1, 2));
    p.put("timestamp", Instant.ofEpochMilli(1_700_000_000_000L));
    p.put("ubyte", UnsignedByte.valueOf(200));
    p.put("uint", UnsignedInteger.valueOf(70_000));
    p.put("ulong", UnsignedLong.valueOf(5));
    p.put("long string", "x".repeat(300)); // str32

    Map<String, Object> map = decoded(withProperties(p));

    assertThat(map).isInstanceOf(EncodedApplicationProperties.class);
    assertThat(map.size()).isEqualTo(p.size());
    for (Map.Entry<String, Object> e : p.entrySet()) {
      assertThat(map.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
      assertThat(map.containsKey(e.getKey())).isTrue();
    }
    assertThat(map.get("absent")).isNull();
    assertThat(map.containsKey("absent")).isFalse();
    assertThat(map.containsKey(42)).isFalse();
    assertThat(map).isEqualTo(p);
    assertThat(List.copyOf(map.keySet())).containsExactlyElementsOf(p.keySet());
  }

  @Test
  void keysAndValuesBeyondAsciiAreFound() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("café", "crème brûlée");
    p.put("emoji \uD83D\uDE00", "ok");
    p.put("caf", "not café");

    Map<String, Object> map = decoded(withProperties(p));

    assertThat(map.get("café")).isEqualTo("crème brûlée");
    assertThat(map.get("emoji \uD83D\uDE00")).isEqualTo("ok");
    assertThat(map.get("caf")).isEqualTo("not café");
    assertThat(map.get("cafe")).isNull();
    assertThat(map).isEqualTo(p);
  }

  @Test
  void aRepeatedKeyKeepsItsLastValueAsAMapWould() {
    // map8 with "k" -> 1, "k" -> 2, then a data section.
    byte[] wire = {
      0x00,
      0x53,
      0x74,
      (byte) 0xc1,
      0x0b,
      0x04, //
      (byte) 0xa1,
      0x01,
      'k',
      0x54,
      0x01, //
      (byte) 0xa1,
      0x01,
      'k',
      0x54,
      0x02, //
      0x00,
      0x53,
      0x75,
      (byte) 0xa0,
      0x00
    };
    Map<String, Object> map = decoded(wire);

    assertThat(map.get("k")).isEqualTo(2);
    assertThat(map.size()).isEqualTo(1);
    assertThat(map).isEqualTo(Map.of("k", 2));
  }

  @Test
  void manyEntriesWithARepeatedKeyCountEachKeyOnce() {
    Map<String, Object> p = new LinkedHashMap<>();
    for (int i = 0; i < 40; i++) p.put("key" + i, i);
    Map<String, Object> map = decoded(withProperties(p));

    assertThat(map.size()).isEqualTo(40);
    assertThat(map.get("key39")).isEqualTo(39);
    assertThat(map).isEqualTo(p);
  }

  @Test
  void invalidUtf8IsStillADecodeError() {
    byte[] wire = {
      0x00,
      0x53,
      0x74,
      (byte) 0xc1,
      0x07,
      0x02, //
      (byte) 0xa1,
      0x01,
      'k',
      (byte) 0xa1,
      0x01,
      (byte) 0xc3, // a lone lead byte
      0x00,
      0x53,
      0x75,
      (byte) 0xa0,
      0x00
    };
    assertThatThrownBy(() -> decoded(wire)).isInstanceOf(DecodeException.class);
  }

  @Test
  void aListValueIsStillRefused() {
    byte[] wire = {
      0x00,
      0x53,
      0x74,
      (byte) 0xc1,
      0x05,
      0x02, //
      (byte) 0xa1,
      0x01,
      'k',
      0x45, // list0
      0x00,
      0x53,
      0x75,
      (byte) 0xa0,
      0x00
    };
    assertThatThrownBy(() -> decoded(wire))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("simple types");
  }

  @Test
  void theMapIsUnmodifiable() {
    Map<String, Object> map = decoded(withProperties(Map.of("a", 1)));

    assertThatThrownBy(() -> map.put("b", 2)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> map.entrySet().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aDecodedMessageDoesNotSeeLaterChangesToTheCallersBytes() {
    byte[] wire = withProperties(Map.of("k", "v"));
    Message m = Message.decode(wire);
    java.util.Arrays.fill(wire, (byte) 0);

    assertThat(m.applicationProperties()).containsEntry("k", "v");
    assertThat(m.bodyBytes()).containsExactly(1);
    assertThatThrownBy(() -> Message.decode(wire)).isInstanceOf(MalformedMessageException.class);
  }

  @Test
  void aBuilderFromADecodedMessageCopiesBeforeChanging() {
    Message m = codec.decode(ByteBuffer.wrap(withProperties(Map.of("a", 1))), 0);
    Message changed = m.newBuilder().applicationProperty("b", 2).build();

    assertThat(changed.applicationProperties()).containsOnly(Map.entry("a", 1), Map.entry("b", 2));
    assertThat(m.applicationProperties()).containsOnly(Map.entry("a", 1));
  }

  @Property(tries = 300)
  void agreesWithTheMapItWasEncodedFrom(@ForAll("maps") Map<String, Object> p) {
    Map<String, Object> map = decoded(withProperties(p));

    for (Map.Entry<String, Object> e : p.entrySet()) {
      assertThat(map.get(e.getKey())).isEqualTo(e.getValue());
    }
    assertThat(map).isEqualTo(p);
    assertThat(map.hashCode()).isEqualTo(p.hashCode());
  }

  @Provide
  Arbitrary<Map<String, Object>> maps() {
    Arbitrary<Object> values =
        Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(300).map(s -> (Object) s),
            Arbitraries.integers().map(i -> (Object) i),
            Arbitraries.longs().map(l -> (Object) l),
            Arbitraries.of(true, false).map(b -> (Object) b),
            Arbitraries.doubles().map(d -> (Object) d),
            Arbitraries.just(null));
    return Arbitraries.maps(Arbitraries.strings().ofMaxLength(40), values).ofMaxSize(20);
  }
}
