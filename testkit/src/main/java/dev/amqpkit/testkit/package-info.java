/**
 * Test support for amqpkit and its users: {@link dev.amqpkit.testkit.RequiresRabbitMq} hands a
 * JUnit 5 test a running RabbitMQ with unique, self-cleaning names, and {@link
 * dev.amqpkit.testkit.BrokerAdmin} inspects and shapes the broker without the client under test.
 */
package dev.amqpkit.testkit;
