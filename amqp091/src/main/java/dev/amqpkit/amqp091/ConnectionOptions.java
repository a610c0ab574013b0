package dev.amqpkit.amqp091;

import dev.amqpkit.common.Recovery;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * How to connect: endpoints, credentials, TLS and the limits the connection negotiates and
 * enforces. Immutable and thread-safe; build with {@link #builder()} or parse with {@link
 * #fromUri(String)}.
 *
 * <p>Defaults: {@code 127.0.0.1:5672}, user and password {@code guest}, virtual host {@code /},
 * SASL PLAIN, heartbeat 60 s, connection timeout 10 s, RPC timeout 30 s, close timeout 10 s,
 * channel-max 2047, frame-max 128 KiB, inbound messages up to 64 MiB, TLS off (on, with the peer's
 * certificate and host name verified, for {@code amqps://}).
 */
public final class ConnectionOptions {
  public static final int DEFAULT_PORT = 5672;
  public static final int DEFAULT_TLS_PORT = 5671;

  /** The smallest frame-max the specification allows. */
  public static final int FRAME_MIN_SIZE = 4096;

  private final List<Endpoint> endpoints;
  private final String username;
  private final String password;
  private final String virtualHost;
  private final SaslMechanism saslMechanism;
  private final boolean tls;
  private final SSLContext sslContext;
  private final boolean verifyHostname;
  private final Duration heartbeat;
  private final Duration connectionTimeout;
  private final Duration rpcTimeout;
  private final Duration closeTimeout;
  private final int channelMax;
  private final int frameMax;
  private final long maxInboundMessageSize;
  private final String connectionName;
  private final Map<String, Object> clientProperties;
  private final Executor consumerExecutor;
  private final Recovery recovery;

  private ConnectionOptions(Builder b) {
    endpoints =
        b.endpoints.isEmpty()
            ? List.of(new Endpoint("127.0.0.1", b.tls ? DEFAULT_TLS_PORT : DEFAULT_PORT))
            : List.copyOf(b.endpoints);
    username = b.username;
    password = b.password;
    virtualHost = b.virtualHost;
    saslMechanism = b.saslMechanism;
    tls = b.tls;
    sslContext = b.sslContext;
    verifyHostname = b.verifyHostname;
    heartbeat = b.heartbeat;
    connectionTimeout = b.connectionTimeout;
    rpcTimeout = b.rpcTimeout;
    closeTimeout = b.closeTimeout;
    channelMax = b.channelMax;
    frameMax = b.frameMax;
    maxInboundMessageSize = b.maxInboundMessageSize;
    connectionName = b.connectionName;
    clientProperties = Collections.unmodifiableMap(new LinkedHashMap<>(b.clientProperties));
    consumerExecutor = b.consumerExecutor;
    recovery = b.recovery;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    return new Builder(this);
  }

  /**
   * Parses a URI by RabbitMQ's rules: {@code amqp[s]://user:password@host:port/vhost?query}. The
   * user, password and virtual host are percent-decoded; a missing or lone {@code /} path is the
   * default virtual host {@code /} ({@code %2F} also spells it). The query may set {@code
   * heartbeat} (seconds), {@code connection_timeout} (milliseconds), {@code channel_max}, {@code
   * frame_max} and {@code auth_mechanism} ({@code plain}, {@code amqplain}, {@code external}).
   *
   * @throws IllegalArgumentException naming what is wrong: the scheme, a missing host, a malformed
   *     or unknown query parameter. The password never appears in the message.
   */
  public static ConnectionOptions fromUri(String uri) {
    return builder().uri(uri).build();
  }

  /** The endpoints to try, in order. */
  public List<Endpoint> endpoints() {
    return endpoints;
  }

  public String username() {
    return username;
  }

  /** The password; never printed by {@link #toString()}. */
  public String password() {
    return password;
  }

  public String virtualHost() {
    return virtualHost;
  }

  public SaslMechanism saslMechanism() {
    return saslMechanism;
  }

  public boolean tls() {
    return tls;
  }

  /** The TLS context; {@code null} means the JDK's default trust store. */
  public SSLContext sslContext() {
    return sslContext;
  }

  /** Whether TLS checks that the certificate was issued for the host name connected to. */
  public boolean verifyHostname() {
    return verifyHostname;
  }

  /** The heartbeat interval to ask for; zero asks for none. */
  public Duration heartbeat() {
    return heartbeat;
  }

  /** The bound on TCP connect, TLS and the protocol handshake together, per endpoint. */
  public Duration connectionTimeout() {
    return connectionTimeout;
  }

  /** The bound on each synchronous method call. */
  public Duration rpcTimeout() {
    return rpcTimeout;
  }

  /** The bound on waiting for the broker's close-ok. */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  public int channelMax() {
    return channelMax;
  }

  public int frameMax() {
    return frameMax;
  }

  /** The largest message body accepted from the broker. */
  public long maxInboundMessageSize() {
    return maxInboundMessageSize;
  }

  /** Shown in the broker's management UI; {@code null} for none. */
  public String connectionName() {
    return connectionName;
  }

  /** Extra client properties sent in start-ok, merged over the client's own. */
  public Map<String, Object> clientProperties() {
    return clientProperties;
  }

  /** Where consumer callbacks run; {@code null} means threads the connection owns. */
  public Executor consumerExecutor() {
    return consumerExecutor;
  }

  /** Whether and how the connection heals itself after a failure; on by default. */
  public Recovery recovery() {
    return recovery;
  }

  @Override
  public String toString() {
    return "ConnectionOptions{"
        + (tls ? "amqps " : "amqp ")
        + endpoints
        + ", user="
        + username
        + ", vhost="
        + virtualHost
        + ", sasl="
        + saslMechanism
        + ", heartbeat="
        + heartbeat
        + ", "
        + recovery
        + "}";
  }

  /** Builds {@link ConnectionOptions}; not thread-safe. */
  public static final class Builder {
    private final List<Endpoint> endpoints = new ArrayList<>();
    private String username = "guest";
    private String password = "guest";
    private String virtualHost = "/";
    private SaslMechanism saslMechanism = SaslMechanism.PLAIN;
    private boolean tls;
    private SSLContext sslContext;
    private boolean verifyHostname = true;
    private Duration heartbeat = Duration.ofSeconds(60);
    private Duration connectionTimeout = Duration.ofSeconds(10);
    private Duration rpcTimeout = Duration.ofSeconds(30);
    private Duration closeTimeout = Duration.ofSeconds(10);
    private int channelMax = 2047;
    private int frameMax = 131_072;
    private long maxInboundMessageSize = 64L * 1024 * 1024;
    private String connectionName;
    private final Map<String, Object> clientProperties = new LinkedHashMap<>();
    private Executor consumerExecutor;
    private Recovery recovery = Recovery.defaults();

    private Builder() {}

    private Builder(ConnectionOptions o) {
      endpoints.addAll(o.endpoints);
      username = o.username;
      password = o.password;
      virtualHost = o.virtualHost;
      saslMechanism = o.saslMechanism;
      tls = o.tls;
      sslContext = o.sslContext;
      verifyHostname = o.verifyHostname;
      heartbeat = o.heartbeat;
      connectionTimeout = o.connectionTimeout;
      rpcTimeout = o.rpcTimeout;
      closeTimeout = o.closeTimeout;
      channelMax = o.channelMax;
      frameMax = o.frameMax;
      maxInboundMessageSize = o.maxInboundMessageSize;
      connectionName = o.connectionName;
      clientProperties.putAll(o.clientProperties);
      consumerExecutor = o.consumerExecutor;
      recovery = o.recovery;
    }

    /**
     * Applies a URI (see {@link ConnectionOptions#fromUri}): its endpoint is added to the list, and
     * its credentials, virtual host, TLS and query parameters replace what was set.
     */
    public Builder uri(String uri) {
      Objects.requireNonNull(uri, "uri == null");
      URI parsed;
      try {
        parsed = new URI(uri);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("malformed AMQP URI: " + e.getReason());
      }
      String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
      switch (scheme) {
        case "amqp" -> tls = false;
        case "amqps" -> tls = true;
        default ->
            throw new IllegalArgumentException(
                "an AMQP URI starts with amqp:// or amqps://, not "
                    + (scheme.isEmpty() ? "nothing" : scheme + "://"));
      }
      // java.net.URI follows RFC 2396 and gives up on host names RFC 3986 allows (my_rabbit):
      // split the authority ourselves.
      String authority = parsed.getRawAuthority();
      if (authority == null || authority.isEmpty()) {
        throw new IllegalArgumentException("the AMQP URI has no host");
      }
      int at = authority.lastIndexOf('@');
      String userInfo = at < 0 ? null : authority.substring(0, at);
      String hostPort = authority.substring(at + 1);
      String host;
      String portText = null;
      if (hostPort.startsWith("[")) {
        int close = hostPort.indexOf(']');
        if (close < 0)
          throw new IllegalArgumentException("the AMQP URI has an unclosed [ in its host");
        host = hostPort.substring(1, close);
        if (hostPort.length() > close + 1) {
          if (hostPort.charAt(close + 1) != ':') {
            throw new IllegalArgumentException("the AMQP URI has text after its IPv6 host");
          }
          portText = hostPort.substring(close + 2);
        }
      } else {
        int colon = hostPort.lastIndexOf(':');
        host = decode(colon < 0 ? hostPort : hostPort.substring(0, colon));
        portText = colon < 0 ? null : hostPort.substring(colon + 1);
      }
      if (host.isEmpty()) throw new IllegalArgumentException("the AMQP URI has no host");
      int port = tls ? DEFAULT_TLS_PORT : DEFAULT_PORT;
      if (portText != null && !portText.isEmpty()) {
        try {
          port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("the AMQP URI's port is not a number: " + portText);
        }
      }
      endpoints.add(new Endpoint(host, port));
      if (userInfo != null) {
        int colon = userInfo.indexOf(':');
        username = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
        // A user without a password keeps the password set so far (RabbitMQ's URI rules).
        if (colon >= 0) password = decode(userInfo.substring(colon + 1));
      }
      String path = parsed.getRawPath();
      if (path != null && !path.isEmpty() && !path.equals("/")) {
        String vhost = path.substring(1);
        if (vhost.contains("/")) {
          throw new IllegalArgumentException(
              "the virtual host in an AMQP URI must be percent-encoded: /" + vhost);
        }
        virtualHost = decode(vhost);
      }
      if (parsed.getRawQuery() != null && !parsed.getRawQuery().isEmpty()) {
        for (String pair : parsed.getRawQuery().split("&")) query(pair);
      }
      return this;
    }

    private void query(String pair) {
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      try {
        switch (key) {
          case "heartbeat" -> heartbeat(Duration.ofSeconds(Long.parseLong(value)));
          case "connection_timeout" -> connectionTimeout(Duration.ofMillis(Long.parseLong(value)));
          case "channel_max" -> channelMax(Integer.parseInt(value));
          case "frame_max" -> frameMax(Integer.parseInt(value));
          case "auth_mechanism" ->
              saslMechanism(SaslMechanism.valueOf(value.toUpperCase(Locale.ROOT)));
          default ->
              throw new IllegalArgumentException(
                  "unknown AMQP URI query parameter '"
                      + key
                      + "' (known: heartbeat, connection_timeout, channel_max, frame_max, auth_mechanism)");
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "AMQP URI query parameter '" + key + "' is not a number: " + value);
      } catch (IllegalArgumentException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("No enum constant")) {
          throw new IllegalArgumentException(
              "AMQP URI auth_mechanism must be plain, amqplain or external, not " + value);
        }
        throw e;
      }
    }

    private static String decode(String s) {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Adds an endpoint; endpoints are tried in the order added. */
    public Builder endpoint(String host, int port) {
      endpoints.add(new Endpoint(host, port));
      return this;
    }

    public Builder endpoints(List<Endpoint> list) {
      endpoints.clear();
      endpoints.addAll(list);
      return this;
    }

    public Builder username(String username) {
      this.username = Objects.requireNonNull(username, "username == null");
      return this;
    }

    public Builder password(String password) {
      this.password = Objects.requireNonNull(password, "password == null");
      return this;
    }

    public Builder virtualHost(String virtualHost) {
      this.virtualHost = Objects.requireNonNull(virtualHost, "virtualHost == null");
      return this;
    }

    public Builder saslMechanism(SaslMechanism mechanism) {
      this.saslMechanism = Objects.requireNonNull(mechanism, "mechanism == null");
      return this;
    }

    /** Turns TLS on, with the JDK's default trust store, the peer verified. */
    public Builder tls() {
      this.tls = true;
      return this;
    }

    /** Turns TLS on with this context (trust store, client key); the host name is verified. */
    public Builder sslContext(SSLContext context) {
      this.sslContext = Objects.requireNonNull(context, "context == null");
      this.tls = true;
      return this;
    }

    /**
     * Stops TLS from checking that the certificate names the host. The certificate chain is still
     * checked against the trust store. Only for tests and brokers reached through an address the
     * certificate does not name.
     */
    public Builder disableHostnameVerification() {
      this.verifyHostname = false;
      return this;
    }

    /** The heartbeat interval to ask for, whole seconds; {@link Duration#ZERO} asks for none. */
    public Builder heartbeat(Duration heartbeat) {
      if (heartbeat.isNegative() || heartbeat.getSeconds() > 65535) {
        throw new IllegalArgumentException("heartbeat must be 0..65535 s, not " + heartbeat);
      }
      this.heartbeat = heartbeat;
      return this;
    }

    public Builder connectionTimeout(Duration timeout) {
      this.connectionTimeout = positive(timeout, "connectionTimeout");
      return this;
    }

    public Builder rpcTimeout(Duration timeout) {
      this.rpcTimeout = positive(timeout, "rpcTimeout");
      return this;
    }

    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = positive(timeout, "closeTimeout");
      return this;
    }

    /** The most channels to ask for, 1..65535; the broker may lower it. */
    public Builder channelMax(int channelMax) {
      if (channelMax < 1 || channelMax > 65535) {
        throw new IllegalArgumentException("channelMax must be 1..65535, not " + channelMax);
      }
      this.channelMax = channelMax;
      return this;
    }

    /** The largest frame to ask for, at least {@value ConnectionOptions#FRAME_MIN_SIZE}. */
    public Builder frameMax(int frameMax) {
      if (frameMax < FRAME_MIN_SIZE) {
        throw new IllegalArgumentException(
            "frameMax must be at least " + FRAME_MIN_SIZE + ", not " + frameMax);
      }
      this.frameMax = frameMax;
      return this;
    }

    /** The largest message body accepted from the broker; a larger one closes the channel. */
    public Builder maxInboundMessageSize(long bytes) {
      if (bytes < 0) throw new IllegalArgumentException("maxInboundMessageSize < 0: " + bytes);
      this.maxInboundMessageSize = bytes;
      return this;
    }

    public Builder connectionName(String name) {
      this.connectionName = name;
      return this;
    }

    public Builder clientProperty(String key, Object value) {
      clientProperties.put(Objects.requireNonNull(key, "key == null"), value);
      return this;
    }

    /** Runs consumer callbacks here, one at a time per channel. The caller owns its lifecycle. */
    public Builder consumerExecutor(Executor executor) {
      this.consumerExecutor = Objects.requireNonNull(executor, "executor == null");
      return this;
    }

    /**
     * Whether and how the connection heals itself after a failure (see {@link Recovery}); {@link
     * Recovery#disabled()} for a connection that stays closed once it fails.
     */
    public Builder recovery(Recovery recovery) {
      this.recovery = Objects.requireNonNull(recovery, "recovery == null");
      return this;
    }

    public ConnectionOptions build() {
      if (saslMechanism == SaslMechanism.EXTERNAL && !tls) {
        throw new IllegalArgumentException("SASL EXTERNAL needs TLS with a client certificate");
      }
      return new ConnectionOptions(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name + " == null");
      if (d.isNegative() || d.isZero())
        throw new IllegalArgumentException(name + " must be positive");
      return d;
    }
  }
}
