package dev.amqpkit.amqp10.internal.engine;

import dev.amqpkit.amqp10.Outcome;
import dev.amqpkit.amqp10.internal.protocol.Accepted;
import dev.amqpkit.amqp10.internal.protocol.Modified;
import dev.amqpkit.amqp10.internal.protocol.Rejected;
import dev.amqpkit.amqp10.internal.protocol.Released;
import java.util.Map;

/** Outcomes between the public records and the wire's delivery states. */
final class Outcomes {
  private static final Accepted ACCEPTED = new Accepted();
  private static final Released RELEASED = new Released();

  private Outcomes() {}

  static Object toWire(Outcome outcome) {
    if (outcome instanceof Outcome.Accepted) return ACCEPTED;
    if (outcome instanceof Outcome.Released) return RELEASED;
    if (outcome instanceof Outcome.Rejected r) {
      return new Rejected(AmqpConnection.wireError(r.error()));
    }
    Outcome.Modified m = (Outcome.Modified) outcome;
    return new Modified(
        m.deliveryFailed(),
        m.undeliverableHere(),
        m.annotations().isEmpty() ? null : m.annotations());
  }

  /** The outcome a delivery state names, or null for a state that is not terminal. */
  static Outcome fromWire(Object state) {
    if (state instanceof Accepted) return Outcome.ACCEPTED;
    if (state instanceof Released) return Outcome.RELEASED;
    if (state instanceof Rejected r) {
      return new Outcome.Rejected(AmqpConnection.publicError(r.error()));
    }
    if (state instanceof Modified m) {
      return new Outcome.Modified(
          Boolean.TRUE.equals(m.deliveryFailed()),
          Boolean.TRUE.equals(m.undeliverableHere()),
          m.messageAnnotations() == null ? Map.of() : m.messageAnnotations());
    }
    return null;
  }
}
