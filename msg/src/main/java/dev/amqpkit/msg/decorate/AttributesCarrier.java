package dev.amqpkit.msg.decorate;

import dev.amqpkit.msg.Attributes;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * Reads and writes propagation fields in message attributes. Attribute keys are case-insensitive,
 * so {@code traceparent} is found as {@code Traceparent} after canonicalization.
 */
enum AttributesCarrier implements TextMapGetter<Attributes>, TextMapSetter<Attributes> {
  INSTANCE;

  @Override
  public void set(Attributes carrier, String key, String value) {
    if (carrier != null) carrier.set(key, value);
  }

  /** For propagators that still look through every key (a prefix for baggage, say). */
  @Override
  @SuppressWarnings("deprecation")
  public Iterable<String> keys(Attributes carrier) {
    return carrier == null ? List.of() : carrier.keys();
  }

  @Override
  public String get(Attributes carrier, String key) {
    return carrier == null ? null : carrier.get(key).orElse(null);
  }

  @Override
  public Iterator<String> getAll(Attributes carrier, String key) {
    return carrier == null ? Collections.emptyIterator() : carrier.getAll(key).iterator();
  }
}
