package dev.amqpkit.amqp10.internal.codec;

import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.amqp10.types.UnsignedLong;
import java.util.function.Function;

/**
 * Converts between one described type of the protocol (a performative, a message section, an
 * outcome...) and the Java class that models it. Registered in a {@link DescribedTypeRegistry}.
 *
 * <p>Implementations must be stateless and thread-safe: one registry serves every connection.
 *
 * @param <T> the Java class
 */
public interface DescribedTypeCodec<T> {

  /** The symbolic descriptor, such as {@code amqp:open:list}; never null. */
  Symbol name();

  /**
   * The numeric descriptor (domain id in the high 32 bits, descriptor id in the low 32), or null
   * for a type that has only a symbolic one. The encoder writes this one when there is one.
   */
  UnsignedLong code();

  /** The Java class; the encoder uses this codec for values of exactly this class. */
  Class<T> type();

  /**
   * Builds the Java value from the decoded described value (a {@code List} for a composite type,
   * whatever the type restricts otherwise).
   *
   * @throws DecodeException or {@link IllegalArgumentException} if {@code value} does not have the
   *     shape the type requires; the decoder reports either as a {@link DecodeException}
   */
  T decode(Object value);

  /** Returns the value to write after the descriptor, such as the fields of a composite. */
  Object describedValue(T value);

  /**
   * Returns a codec made of two functions.
   *
   * @throws NullPointerException if {@code name}, {@code type}, {@code decode} or {@code encode} is
   *     null
   */
  static <T> DescribedTypeCodec<T> of(
      Symbol name,
      UnsignedLong code,
      Class<T> type,
      Function<Object, T> decode,
      Function<T, Object> encode) {
    if (name == null) throw new NullPointerException("name == null");
    if (type == null) throw new NullPointerException("type == null");
    if (decode == null) throw new NullPointerException("decode == null");
    if (encode == null) throw new NullPointerException("encode == null");
    return new DescribedTypeCodec<>() {
      @Override
      public Symbol name() {
        return name;
      }

      @Override
      public UnsignedLong code() {
        return code;
      }

      @Override
      public Class<T> type() {
        return type;
      }

      @Override
      public T decode(Object value) {
        return decode.apply(value);
      }

      @Override
      public Object describedValue(T value) {
        return encode.apply(value);
      }

      @Override
      public String toString() {
        return "DescribedTypeCodec[" + name + (code == null ? "" : ", " + code) + "]";
      }
    };
  }
}
