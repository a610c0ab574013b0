/**
 * The AMQP 1.0 type codec: {@link dev.amqpkit.amqp10.internal.codec.Decoder} reads any valid
 * encoding of any value within set limits, {@link dev.amqpkit.amqp10.internal.codec.Encoder} writes
 * the smallest one, and a {@link dev.amqpkit.amqp10.internal.codec.DescribedTypeRegistry} lets
 * higher layers turn described values into their own types and back. Not a supported API: anything
 * here may change in any release.
 */
package dev.amqpkit.amqp10.internal.codec;
