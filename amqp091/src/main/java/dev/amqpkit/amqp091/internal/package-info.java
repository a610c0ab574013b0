/**
 * The machinery behind {@code dev.amqpkit.amqp091}: frames, the method codec generated from the
 * specification, field tables, I/O and the connection and channel state machines. Not a supported
 * API: anything here may change in any release.
 */
package dev.amqpkit.amqp091.internal;
