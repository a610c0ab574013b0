package dev.amqpkit.amqp10.types;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The AMQP 1.0 primitive types, each with the Java type that holds its values. An {@link AmqpArray}
 * names its element type with one of these.
 */
public enum AmqpType {
  NULL(Void.class),
  BOOLEAN(Boolean.class),
  UBYTE(UnsignedByte.class),
  USHORT(UnsignedShort.class),
  UINT(UnsignedInteger.class),
  ULONG(UnsignedLong.class),
  BYTE(Byte.class),
  SHORT(Short.class),
  INT(Integer.class),
  LONG(Long.class),
  FLOAT(Float.class),
  DOUBLE(Double.class),
  DECIMAL32(Decimal32.class),
  DECIMAL64(Decimal64.class),
  DECIMAL128(Decimal128.class),
  CHAR(AmqpChar.class),
  TIMESTAMP(Instant.class),
  UUID(UUID.class),
  BINARY(Binary.class),
  STRING(String.class),
  SYMBOL(Symbol.class),
  LIST(List.class),
  MAP(Map.class),
  ARRAY(AmqpArray.class);

  private final Class<?> javaType;

  AmqpType(Class<?> javaType) {
    this.javaType = javaType;
  }

  /**
   * The Java type of this type's values: {@code Void} for {@code null} (whose only value is Java
   * {@code null}), an interface for {@code LIST} and {@code MAP}.
   */
  public Class<?> javaType() {
    return javaType;
  }

  /** Whether {@code value} is a value of this type. */
  public boolean isInstance(Object value) {
    return this == NULL ? value == null : javaType.isInstance(value);
  }
}
