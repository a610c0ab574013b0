/**
 * What a backend builds on: {@link dev.amqpkit.msg.spi.AbstractServer} (a server's life cycle, its
 * bounded worker pool and shutdown) and {@link dev.amqpkit.msg.spi.BufferedMessageWriter} (a writer
 * that collects the body and sends it on close). The in-memory, AMQP 0-9-1 and AMQP 1.0 backends
 * use them; so may a third-party backend, which then passes the conformance suite the same way.
 * Applications do not need this package.
 */
package dev.amqpkit.msg.spi;
