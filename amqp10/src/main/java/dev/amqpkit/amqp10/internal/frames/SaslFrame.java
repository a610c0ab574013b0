package dev.amqpkit.amqp10.internal.frames;

import dev.amqpkit.amqp10.internal.protocol.SaslPerformative;

/**
 * A SASL frame (type 1): one of the SASL performatives. SASL frames have no channel (the field is
 * ignored) and no payload.
 *
 * @param performative never null
 */
public record SaslFrame(SaslPerformative performative) implements Frame {}
