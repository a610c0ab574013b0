package dev.amqpkit.amqp10.internal.frames;

/**
 * An AMQP frame with no body, which peers send to keep an idle connection alive (a heartbeat).
 *
 * @param channel the channel field, which means nothing for an empty frame
 */
public record EmptyFrame(int channel) implements Frame {}
