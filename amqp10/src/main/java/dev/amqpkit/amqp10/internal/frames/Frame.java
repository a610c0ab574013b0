package dev.amqpkit.amqp10.internal.frames;

/**
 * A frame read from the peer: an AMQP frame carrying a performative, a SASL frame, or an empty
 * frame (a heartbeat).
 */
public sealed interface Frame permits AmqpFrame, SaslFrame, EmptyFrame {
  /** The size of the fixed frame header: SIZE (4 bytes), DOFF, TYPE and the 2 type-specific. */
  int HEADER_SIZE = 8;

  /** The TYPE byte of an AMQP frame. */
  int TYPE_AMQP = 0;

  /** The TYPE byte of a SASL frame. */
  int TYPE_SASL = 1;

  /**
   * The smallest max-frame-size a peer may announce (MIN-MAX-FRAME-SIZE); until the open
   * performatives have been exchanged, and in the SASL layer, frames are no larger than this.
   */
  int MIN_MAX_FRAME_SIZE = 512;
}
