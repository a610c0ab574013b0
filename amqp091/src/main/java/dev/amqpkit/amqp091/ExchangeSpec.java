package dev.amqpkit.amqp091;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What to declare an exchange as. Immutable: each method returns a new spec.
 *
 * <pre>{@code
 * channel.exchangeDeclare(ExchangeSpec.of("events", ExchangeSpec.TOPIC).durable());
 * }</pre>
 */
public final class ExchangeSpec {
  public static final String DIRECT = "direct";
  public static final String FANOUT = "fanout";
  public static final String TOPIC = "topic";
  public static final String HEADERS = "headers";

  private final String name;
  private final String type;
  private final boolean durable;
  private final boolean autoDelete;
  private final boolean internal;
  private final Map<String, Object> arguments;

  private ExchangeSpec(
      String name,
      String type,
      boolean durable,
      boolean autoDelete,
      boolean internal,
      Map<String, Object> arguments) {
    this.name = name;
    this.type = type;
    this.durable = durable;
    this.autoDelete = autoDelete;
    this.internal = internal;
    this.arguments = arguments;
  }

  /** A non-durable exchange of a type such as {@link #DIRECT} or a plugin's type. */
  public static ExchangeSpec of(String name, String type) {
    Objects.requireNonNull(name, "name == null");
    Objects.requireNonNull(type, "type == null");
    return new ExchangeSpec(name, type, false, false, false, Map.of());
  }

  public ExchangeSpec durable() {
    return new ExchangeSpec(name, type, true, autoDelete, internal, arguments);
  }

  /** Deleted when its last binding is removed. */
  public ExchangeSpec autoDelete() {
    return new ExchangeSpec(name, type, durable, true, internal, arguments);
  }

  /** Publishers cannot publish to it; only other exchanges route to it. */
  public ExchangeSpec internal() {
    return new ExchangeSpec(name, type, durable, autoDelete, true, arguments);
  }

  public ExchangeSpec argument(String key, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(arguments);
    copy.put(Objects.requireNonNull(key, "key == null"), value);
    return new ExchangeSpec(
        name, type, durable, autoDelete, internal, Collections.unmodifiableMap(copy));
  }

  /** {@code alternate-exchange}: where unroutable messages go. */
  public ExchangeSpec alternateExchange(String exchange) {
    return argument("alternate-exchange", exchange);
  }

  public String name() {
    return name;
  }

  public String type() {
    return type;
  }

  public boolean isDurable() {
    return durable;
  }

  public boolean isAutoDelete() {
    return autoDelete;
  }

  public boolean isInternal() {
    return internal;
  }

  public Map<String, Object> arguments() {
    return arguments;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExchangeSpec x
        && x.name.equals(name)
        && x.type.equals(type)
        && x.durable == durable
        && x.autoDelete == autoDelete
        && x.internal == internal
        && x.arguments.equals(arguments);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, durable, autoDelete, internal, arguments);
  }

  @Override
  public String toString() {
    return "ExchangeSpec{'"
        + name
        + "' "
        + type
        + (durable ? " durable" : "")
        + (autoDelete ? " auto-delete" : "")
        + (internal ? " internal" : "")
        + (arguments.isEmpty() ? "" : " " + arguments)
        + "}";
  }
}
