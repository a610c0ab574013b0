/**
 * The machinery behind {@code dev.amqpkit.amqp10}: the type codec ({@code internal.codec}), the
 * protocol's described types ({@code internal.protocol}), framing ({@code internal.frames}), and as
 * they land SASL and the connection, session and link engine. Not a supported API: anything here
 * may change in any release.
 */
package dev.amqpkit.amqp10.internal;
