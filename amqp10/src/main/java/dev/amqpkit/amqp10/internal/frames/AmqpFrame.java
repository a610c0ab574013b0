package dev.amqpkit.amqp10.internal.frames;

import dev.amqpkit.amqp10.internal.protocol.Performative;
import dev.amqpkit.amqp10.internal.protocol.Transfer;
import java.nio.ByteBuffer;

/**
 * An AMQP frame (type 0): a performative on a channel and, for a {@link Transfer}, the bytes of the
 * message that follow it.
 *
 * @param channel the channel, 0 to 65535
 * @param performative never null
 * @param payload for a transfer, its payload (possibly empty) as a view of the decoded bytes,
 *     positioned at its first byte; null for every other performative. The view shares the input
 *     buffer's bytes: copy them before the buffer is reused.
 */
public record AmqpFrame(int channel, Performative performative, ByteBuffer payload)
    implements Frame {}
