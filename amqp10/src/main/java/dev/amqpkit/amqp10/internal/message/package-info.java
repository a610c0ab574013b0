/**
 * Internal: converts between the public {@link dev.amqpkit.amqp10.Message} and the sections of a
 * transfer's payload. Unsupported; may change at any time.
 */
package dev.amqpkit.amqp10.internal.message;
