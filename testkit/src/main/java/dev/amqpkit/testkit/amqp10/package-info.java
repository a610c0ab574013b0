/**
 * AMQP 1.0 at the level of frames and encoded values, for tests: an encoder and decoder independent
 * of the client under test, and {@link dev.amqpkit.testkit.amqp10.ScriptedPeer}, a peer that plays
 * a script of frames and produces exactly the bytes a test wants, valid or not.
 *
 * <p>{@link dev.amqpkit.testkit.amqp10.Amqp10Value} maps every AMQP 1.0 type to a plain Java value,
 * {@link dev.amqpkit.testkit.amqp10.Frame} is one frame, and {@link
 * dev.amqpkit.testkit.amqp10.Performatives} builds what a peer sends. Nothing here is tuned for
 * speed; it is written to be obviously right. For a peer behind TLS, give {@link
 * dev.amqpkit.testkit.amqp10.ScriptedPeer} the server context of {@link
 * dev.amqpkit.testkit.TestCertificates}.
 */
package dev.amqpkit.testkit.amqp10;
