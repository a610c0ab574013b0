package dev.amqpkit.amqp10.internal.codec;

import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.amqp10.types.UnsignedLong;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The described types a decoder turns into Java objects and an encoder writes from them, looked up
 * by numeric descriptor, by symbolic descriptor and by Java class. A descriptor nobody registered
 * decodes to a {@link dev.amqpkit.amqp10.types.DescribedValue}.
 *
 * <p>Immutable and thread-safe: build it once and share it between every decoder and encoder.
 */
public final class DescribedTypeRegistry {
  /** No described types: everything described decodes to a {@code DescribedValue}. */
  public static final DescribedTypeRegistry EMPTY = new Builder().build();

  private final List<DescribedTypeCodec<?>> codecs;
  private final Map<UnsignedLong, DescribedTypeCodec<?>> byCode;
  private final Map<Symbol, DescribedTypeCodec<?>> byName;
  private final Map<Class<?>, DescribedTypeCodec<?>> byType;

  private DescribedTypeRegistry(Builder builder) {
    this.codecs = List.copyOf(builder.codecs);
    this.byCode = new HashMap<>();
    this.byName = new HashMap<>();
    this.byType = new HashMap<>();
    for (DescribedTypeCodec<?> codec : codecs) {
      if (codec.code() != null) byCode.put(codec.code(), codec);
      byName.put(codec.name(), codec);
      byType.put(codec.type(), codec);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder holding this registry's codecs, to add more. */
  public Builder newBuilder() {
    Builder builder = new Builder();
    for (DescribedTypeCodec<?> codec : codecs) builder.register(codec);
    return builder;
  }

  /**
   * Returns the codec for {@code descriptor}, an {@link UnsignedLong} or a {@link Symbol}, or null
   * if none is registered.
   */
  public DescribedTypeCodec<?> forDescriptor(Object descriptor) {
    if (descriptor instanceof UnsignedLong code) return byCode.get(code);
    if (descriptor instanceof Symbol name) return byName.get(name);
    return null;
  }

  /** Returns the codec for values of exactly {@code type}, or null if none is registered. */
  public DescribedTypeCodec<?> forType(Class<?> type) {
    return byType.isEmpty() ? null : byType.get(type);
  }

  /** The registered codecs, in registration order. */
  public List<DescribedTypeCodec<?>> codecs() {
    return codecs;
  }

  /** Collects codecs for a {@link DescribedTypeRegistry}. Not thread-safe. */
  public static final class Builder {
    private final List<DescribedTypeCodec<?>> codecs = new ArrayList<>();

    private Builder() {}

    /**
     * Adds {@code codec}.
     *
     * @throws NullPointerException if {@code codec} or its name or type is null
     * @throws IllegalArgumentException if another codec already has its numeric descriptor, its
     *     symbolic descriptor or its Java class
     */
    public Builder register(DescribedTypeCodec<?> codec) {
      if (codec == null) throw new NullPointerException("codec == null");
      if (codec.name() == null) throw new NullPointerException("codec.name() == null");
      if (codec.type() == null) throw new NullPointerException("codec.type() == null");
      for (DescribedTypeCodec<?> other : codecs) {
        if (codec.code() != null && codec.code().equals(other.code())) {
          throw new IllegalArgumentException("descriptor " + codec.code() + " is already taken");
        }
        if (codec.name().equals(other.name())) {
          throw new IllegalArgumentException("descriptor " + codec.name() + " is already taken");
        }
        if (codec.type() == other.type()) {
          throw new IllegalArgumentException(
              codec.type().getName() + " already has a codec, for " + other.name());
        }
      }
      codecs.add(codec);
      return this;
    }

    public DescribedTypeRegistry build() {
      return new DescribedTypeRegistry(this);
    }
  }
}
