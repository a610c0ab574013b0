/**
 * AMQP 1.0 framing: the protocol headers that open a connection ({@link
 * dev.amqpkit.amqp10.internal.frames.ProtocolHeader}), a decoder that turns a byte stream into
 * frames with every limit checked before anything is allocated ({@link
 * dev.amqpkit.amqp10.internal.frames.FrameDecoder}), and an encoder that sizes each frame first and
 * writes it once, splitting large messages into transfer frames ({@link
 * dev.amqpkit.amqp10.internal.frames.FrameEncoder}). Not a supported API: anything here may change
 * in any release.
 */
package dev.amqpkit.amqp10.internal.frames;
