/**
 * The in-memory backend: {@link dev.amqpkit.msg.mem.MemoryQueue}, a queue inside the process with a
 * topic that writes to it and servers that take from it, with the same semantics as the broker
 * backends. For tests, and for single-process use.
 */
package dev.amqpkit.msg.mem;
