package dev.amqpkit.testkit;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where a test broker is and how to log in: parsed from an {@code amqp://} URI.
 *
 * <p>Missing parts take RabbitMQ's defaults: port 5672, user and password {@code guest}, virtual
 * host {@code /}. A path of {@code /} alone also means the default virtual host; any other path is
 * the percent-decoded virtual host ({@code /%2F} is {@code /}, {@code /tests} is {@code tests}).
 * The password never appears in {@link #toString()}.
 */
public record BrokerEndpoint(
    String host, int port, String username, String password, String virtualHost) {

  public BrokerEndpoint {
    Objects.requireNonNull(host, "host == null");
    Objects.requireNonNull(username, "username == null");
    Objects.requireNonNull(password, "password == null");
    Objects.requireNonNull(virtualHost, "virtualHost == null");
    if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
  }

  /**
   * Parses an {@code amqp://user:password@host:port/vhost} URI.
   *
   * @throws IllegalArgumentException if the URI is malformed, not {@code amqp://}, or has no host
   */
  public static BrokerEndpoint parse(String uri) {
    Objects.requireNonNull(uri, "uri == null");
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a valid URI: " + e.getMessage(), e);
    }
    if (!"amqp".equalsIgnoreCase(parsed.getScheme())) {
      throw new IllegalArgumentException(
          "the test broker URI must start with amqp:// (got " + parsed.getScheme() + "://)");
    }
    if (parsed.getHost() == null) {
      throw new IllegalArgumentException("the test broker URI has no host: " + redact(uri));
    }
    String username = "guest";
    String password = "guest";
    String userInfo = parsed.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      username = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
    }
    String path = parsed.getRawPath();
    String virtualHost =
        path == null || path.isEmpty() || path.equals("/") ? "/" : decode(path.substring(1));
    int port = parsed.getPort() == -1 ? 5672 : parsed.getPort();
    String host = parsed.getHost();
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    return new BrokerEndpoint(host, port, username, password, virtualHost);
  }

  /** The endpoint as a URI with the password, for handing to a client under test. */
  public String uri() {
    return "amqp://"
        + encode(username)
        + ":"
        + encode(password)
        + "@"
        + hostAndPort()
        + "/"
        + encode(virtualHost);
  }

  private String hostAndPort() {
    return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }

  /** The URI without the password. */
  @Override
  public String toString() {
    return "amqp://" + encode(username) + "@" + hostAndPort() + "/" + encode(virtualHost);
  }

  private static String redact(String uri) {
    return uri.replaceAll("//([^:@/]*):[^@/]*@", "//$1:***@");
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
