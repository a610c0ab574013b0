package dev.amqpkit.amqp091;

/** How the client logs in. */
public enum SaslMechanism {
  /** User name and password, as RFC 4616 PLAIN. The default. */
  PLAIN,
  /** User name and password in an AMQP field table (RabbitMQ's legacy mechanism). */
  AMQPLAIN,
  /** The identity of the TLS client certificate; needs a TLS connection with a client key. */
  EXTERNAL
}
