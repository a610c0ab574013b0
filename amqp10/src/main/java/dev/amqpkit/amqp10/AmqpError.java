package dev.amqpkit.amqp10;

import dev.amqpkit.amqp10.types.Symbol;
import java.util.Map;
import java.util.Objects;

/**
 * An AMQP 1.0 error as a peer reports it: a condition such as {@code amqp:not-found}, an optional
 * description for people, and optional information for programs.
 *
 * <p>Immutable and thread-safe.
 *
 * @param condition the error condition, never null
 * @param description free text, or null
 * @param info more information, never null (empty when none)
 */
public record AmqpError(Symbol condition, String description, Map<Symbol, Object> info) {
  /**
   * @throws NullPointerException if {@code condition} or {@code info} is null, or {@code info} has
   *     a null key
   */
  public AmqpError {
    Objects.requireNonNull(condition, "condition == null");
    info = Message.immutableCopy(info, "info");
  }

  /** An error with a condition and a description, and no information. */
  public static AmqpError of(Symbol condition, String description) {
    return new AmqpError(condition, description, Map.of());
  }

  @Override
  public String toString() {
    return condition
        + (description == null ? "" : ": " + description)
        + (info.isEmpty() ? "" : " " + info);
  }
}
