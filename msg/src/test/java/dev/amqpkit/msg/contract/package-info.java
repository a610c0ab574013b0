/**
 * The conformance suite of msg backends, shipped in the msg module's test jar ({@code
 * dev.amqpkit:amqpkit-msg}, type {@code test-jar}): extend {@link
 * dev.amqpkit.msg.contract.BackendContract} and say how to make a destination.
 */
package dev.amqpkit.msg.contract;
