package dev.amqpkit.testkit.amqp10;

import dev.amqpkit.testkit.amqp10.Amqp10Value.Described;
import dev.amqpkit.testkit.amqp10.Amqp10Value.ULong;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Frames and described values an AMQP 1.0 peer sends, for scripted peers such as {@link
 * ScriptedPeer} and for raw clients in tests: performatives, errors, delivery states, termini and
 * message sections, with the descriptor codes of the specification.
 *
 * <p>Each factory sets the fields it takes and leaves the others absent; set more with {@link
 * Frame#with(String, Object)} or {@link Described#with(String, Object)}, by the field's name in the
 * specification. Those convert plain Java values to the field's type: integral numbers to the
 * unsigned type of the field ({@code uint}, {@code ushort}, {@code ubyte}, {@code ulong}), a {@link
 * Duration} to milliseconds or seconds, a {@link Role} to its boolean, a {@code String} to a {@link
 * Amqp10Value.Sym} in symbol fields, a collection or array to an {@link Amqp10Value.Array} in
 * multiple fields, and {@code String} keys to symbols in {@code fields} maps. Values that are
 * already AMQP values, deliberately wrong ones included, go as they are; wrap one in {@link
 * Amqp10Value.Encoded} or {@link Amqp10Value.Raw} to control its bytes. For a performative the
 * specification does not have, use {@link #described(long, Object...)}.
 *
 * <p>Thread-safe: stateless.
 */
public final class Performatives {
  /** {@code sasl-mechanisms}, 0x00000000:0x00000040. */
  public static final long SASL_MECHANISMS = 0x40;

  /** {@code sasl-init}, 0x00000000:0x00000041. */
  public static final long SASL_INIT = 0x41;

  /** {@code sasl-challenge}, 0x00000000:0x00000042. */
  public static final long SASL_CHALLENGE = 0x42;

  /** {@code sasl-response}, 0x00000000:0x00000043. */
  public static final long SASL_RESPONSE = 0x43;

  /** {@code sasl-outcome}, 0x00000000:0x00000044. */
  public static final long SASL_OUTCOME = 0x44;

  /** {@code open}, 0x00000000:0x00000010. */
  public static final long OPEN = 0x10;

  /** {@code begin}, 0x00000000:0x00000011. */
  public static final long BEGIN = 0x11;

  /** {@code attach}, 0x00000000:0x00000012. */
  public static final long ATTACH = 0x12;

  /** {@code flow}, 0x00000000:0x00000013. */
  public static final long FLOW = 0x13;

  /** {@code transfer}, 0x00000000:0x00000014. */
  public static final long TRANSFER = 0x14;

  /** {@code disposition}, 0x00000000:0x00000015. */
  public static final long DISPOSITION = 0x15;

  /** {@code detach}, 0x00000000:0x00000016. */
  public static final long DETACH = 0x16;

  /** {@code end}, 0x00000000:0x00000017. */
  public static final long END = 0x17;

  /** {@code close}, 0x00000000:0x00000018. */
  public static final long CLOSE = 0x18;

  /** {@code error}, 0x00000000:0x0000001d. */
  public static final long ERROR = 0x1d;

  /** {@code received}, 0x00000000:0x00000023. */
  public static final long RECEIVED = 0x23;

  /** {@code accepted}, 0x00000000:0x00000024. */
  public static final long ACCEPTED = 0x24;

  /** {@code rejected}, 0x00000000:0x00000025. */
  public static final long REJECTED = 0x25;

  /** {@code released}, 0x00000000:0x00000026. */
  public static final long RELEASED = 0x26;

  /** {@code modified}, 0x00000000:0x00000027. */
  public static final long MODIFIED = 0x27;

  /** {@code source}, 0x00000000:0x00000028. */
  public static final long SOURCE = 0x28;

  /** {@code target}, 0x00000000:0x00000029. */
  public static final long TARGET = 0x29;

  /** The message section {@code header}, 0x00000000:0x00000070. */
  public static final long HEADER = 0x70;

  /** The message section {@code delivery-annotations}, 0x00000000:0x00000071. */
  public static final long DELIVERY_ANNOTATIONS = 0x71;

  /** The message section {@code message-annotations}, 0x00000000:0x00000072. */
  public static final long MESSAGE_ANNOTATIONS = 0x72;

  /** The message section {@code properties}, 0x00000000:0x00000073. */
  public static final long PROPERTIES = 0x73;

  /** The message section {@code application-properties}, 0x00000000:0x00000074. */
  public static final long APPLICATION_PROPERTIES = 0x74;

  /** The message section {@code data}, 0x00000000:0x00000075. */
  public static final long DATA = 0x75;

  /** The message section {@code amqp-sequence}, 0x00000000:0x00000076. */
  public static final long AMQP_SEQUENCE = 0x76;

  /** The message section {@code amqp-value}, 0x00000000:0x00000077. */
  public static final long AMQP_VALUE = 0x77;

  /** The message section {@code footer}, 0x00000000:0x00000078. */
  public static final long FOOTER = 0x78;

  /** sasl-code {@code ok}. */
  public static final int SASL_OK = 0;

  /** sasl-code {@code auth}: authentication failed, bad credentials. */
  public static final int SASL_AUTH = 1;

  /** sasl-code {@code sys}: a system error, unspecified. */
  public static final int SASL_SYS = 2;

  /** sasl-code {@code sys-perm}: a system error that will not go away. */
  public static final int SASL_SYS_PERM = 3;

  /** sasl-code {@code sys-temp}: a system error that may go away. */
  public static final int SASL_SYS_TEMP = 4;

  /** sender-settle-mode {@code unsettled}. */
  public static final int SND_UNSETTLED = 0;

  /** sender-settle-mode {@code settled}. */
  public static final int SND_SETTLED = 1;

  /** sender-settle-mode {@code mixed}, the default. */
  public static final int SND_MIXED = 2;

  /** receiver-settle-mode {@code first}, the default. */
  public static final int RCV_FIRST = 0;

  /** receiver-settle-mode {@code second}. */
  public static final int RCV_SECOND = 1;

  /** The role of a link endpoint: a boolean on the wire, {@code false} for the sender. */
  public enum Role {
    SENDER(false),
    RECEIVER(true);

    private final boolean value;

    Role(boolean value) {
      this.value = value;
    }

    /** The role's value on the wire. */
    public boolean value() {
      return value;
    }

    /** The other end's role. */
    public Role opposite() {
      return this == SENDER ? RECEIVER : SENDER;
    }

    /** The role with this wire value. */
    public static Role of(boolean value) {
      return value ? RECEIVER : SENDER;
    }
  }

  private Performatives() {}

  /**
   * A described list with a {@code ulong} descriptor and exactly these fields, nulls included: for
   * performatives the specification does not define, or defined ones built by hand.
   */
  public static Described described(long code, Object... fields) {
    return new Described(
        new ULong(code), Collections.unmodifiableList(Arrays.asList(fields.clone())));
  }

  private static Described empty(long code) {
    return new Described(new ULong(code), List.of());
  }

  // ---- SASL ----

  /** {@code sasl-mechanisms} offering these mechanisms, as an array of symbols. */
  public static Frame saslMechanisms(String... mechanisms) {
    return Frame.sasl(empty(SASL_MECHANISMS).with("sasl-server-mechanisms", mechanisms));
  }

  /** {@code sasl-init}: the client's choice of mechanism and its initial response, if any. */
  public static Frame saslInit(String mechanism, byte[] initialResponse, String hostname) {
    return Frame.sasl(
        empty(SASL_INIT)
            .with("mechanism", mechanism)
            .with("initial-response", initialResponse)
            .with("hostname", hostname));
  }

  /** {@code sasl-init} for PLAIN: the initial response is {@code \0username\0password}. */
  public static Frame saslInitPlain(String username, String password) {
    byte[] response =
        ("\0" + username + "\0" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return saslInit("PLAIN", response, null);
  }

  /** {@code sasl-challenge}. */
  public static Frame saslChallenge(byte[] challenge) {
    return Frame.sasl(empty(SASL_CHALLENGE).with("challenge", challenge));
  }

  /** {@code sasl-response}. */
  public static Frame saslResponse(byte[] response) {
    return Frame.sasl(empty(SASL_RESPONSE).with("response", response));
  }

  /** {@code sasl-outcome} with this code ({@link #SASL_OK}, {@link #SASL_AUTH}...). */
  public static Frame saslOutcome(int code) {
    return Frame.sasl(empty(SASL_OUTCOME).with("code", code));
  }

  /** {@code sasl-outcome} with this code and additional data. */
  public static Frame saslOutcome(int code, byte[] additionalData) {
    return Frame.sasl(
        empty(SASL_OUTCOME).with("code", code).with("additional-data", additionalData));
  }

  // ---- connection ----

  /** {@code open} with only the container id: every limit left at the specification's default. */
  public static Frame open(String containerId) {
    return Frame.amqp(0, empty(OPEN).with("container-id", containerId));
  }

  /**
   * {@code open} with a container id and limits; {@code idleTimeout} null leaves it absent, so the
   * peer asks for no heartbeats.
   */
  public static Frame open(
      String containerId, long maxFrameSize, int channelMax, Duration idleTimeout) {
    return open(containerId)
        .with("max-frame-size", maxFrameSize)
        .with("channel-max", channelMax)
        .with("idle-time-out", idleTimeout);
  }

  /**
   * {@code open} with a container id, limits and connection properties (symbol keys; {@code String}
   * keys are converted).
   */
  public static Frame open(
      String containerId,
      long maxFrameSize,
      int channelMax,
      Duration idleTimeout,
      Map<?, ?> properties) {
    return open(containerId, maxFrameSize, channelMax, idleTimeout).with("properties", properties);
  }

  /** {@code close}, with an error or null for a clean close. */
  public static Frame close(Described error) {
    return Frame.amqp(0, empty(CLOSE).with("error", error));
  }

  // ---- session ----

  /**
   * {@code begin} on a channel; {@code remoteChannel} is the channel of the begin it answers, or
   * null when this side begins first.
   */
  public static Frame begin(
      int channel,
      Integer remoteChannel,
      long nextOutgoingId,
      long incomingWindow,
      long outgoingWindow) {
    return Frame.amqp(
        channel,
        empty(BEGIN)
            .with("remote-channel", remoteChannel)
            .with("next-outgoing-id", nextOutgoingId)
            .with("incoming-window", incomingWindow)
            .with("outgoing-window", outgoingWindow));
  }

  /** {@code begin} with a {@code handle-max}. */
  public static Frame begin(
      int channel,
      Integer remoteChannel,
      long nextOutgoingId,
      long incomingWindow,
      long outgoingWindow,
      long handleMax) {
    return begin(channel, remoteChannel, nextOutgoingId, incomingWindow, outgoingWindow)
        .with("handle-max", handleMax);
  }

  /** {@code end}, with an error or null. */
  public static Frame end(int channel, Described error) {
    return Frame.amqp(channel, empty(END).with("error", error));
  }

  // ---- links ----

  /**
   * {@code attach} with the settle modes at their defaults; a sender must also set {@code
   * initial-delivery-count} (see {@link #attach(int, String, long, Role, int, int, Object, Object,
   * Long, Long)}).
   */
  public static Frame attach(
      int channel, String name, long handle, Role role, Object source, Object target) {
    return Frame.amqp(
        channel,
        empty(ATTACH)
            .with("name", name)
            .with("handle", handle)
            .with("role", role)
            .with("source", source)
            .with("target", target));
  }

  /**
   * {@code attach} with every commonly set field; null leaves {@code initial-delivery-count} or
   * {@code max-message-size} absent.
   */
  public static Frame attach(
      int channel,
      String name,
      long handle,
      Role role,
      int sndSettleMode,
      int rcvSettleMode,
      Object source,
      Object target,
      Long initialDeliveryCount,
      Long maxMessageSize) {
    return attach(channel, name, handle, role, source, target)
        .with("snd-settle-mode", sndSettleMode)
        .with("rcv-settle-mode", rcvSettleMode)
        .with("initial-delivery-count", initialDeliveryCount)
        .with("max-message-size", maxMessageSize);
  }

  /**
   * {@code flow} about the session only; {@code nextIncomingId} null until the peer's begin
   * arrived.
   */
  public static Frame flow(
      int channel,
      Long nextIncomingId,
      long incomingWindow,
      long nextOutgoingId,
      long outgoingWindow) {
    return Frame.amqp(
        channel,
        empty(FLOW)
            .with("next-incoming-id", nextIncomingId)
            .with("incoming-window", incomingWindow)
            .with("next-outgoing-id", nextOutgoingId)
            .with("outgoing-window", outgoingWindow));
  }

  /** {@code flow} about the session and a link: its delivery count and the credit granted. */
  public static Frame flow(
      int channel,
      Long nextIncomingId,
      long incomingWindow,
      long nextOutgoingId,
      long outgoingWindow,
      long handle,
      long deliveryCount,
      long linkCredit) {
    return flow(channel, nextIncomingId, incomingWindow, nextOutgoingId, outgoingWindow)
        .with("handle", handle)
        .with("delivery-count", deliveryCount)
        .with("link-credit", linkCredit);
  }

  /**
   * {@code transfer} of message format 0 carrying {@code payload}, unsettled; null {@code
   * deliveryId} and {@code deliveryTag} leave them absent, as in the later frames of a delivery
   * split over several (set {@code more} to {@code true} on all but the last).
   */
  public static Frame transfer(
      int channel, long handle, Long deliveryId, byte[] deliveryTag, byte[] payload) {
    Described transfer = empty(TRANSFER).with("handle", handle);
    if (deliveryId != null) {
      transfer =
          transfer
              .with("delivery-id", deliveryId)
              .with("delivery-tag", deliveryTag)
              .with("message-format", 0);
    } else if (deliveryTag != null) {
      transfer = transfer.with("delivery-tag", deliveryTag);
    }
    return Frame.amqp(channel, transfer, payload);
  }

  /**
   * {@code disposition}, settled, of deliveries {@code first} to {@code last} (null: just {@code
   * first}) with this state (null: none). Set {@code settled} to {@code false} with {@link
   * Frame#with} for an unsettled one.
   */
  public static Frame disposition(int channel, Role role, long first, Long last, Described state) {
    return Frame.amqp(
        channel,
        empty(DISPOSITION)
            .with("role", role)
            .with("first", first)
            .with("last", last)
            .with("settled", true)
            .with("state", state));
  }

  /** {@code detach} that closes the link, with an error or null; set {@code closed} for less. */
  public static Frame detach(int channel, long handle, Described error) {
    return Frame.amqp(
        channel, empty(DETACH).with("handle", handle).with("closed", true).with("error", error));
  }

  // ---- errors, outcomes, termini ----

  /** {@code error} with a condition ({@code "amqp:not-found"}) and a description or null. */
  public static Described error(String condition, String description) {
    return empty(ERROR).with("condition", condition).with("description", description);
  }

  /** {@code error} with info (symbol keys; {@code String} keys are converted). */
  public static Described error(String condition, String description, Map<?, ?> info) {
    return error(condition, description).with("info", info);
  }

  /** The delivery state {@code accepted}. */
  public static Described accepted() {
    return empty(ACCEPTED);
  }

  /** The delivery state {@code rejected}, with an error or null. */
  public static Described rejected(Described error) {
    return empty(REJECTED).with("error", error);
  }

  /** The delivery state {@code released}. */
  public static Described released() {
    return empty(RELEASED);
  }

  /**
   * The delivery state {@code modified} with no field set; set {@code delivery-failed}, {@code
   * undeliverable-here} and {@code message-annotations} with {@link Described#with}.
   */
  public static Described modified() {
    return empty(MODIFIED);
  }

  /** The delivery state {@code received}: how much of a delivery arrived. */
  public static Described received(long sectionNumber, long sectionOffset) {
    return empty(RECEIVED)
        .with("section-number", sectionNumber)
        .with("section-offset", sectionOffset);
  }

  /** A {@code source} with an address, or null for none (a dynamic source sets {@code dynamic}). */
  public static Described source(String address) {
    return empty(SOURCE).with("address", address);
  }

  /** A {@code target} with an address, or null for none. */
  public static Described target(String address) {
    return empty(TARGET).with("address", address);
  }

  // ---- message sections ----

  /** The {@code header} section; set its fields with {@link Described#with}. */
  public static Described messageHeader() {
    return empty(HEADER);
  }

  /** The {@code properties} section; set its fields with {@link Described#with}. */
  public static Described messageProperties() {
    return empty(PROPERTIES);
  }

  /** The {@code delivery-annotations} section (symbol keys; {@code String} keys converted). */
  public static Described deliveryAnnotations(Map<?, ?> annotations) {
    return new Described(new ULong(DELIVERY_ANNOTATIONS), symbolKeys(annotations));
  }

  /** The {@code message-annotations} section (symbol keys; {@code String} keys converted). */
  public static Described messageAnnotations(Map<?, ?> annotations) {
    return new Described(new ULong(MESSAGE_ANNOTATIONS), symbolKeys(annotations));
  }

  /** The {@code application-properties} section: string keys, simple values. */
  public static Described applicationProperties(Map<String, ?> properties) {
    return new Described(new ULong(APPLICATION_PROPERTIES), properties);
  }

  /** A {@code data} section: opaque bytes. */
  public static Described data(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes == null");
    return new Described(new ULong(DATA), bytes.clone());
  }

  /** An {@code amqp-sequence} section: a list of values. */
  public static Described amqpSequence(List<?> values) {
    return new Described(new ULong(AMQP_SEQUENCE), values);
  }

  /** An {@code amqp-value} section: one value of any type. */
  public static Described amqpValue(Object value) {
    return new Described(new ULong(AMQP_VALUE), value);
  }

  /** The {@code footer} section (symbol keys; {@code String} keys converted). */
  public static Described footer(Map<?, ?> annotations) {
    return new Described(new ULong(FOOTER), symbolKeys(annotations));
  }

  /** A message as a transfer carries it: the sections encoded one after another, in order. */
  public static byte[] message(Described... sections) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Described section : sections) Amqp10Value.write(section, out);
    return out.toByteArray();
  }

  private static Object symbolKeys(Map<?, ?> map) {
    return Schema.convert("fields", false, map);
  }
}
