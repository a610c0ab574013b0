package dev.amqpkit.amqp10;

/** How the client logs in. */
public enum SaslMechanism {
  /** No SASL layer at all: the AMQP header is sent first. For peers that do not use SASL. */
  NONE,
  /** SASL without credentials. */
  ANONYMOUS,
  /** User name and password, sent in the clear: use it over TLS. */
  PLAIN,
  /** The identity the TLS client certificate proves. */
  EXTERNAL,
  /** An OAuth 2 bearer token with a user name. */
  XOAUTH2
}
