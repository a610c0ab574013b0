package dev.amqpkit.amqp10.internal.message;

import dev.amqpkit.amqp10.Message;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.protonj2.buffer.ProtonBuffer;
import org.apache.qpid.protonj2.buffer.ProtonBufferAllocator;
import org.apache.qpid.protonj2.client.AdvancedMessage;
import org.apache.qpid.protonj2.client.exceptions.ClientException;
import org.apache.qpid.protonj2.client.impl.ClientMessageSupport;
import org.apache.qpid.protonj2.codec.CodecFactory;
import org.apache.qpid.protonj2.codec.Decoder;
import org.apache.qpid.protonj2.codec.DecoderState;
import org.apache.qpid.protonj2.codec.Encoder;
import org.apache.qpid.protonj2.codec.EncoderState;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One AMQP 1.0 message encoded and decoded by amqpkit's {@link MessageCodec} and by Apache Qpid
 * ProtonJ2's client message support, side by side. The message: a {@code properties} section
 * (message-id, to, subject, content-type, creation-time), five application properties of mixed
 * types and a 100-byte {@code data} body.
 *
 * <p>Each side keeps its codec state per benchmark thread, as a connection would: a {@code
 * MessageCodec} here, ProtonJ2's default encoder and decoder with their own {@code EncoderState}
 * and {@code DecoderState} there. Each side decodes the bytes its own encoder produced. {@link
 * #setUp} checks first that each side decodes both its own bytes and the other's to the same field
 * values, and fails the run if not.
 *
 * <p>Lives in the internal package's name to reach {@code MessageCodec}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MessageCodecBenchmark {
  private static final String MESSAGE_ID = "order-7f3a9c2e-0001";
  private static final String TO = "/queues/orders";
  private static final String SUBJECT = "order.created";
  private static final String CONTENT_TYPE = "application/octet-stream";
  private static final long CREATION_TIME = 1_767_225_600_123L;
  private static final String PROPERTY_READ = "quantity";

  private final byte[] body = new byte[100];
  private final Map<String, Object> applicationProperties = new LinkedHashMap<>();

  private MessageCodec codec;
  private Message amqpkitMessage;
  private byte[] amqpkitBytes;

  private Encoder protonEncoder;
  private EncoderState protonEncoderState;
  private Decoder protonDecoder;
  private DecoderState protonDecoderState;
  private ProtonBufferAllocator protonAllocator;
  private AdvancedMessage<byte[]> protonMessage;
  private ProtonBuffer protonWire;

  @Setup
  public void setUp() throws ClientException {
    for (int i = 0; i < body.length; i++) body[i] = (byte) (i * 31 + 7);
    applicationProperties.put("customer", "ACME Corp");
    applicationProperties.put(PROPERTY_READ, 42);
    applicationProperties.put("orderTotalCents", 1_234_567_890_123L);
    applicationProperties.put("priorityCustomer", true);
    applicationProperties.put("region", "eu-west-1");

    codec = new MessageCodec();
    Message.Builder b =
        Message.builder()
            .messageId(MESSAGE_ID)
            .to(TO)
            .subject(SUBJECT)
            .contentType(CONTENT_TYPE)
            .creationTime(Instant.ofEpochMilli(CREATION_TIME))
            .data(body);
    applicationProperties.forEach(b::applicationProperty);
    amqpkitMessage = b.build();
    amqpkitBytes = codec.encode(amqpkitMessage);

    protonEncoder = CodecFactory.getDefaultEncoder();
    protonEncoderState = protonEncoder.newEncoderState();
    protonDecoder = CodecFactory.getDefaultDecoder();
    protonDecoderState = protonDecoder.newDecoderState();
    protonAllocator = ProtonBufferAllocator.defaultAllocator();
    protonMessage = AdvancedMessage.create();
    protonMessage.messageId(MESSAGE_ID);
    protonMessage.to(TO);
    protonMessage.subject(SUBJECT);
    protonMessage.contentType(CONTENT_TYPE);
    protonMessage.creationTime(CREATION_TIME);
    for (Map.Entry<String, Object> p : applicationProperties.entrySet()) {
      protonMessage.property(p.getKey(), p.getValue());
    }
    protonMessage.body(body.clone());
    byte[] protonBytes = bytes(protonEncode());
    protonWire = protonAllocator.copy(protonBytes);

    checkCrossDecoding(protonBytes);
    System.out.printf(
        "%nencoded size: amqpkit %d bytes, protonj2 %d bytes, identical: %b%n",
        amqpkitBytes.length, protonBytes.length, Arrays.equals(amqpkitBytes, protonBytes));
  }

  @Benchmark
  public byte[] amqpkitEncode() {
    return codec.encode(amqpkitMessage);
  }

  @Benchmark
  public void amqpkitDecode(Blackhole bh) {
    Message m = codec.decode(ByteBuffer.wrap(amqpkitBytes), 0);
    bh.consume(m.bodyBytes());
    bh.consume(m.applicationProperties().get(PROPERTY_READ));
  }

  /** ProtonJ2's encoded form is the buffer its sender hands to the transfer, not an array. */
  @Benchmark
  public ProtonBuffer protonj2Encode() throws ClientException {
    return protonEncode();
  }

  @Benchmark
  public void protonj2Decode(Blackhole bh) throws ClientException {
    protonWire.setReadOffset(0);
    org.apache.qpid.protonj2.client.Message<?> m = protonDecode(protonWire);
    bh.consume(m.body());
    bh.consume(m.property(PROPERTY_READ));
  }

  private ProtonBuffer protonEncode() throws ClientException {
    return ClientMessageSupport.encodeMessage(
        protonEncoder, protonEncoderState, protonAllocator, protonMessage, null);
  }

  private org.apache.qpid.protonj2.client.Message<?> protonDecode(ProtonBuffer wire)
      throws ClientException {
    return ClientMessageSupport.decodeMessage(protonDecoder, protonDecoderState, wire, null);
  }

  /**
   * Fails unless both libraries decode both encodings to the fields both messages were built of.
   */
  private void checkCrossDecoding(byte[] protonBytes) throws ClientException {
    List<Object> expected =
        List.of(
            MESSAGE_ID,
            TO,
            SUBJECT,
            CONTENT_TYPE,
            CREATION_TIME,
            applicationProperties,
            ByteBuffer.wrap(body));
    check("amqpkit decoding amqpkit's bytes", expected, fields(codec, amqpkitBytes));
    check("amqpkit decoding protonj2's bytes", expected, fields(codec, protonBytes));
    check("protonj2 decoding protonj2's bytes", expected, fields(protonBytes));
    check("protonj2 decoding amqpkit's bytes", expected, fields(amqpkitBytes));
  }

  private static void check(String what, List<Object> expected, List<Object> actual) {
    if (!expected.equals(actual)) {
      throw new IllegalStateException(what + ": expected " + expected + " but got " + actual);
    }
  }

  private static List<Object> fields(MessageCodec codec, byte[] wire) {
    Message m = codec.decode(ByteBuffer.wrap(wire), 0);
    return List.of(
        m.messageId(),
        m.to(),
        m.subject(),
        m.contentType(),
        m.creationTime().toEpochMilli(),
        m.applicationProperties(),
        ByteBuffer.wrap(m.bodyBytes()));
  }

  private List<Object> fields(byte[] wire) throws ClientException {
    org.apache.qpid.protonj2.client.Message<?> m = protonDecode(protonAllocator.copy(wire));
    Map<String, Object> properties = new LinkedHashMap<>();
    m.forEachProperty(properties::put);
    return List.of(
        m.messageId(),
        m.to(),
        m.subject(),
        m.contentType(),
        m.creationTime(),
        properties,
        ByteBuffer.wrap((byte[]) m.body()));
  }

  private static byte[] bytes(ProtonBuffer buffer) {
    byte[] bytes = new byte[buffer.getReadableBytes()];
    buffer.readBytes(bytes, 0, bytes.length);
    return bytes;
  }
}
