/**
 * Test support for amqpkit and its users: {@link dev.amqpkit.testkit.RequiresRabbitMq} hands a
 * JUnit 5 test a running RabbitMQ with unique, self-cleaning names, and {@link
 * dev.amqpkit.testkit.BrokerAdmin} inspects and shapes the broker without the client under test.
 * The {@code amqp091} and {@code amqp10} subpackages hold scripted peers, each with a wire codec of
 * its own, independent of the clients they test.
 */
package dev.amqpkit.testkit;
