package dev.amqpkit.amqp091;

import java.util.Objects;

/** A broker's host and port. */
public record Endpoint(String host, int port) {
  public Endpoint {
    Objects.requireNonNull(host, "host == null");
    if (host.isBlank()) throw new IllegalArgumentException("host is blank");
    if (port < 1 || port > 65535)
      throw new IllegalArgumentException("port out of 1..65535: " + port);
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
