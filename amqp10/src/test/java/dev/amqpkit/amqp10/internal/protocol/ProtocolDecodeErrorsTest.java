package dev.amqpkit.amqp10.internal.protocol;

import static dev.amqpkit.amqp10.internal.protocol.Bytes.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.amqp10.ErrorConditions;
import dev.amqpkit.amqp10.internal.codec.DecodeException;
import dev.amqpkit.amqp10.internal.codec.Decoder;
import dev.amqpkit.amqp10.types.Symbol;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/**
 * Malformed described types are refused with a {@link DecodeException} that names the type, the
 * field and what was found; records refuse values their AMQP types cannot hold.
 */
class ProtocolDecodeErrorsTest {

  private static AbstractThrowableAssert<?, ? extends Throwable> rejects(String... parts) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes(parts));
    AbstractThrowableAssert<?, ? extends Throwable> thrown =
        assertThatThrownBy(() -> new Decoder(ProtocolTypes.REGISTRY).decode(buffer))
            .isInstanceOf(DecodeException.class);
    assertThat(buffer.position()).as("position after the failure").isZero();
    return thrown;
  }

  @Test
  void aMandatoryFieldThatIsAbsentOrNull() {
    rejects("00 53 10 45")
        .hasMessage(
            "described value amqp:open:list is malformed: open field container-id (index 0) is"
                + " mandatory but absent (the list has 0 fields) (at offset 0)");
    rejects("00 53 10 c0 02 01 40")
        .hasMessageContaining("open field container-id (index 0) is mandatory but null");
    // begin: next-outgoing-id given, incoming-window missing.
    rejects("00 53 11 c0 04 02 40 52 01")
        .hasMessageContaining("begin field incoming-window (index 2) is mandatory but absent");
    rejects("00 53 44 45").hasMessageContaining("sasl-outcome field code (index 0) is mandatory");
    rejects("00 53 33 45").hasMessageContaining("declared field txn-id (index 0) is mandatory");
  }

  @Test
  void aFieldOfTheWrongType() {
    rejects("00 53 10 c0 04 01 a3 01 63")
        .hasMessageContaining("open field container-id (index 0) must be a string, not a symbol c");
    rejects("00 53 11 c0 05 03 40 54 01 43")
        .hasMessageContaining(
            "begin field next-outgoing-id (index 1) must be a uint, not an int 1");
    rejects("00 53 10 c0 07 03 a1 01 63 40 a1 00")
        .hasMessageContaining(
            "open field max-frame-size (index 2) must be a uint, not a string \"\"");
    // offered-capabilities: an array of strings where symbols belong.
    rejects("00 53 10 c0 10 08 a1 01 63 40 40 40 40 40 40 e0 04 01 a1 01 78")
        .hasMessageContaining(
            "open field offered-capabilities (index 7) must be a symbol or an array of symbols,"
                + " not an array of 1 string");
    // transfer: a delivery-state that is no delivery state.
    rejects("00 53 14 c0 0b 08 43 40 40 40 40 40 40 a1 01 78")
        .hasMessageContaining("transfer field state (index 7) must be a delivery-state")
        .hasMessageContaining("not a string \"x\"");
    // attach: a target where the source belongs.
    rejects("00 53 12 c0 11 06 a1 01 6c 43 42 40 40 00 53 29 c0 04 01 a1 01 71")
        .hasMessageContaining("attach field source (index 5) must be a source")
        .hasMessageContaining("not a described Target");
    rejects("00 53 73 c0 03 01 54 05")
        .hasMessageContaining(
            "properties field message-id (index 0) must be a message-id (ulong, uuid, binary or"
                + " string, or a described value), not an int 5");
    rejects("00 53 1d c0 03 01 a1 00")
        .hasMessageContaining("error field condition (index 0) must be a symbol, not a string");
  }

  @Test
  void aFieldsMapWithAKeyThatIsNotASymbol() {
    // open with properties {"k": 1}: nine nulls, then the map.
    rejects("00 53 10 c0 14 0a a1 01 63 40 40 40 40 40 40 40 40 c1 06 02 a1 01 6b 54 01")
        .hasMessageContaining(
            "open field properties (index 9) is a map with symbol keys, but has the key a string"
                + " \"k\"");
  }

  @Test
  void aChoiceThatIsNotOne() {
    // attach with snd-settle-mode 7.
    rejects("00 53 12 c0 08 04 a1 01 6c 43 42 50 07")
        .hasMessageContaining(
            "attach field snd-settle-mode (index 3): ubyte 7 is not a sender-settle-mode: it is one"
                + " of 0 (unsettled), 1 (settled), 2 (mixed)");
    rejects("00 53 44 c0 03 01 50 09")
        .hasMessageContaining("sasl-outcome field code (index 0): ubyte 9 is not a sasl-code");
    // source with expiry-policy "sometime".
    rejects("00 53 28 c0 0d 03 40 40 a3 08", "'sometime")
        .hasMessageContaining(
            "source field expiry-policy (index 2): symbol sometime is not a"
                + " terminus-expiry-policy");
    // source with durable uint 3.
    rejects("00 53 28 c0 04 02 40 52 03")
        .hasMessageContaining(
            "source field durable (index 1): uint 3 is not a terminus-durability");
  }

  @Test
  void aCompositeWhoseValueIsNotAList() {
    rejects("00 53 10 a1 01 63")
        .hasMessageContaining(
            "open is a composite, so its described value is a list, not a string \"c\"");
  }

  @Test
  void sectionsOfTheWrongShape() {
    rejects("00 53 75 a1 01 63").hasMessageContaining("data is a binary, not a string \"c\"");
    rejects("00 53 75 40").hasMessageContaining("data is a binary, not null");
    rejects("00 53 74 c1 06 02 a3 01 6b 54 01")
        .hasMessageContaining(
            "application-properties is a map with string keys, but has the key a" + " symbol k");
    rejects("00 53 72 c1 05 02 54 01 54 01")
        .hasMessageContaining(
            "message-annotations is a map with symbol or ulong keys, but has the key");
    rejects("00 53 76 a1 01 63").hasMessageContaining("amqp-sequence is a list");
  }

  @Test
  void anAbsentOptionalFieldWithADefaultTakesTheDefault() {
    Object attach =
        new Decoder(ProtocolTypes.REGISTRY)
            .decode(ByteBuffer.wrap(bytes("00 53 12 c0 09 06 a1 01 6c 43 41 40 40 40")));

    assertThat(attach).isEqualTo(Attach.builder().name("l").handle(0).role(Role.RECEIVER).build());
    assertThat(((Attach) attach).sndSettleMode()).isEqualTo(SenderSettleMode.MIXED);
    assertThat(((Attach) attach).rcvSettleMode()).isEqualTo(ReceiverSettleMode.FIRST);
    assertThat(((Attach) attach).incompleteUnsettled()).isFalse();
  }

  @Test
  void moreFieldsThanTheTypeDefinesAreIgnored() {
    // close with its error field (null) and two more fields a later version might define.
    Object close =
        new Decoder(ProtocolTypes.REGISTRY)
            .decode(ByteBuffer.wrap(bytes("00 53 18 c0 06 03 40 a1 01 78 41")));
    // accepted, which has no fields, with one.
    Object accepted =
        new Decoder(ProtocolTypes.REGISTRY).decode(ByteBuffer.wrap(bytes("00 53 24 c0 02 01 41")));

    assertThat(close).isEqualTo(new Close(null));
    assertThat(accepted).isSameAs(Accepted.INSTANCE);
  }

  @Test
  void recordsRefuseWhatTheirAmqpTypesCannotHold() {
    assertThatThrownBy(() -> Open.builder().build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("containerId == null");
    assertThatThrownBy(() -> Open.builder().containerId("c").maxFrameSize(1L << 32).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxFrameSize is a uint, 0..4294967295, not 4294967296");
    assertThatThrownBy(() -> Open.builder().containerId("c").channelMax(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("channelMax is a ushort");
    assertThatThrownBy(() -> Header.builder().priority(256).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("priority is a ubyte");
    assertThatThrownBy(() -> Transfer.builder().deliveryId(1L).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("handle is mandatory and was not set");
    assertThatThrownBy(() -> Properties.builder().messageId(5).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("messageId must be a message-id");
    assertThatThrownBy(() -> Properties.builder().to(Symbol.valueOf("q")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("to must be an address");
    List<Symbol> withNull = new ArrayList<>();
    withNull.add(null);
    assertThatThrownBy(() -> new Coordinator(withNull))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("capabilities has null at index 0");
    assertThatThrownBy(() -> new ApplicationProperties(null))
        .isInstanceOf(NullPointerException.class);
    @SuppressWarnings({"unchecked", "rawtypes"})
    Map<Symbol, Object> wrongKeys = (Map) Map.of("k", 1);
    assertThatThrownBy(() -> new Error(ErrorConditions.NOT_FOUND, null, wrongKeys))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("info has keys that are symbols, but one is a string \"k\"");
  }

  @Test
  void recordsCopyWhatTheyAreGiven() {
    List<Symbol> capabilities = new ArrayList<>(List.of(Symbol.valueOf("a")));
    Coordinator coordinator = new Coordinator(capabilities);
    capabilities.add(Symbol.valueOf("b"));

    assertThat(coordinator.capabilities()).containsExactly(Symbol.valueOf("a"));
    assertThatThrownBy(() -> coordinator.capabilities().add(Symbol.valueOf("c")))
        .isInstanceOf(UnsupportedOperationException.class);
    // A null enum with a default takes the default.
    assertThat(new Source(null, null, null, 0, false, null, null, null, null, null, null).durable())
        .isEqualTo(TerminusDurability.NONE);
  }

  @Test
  void choicesHaveTheirWireValues() {
    assertThat(Role.fromWire(false)).isEqualTo(Role.SENDER);
    assertThat(Role.RECEIVER.wireValue()).isTrue();
    assertThat(SenderSettleMode.fromWire(2)).isEqualTo(SenderSettleMode.MIXED);
    assertThat(ReceiverSettleMode.SECOND.wireValue()).isEqualTo(1);
    assertThat(TerminusDurability.fromWire(2L)).isEqualTo(TerminusDurability.UNSETTLED_STATE);
    assertThat(TerminusExpiryPolicy.fromWire(Symbol.valueOf("connection-close")))
        .isEqualTo(TerminusExpiryPolicy.CONNECTION_CLOSE);
    assertThat(SaslCode.SYS_TEMP.wireValue()).isEqualTo(4);
    assertThatThrownBy(() -> SaslCode.fromWire(5))
        .isInstanceOf(DecodeException.class)
        .hasMessage(
            "ubyte 5 is not a sasl-code: it is one of 0 (ok), 1 (auth), 2 (sys), 3 (sys-perm), 4"
                + " (sys-temp)");
    assertThatThrownBy(() -> ReceiverSettleMode.fromWire(-1))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("ubyte -1 is not a receiver-settle-mode");
  }

  @Test
  void everyErrorConditionOfTheSpecificationIsAConstant() throws IllegalAccessException {
    List<String> conditions = new ArrayList<>();
    for (Field field : ErrorConditions.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers())) {
        conditions.add(field.get(null).toString());
      }
    }

    assertThat(conditions)
        .hasSize(25)
        .contains(
            "amqp:internal-error",
            "amqp:not-found",
            "amqp:decode-error",
            "amqp:frame-size-too-small",
            "amqp:connection:forced",
            "amqp:connection:framing-error",
            "amqp:connection:redirect",
            "amqp:session:window-violation",
            "amqp:session:unattached-handle",
            "amqp:link:detach-forced",
            "amqp:link:redirect",
            "amqp:link:stolen");
    assertThat(ErrorConditions.CONNECTION_FRAMING_ERROR)
        .isEqualTo(Symbol.valueOf("amqp:connection:framing-error"));
    assertThat(TxnErrorConditions.TRANSACTION_ROLLBACK)
        .isEqualTo(Symbol.valueOf("amqp:transaction:rollback"));
    assertThat(TxnCapabilities.LOCAL_TRANSACTIONS)
        .isEqualTo(Symbol.valueOf("amqp:local-transactions"));
    assertThat(DistributionModes.MOVE).isEqualTo(Symbol.valueOf("move"));
  }
}
