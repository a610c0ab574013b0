/**
 * The AMQP 1.0 client's public API. So far: {@link dev.amqpkit.amqp10.Connection} with its {@link
 * dev.amqpkit.amqp10.ConnectionOptions}, the message model ({@link dev.amqpkit.amqp10.Message} with
 * its {@link dev.amqpkit.amqp10.Body}), the outcomes a delivery settles with ({@link
 * dev.amqpkit.amqp10.Outcome}), the errors peers report ({@link dev.amqpkit.amqp10.AmqpError}) and
 * the exceptions, rooted in {@link dev.amqpkit.amqp10.AmqpException}. AMQP's own value types are in
 * {@link dev.amqpkit.amqp10.types}; everything under {@code internal} is unsupported.
 */
package dev.amqpkit.amqp10;
