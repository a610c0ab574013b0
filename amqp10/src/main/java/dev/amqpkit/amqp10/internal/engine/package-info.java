/**
 * Internal: the connection engine (sockets, TLS, SASL, frames in and out, the state of the open
 * connection). Unsupported; may change at any time.
 */
package dev.amqpkit.amqp10.internal.engine;
