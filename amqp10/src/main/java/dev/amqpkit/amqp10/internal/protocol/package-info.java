/**
 * The AMQP 1.0 protocol's described types as Java records: the performatives, the SASL frames, the
 * message sections, delivery states and outcomes, termini and the transaction types, with enums for
 * the restricted types whose choices fields use, constants for the error conditions, and one
 * registry ({@link dev.amqpkit.amqp10.internal.protocol.ProtocolTypes#REGISTRY}) with a codec for
 * each. Most of it is generated from the specification's XML by {@code
 * tools/codegen/amqp10_protocol.py}. Not a supported API: anything here may change in any release.
 */
package dev.amqpkit.amqp10.internal.protocol;
