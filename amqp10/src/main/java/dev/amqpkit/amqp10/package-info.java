/**
 * The AMQP 1.0 client's public API. So far: the message model ({@link dev.amqpkit.amqp10.Message}
 * with its {@link dev.amqpkit.amqp10.Body}), the outcomes a delivery settles with ({@link
 * dev.amqpkit.amqp10.Outcome}) and the errors peers report ({@link dev.amqpkit.amqp10.AmqpError}).
 * AMQP's own value types are in {@link dev.amqpkit.amqp10.types}; everything under {@code internal}
 * is unsupported.
 */
package dev.amqpkit.amqp10;
