package dev.amqpkit.amqp091;

/**
 * The broker's answer to a queue declare: the queue's name (chosen by the broker when asked) and
 * counts.
 */
public record QueueDeclareOk(String queue, long messageCount, long consumerCount) {}
