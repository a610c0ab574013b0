package dev.amqpkit.amqp10.internal.engine;

import dev.amqpkit.amqp10.LinkOptions;
import dev.amqpkit.amqp10.ReceiverOptions;
import dev.amqpkit.amqp10.internal.protocol.Source;
import dev.amqpkit.amqp10.internal.protocol.Target;
import dev.amqpkit.amqp10.internal.protocol.TerminusDurability;
import dev.amqpkit.amqp10.internal.protocol.TerminusExpiryPolicy;
import java.util.List;
import java.util.Map;

/** The terminus a link's options describe, as {@code attach} carries it. */
record LinkOptionsWire(LinkOptions options) {

  /** A sender's target. */
  Target target() {
    return new Target(
        options.address(),
        durability(),
        expiryPolicy(),
        options.expiryTimeout().getSeconds(),
        options.dynamic(),
        null,
        nullIfEmpty(options.capabilities()));
  }

  /** A receiver's source, with its filters. */
  Source source() {
    Map<dev.amqpkit.amqp10.types.Symbol, Object> filters =
        options instanceof ReceiverOptions r ? r.filters() : Map.of();
    return new Source(
        options.address(),
        durability(),
        expiryPolicy(),
        options.expiryTimeout().getSeconds(),
        options.dynamic(),
        null,
        null,
        filters.isEmpty() ? null : filters,
        null,
        null,
        nullIfEmpty(options.capabilities()));
  }

  private TerminusDurability durability() {
    return TerminusDurability.valueOf(options.durability().name());
  }

  private TerminusExpiryPolicy expiryPolicy() {
    return TerminusExpiryPolicy.valueOf(options.expiryPolicy().name());
  }

  /** An address as the peer gave it (any type; strings in practice), as text. */
  static String address(Object address) {
    return address == null ? null : address.toString();
  }

  /** An empty list or map as absent: the field is left out of the performative. */
  static <T> List<T> nullIfEmpty(List<T> list) {
    return list.isEmpty() ? null : list;
  }

  static <M extends Map<?, ?>> M nullIfEmpty(M map) {
    return map.isEmpty() ? null : map;
  }
}
