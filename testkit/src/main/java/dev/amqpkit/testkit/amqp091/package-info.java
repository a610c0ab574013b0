/**
 * AMQP 0-9-1 at the level of frames and method arguments, for tests: an independent encoder and
 * decoder that the fixtures use to talk to a broker without the client under test, and that
 * scripted peers use to produce exactly the bytes a test wants, valid or not.
 *
 * <p>Nothing here is tuned for speed; it is written to be obviously right.
 */
package dev.amqpkit.testkit.amqp091;
