package dev.amqpkit.amqp10.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amqpkit.amqp10.internal.codec.Decoder;
import dev.amqpkit.amqp10.internal.codec.DescribedTypeCodec;
import dev.amqpkit.amqp10.internal.codec.Encoder;
import dev.amqpkit.amqp10.types.DescribedValue;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every protocol record, with arbitrary field values, survives encode then decode unchanged. */
class ProtocolRoundTripPropertiesTest {
  private final Encoder encoder = new Encoder(ProtocolTypes.REGISTRY);
  private final Decoder decoder = new Decoder(ProtocolTypes.REGISTRY);

  @Provide
  Arbitrary<Object> protocolValues() {
    return Arbitraries.oneOf(
        ProtocolArbitraries.all().values().stream().map(ProtocolValues::erase).toList());
  }

  private Object roundTrip(Object value) {
    byte[] bytes = encoder.encode(value);
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    Object decoded = decoder.decode(buffer);
    assertThat(buffer.remaining()).as("bytes left after the value").isZero();
    assertThat(encoder.encode(decoded))
        .as("the decoded value re-encodes to the same bytes")
        .isEqualTo(bytes);
    return decoded;
  }

  @Property(tries = 3000)
  void everyRecordRoundTrips(@ForAll("protocolValues") Object value) {
    Statistics.label("type").collect(value.getClass().getSimpleName());

    assertThat(roundTrip(value)).isEqualTo(value);
  }

  @Property(tries = 500)
  void theSymbolicDescriptorDecodesToTheSameRecord(@ForAll("protocolValues") Object value) {
    DescribedTypeCodec<?> codec = ProtocolTypes.REGISTRY.forType(value.getClass());
    byte[] numeric = encoder.encode(value);
    // The same value behind the symbolic descriptor: re-encode the generic form with the name.
    Object generic = new Decoder().decode(ByteBuffer.wrap(numeric));
    DescribedValue named = DescribedValue.of(codec.name(), ((DescribedValue) generic).value());

    assertThat(decoder.decode(ByteBuffer.wrap(new Encoder().encode(named)))).isEqualTo(value);
  }

  @Property(tries = 500)
  void compositesIgnoreFieldsAddedByLaterVersions(@ForAll("protocolValues") Object value) {
    DescribedTypeCodec<?> codec = ProtocolTypes.REGISTRY.forType(value.getClass());
    if (!codec.name().toString().endsWith(":list") || value instanceof AmqpSequence) return;
    Object generic = new Decoder().decode(ByteBuffer.wrap(encoder.encode(value)));
    DescribedValue described = (DescribedValue) generic;
    List<?> fields = (List<?>) described.value();
    int defined = value.getClass().getRecordComponents().length;
    List<Object> longer = new ArrayList<>(fields);
    while (longer.size() < defined) longer.add(null);
    longer.add("a field from the future");
    longer.add(Map.of("and", "another"));

    Object decoded =
        decoder.decode(
            ByteBuffer.wrap(
                new Encoder().encode(DescribedValue.of(described.descriptor(), longer))));

    assertThat(decoded).isEqualTo(value);
  }

  /** Each type on its own, so that a failure names it and rare types get their share. */
  @TestFactory
  Stream<DynamicTest> eachRecordRoundTrips() {
    return ProtocolArbitraries.all().entrySet().stream()
        .map(
            entry ->
                DynamicTest.dynamicTest(
                    entry.getKey().getSimpleName(),
                    () ->
                        entry
                            .getValue()
                            .sampleStream()
                            .limit(200)
                            .forEach(value -> assertThat(roundTrip(value)).isEqualTo(value))));
  }

  @Test
  void theRegistryHoldsEveryGeneratedType() {
    List<Class<?>> types = new ArrayList<>();
    for (DescribedTypeCodec<?> codec : ProtocolTypes.REGISTRY.codecs()) types.add(codec.type());

    assertThat(types).containsExactlyInAnyOrderElementsOf(ProtocolArbitraries.all().keySet());
    assertThat(ProtocolTypes.REGISTRY.codecs()).hasSize(40);
  }
}
