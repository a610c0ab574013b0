/**
 * The machinery behind {@code dev.amqpkit.amqp10}: the type codec ({@code internal.codec}), and as
 * they land performatives, frames, SASL and the connection, session and link engine. Not a
 * supported API: anything here may change in any release.
 */
package dev.amqpkit.amqp10.internal;
