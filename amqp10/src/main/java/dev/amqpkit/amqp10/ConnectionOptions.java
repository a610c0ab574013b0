package dev.amqpkit.amqp10;

import dev.amqpkit.amqp10.types.Symbol;
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
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import javax.net.ssl.SSLContext;

/**
 * How to connect: where, as whom, over TLS or not, and with which limits. Every option has a
 * default, documented on its builder method.
 *
 * <p>Immutable and thread-safe. Build with {@link #builder()} or {@link #fromUri(String)}; change
 * with {@link #newBuilder()}. {@link #toString()} never shows the password or the token.
 */
public final class ConnectionOptions {
  /** The AMQP port. */
  public static final int DEFAULT_PORT = 5672;

  /** The AMQPS (TLS) port. */
  public static final int DEFAULT_TLS_PORT = 5671;

  /** The smallest max-frame-size the specification allows. */
  public static final int MIN_MAX_FRAME_SIZE = 512;

  /** A host and port to connect to. */
  public record Endpoint(String host, int port) {
    /**
     * @throws IllegalArgumentException if {@code host} is empty or {@code port} is not 1..65535
     */
    public Endpoint {
      Objects.requireNonNull(host, "host == null");
      if (host.isEmpty()) throw new IllegalArgumentException("host is empty");
      if (port < 1 || port > 65535) throw new IllegalArgumentException("port is 1..65535: " + port);
    }

    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  private final List<Endpoint> endpoints;
  private final boolean tls;
  private final SSLContext sslContext;
  private final boolean verifyHostname;
  private final String serverHostname;
  private final SaslMechanism saslMechanism;
  private final String username;
  private final String password;
  private final String bearerToken;
  private final String containerId;
  private final String hostname;
  private final int maxFrameSize;
  private final int channelMax;
  private final Duration idleTimeout;
  private final Map<Symbol, Object> properties;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Duration closeTimeout;
  private final Recovery recovery;

  private ConnectionOptions(Builder b) {
    endpoints = List.copyOf(b.endpoints);
    tls = b.tls;
    sslContext = b.sslContext;
    verifyHostname = b.verifyHostname;
    serverHostname = b.serverHostname;
    username = b.username;
    password = b.password;
    bearerToken = b.bearerToken;
    saslMechanism =
        b.saslMechanism != null
            ? b.saslMechanism
            : bearerToken != null
                ? SaslMechanism.XOAUTH2
                : username != null ? SaslMechanism.PLAIN : SaslMechanism.ANONYMOUS;
    containerId = b.containerId != null ? b.containerId : "amqpkit-" + UUID.randomUUID();
    hostname = b.hostname;
    maxFrameSize = b.maxFrameSize;
    channelMax = b.channelMax;
    idleTimeout = b.idleTimeout;
    properties = Collections.unmodifiableMap(new LinkedHashMap<>(b.properties));
    connectTimeout = b.connectTimeout;
    requestTimeout = b.requestTimeout;
    closeTimeout = b.closeTimeout;
    recovery = b.recovery;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    return new Builder(this);
  }

  /**
   * Options from a URI: {@code amqp://[user[:password]@]host[:port]} or {@code amqps://...} (TLS,
   * port 5671 by default). User and password are percent-decoded; a user means SASL PLAIN.
   *
   * @throws IllegalArgumentException if the URI is malformed, its scheme is not amqp or amqps, or
   *     it has no host
   */
  public static ConnectionOptions fromUri(String uri) {
    return builder().uri(uri).build();
  }

  /** The endpoints, tried in order. */
  public List<Endpoint> endpoints() {
    return endpoints;
  }

  public boolean tls() {
    return tls;
  }

  /** The TLS context, or null for the JVM's default. */
  public SSLContext sslContext() {
    return sslContext;
  }

  public boolean verifyHostname() {
    return verifyHostname;
  }

  /**
   * The host name TLS sends as SNI and checks the peer's certificate against, or null for the
   * endpoint's host.
   */
  public String serverHostname() {
    return serverHostname;
  }

  public SaslMechanism saslMechanism() {
    return saslMechanism;
  }

  public String username() {
    return username;
  }

  /** The password; never shown by {@link #toString()}. */
  public String password() {
    return password;
  }

  /** The XOAUTH2 bearer token; never shown by {@link #toString()}. */
  public String bearerToken() {
    return bearerToken;
  }

  public String containerId() {
    return containerId;
  }

  /** The {@code hostname} sent in {@code open}, or null for the endpoint's host. */
  public String hostname() {
    return hostname;
  }

  public int maxFrameSize() {
    return maxFrameSize;
  }

  public int channelMax() {
    return channelMax;
  }

  public Duration idleTimeout() {
    return idleTimeout;
  }

  public Map<Symbol, Object> properties() {
    return properties;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  public Duration closeTimeout() {
    return closeTimeout;
  }

  /** Whether and how the connection heals itself; {@link Recovery#defaults()} unless set. */
  public Recovery recovery() {
    return recovery;
  }

  @Override
  public String toString() {
    return "ConnectionOptions{"
        + (tls ? "amqps " : "amqp ")
        + endpoints
        + ", sasl="
        + saslMechanism
        + (username == null ? "" : ", user=" + username)
        + ", containerId="
        + containerId
        + ", "
        + recovery
        + "}";
  }

  /** Builds {@link ConnectionOptions}. Not thread-safe. */
  public static final class Builder {
    private final List<Endpoint> endpoints = new ArrayList<>();
    private boolean tls;
    private SSLContext sslContext;
    private boolean verifyHostname = true;
    private String serverHostname;
    private SaslMechanism saslMechanism;
    private String username;
    private String password;
    private String bearerToken;
    private String containerId;
    private String hostname;
    private int maxFrameSize = 1024 * 1024;
    private int channelMax = 65535;
    private Duration idleTimeout = Duration.ofSeconds(60);
    private final Map<Symbol, Object> properties = new LinkedHashMap<>();
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Duration closeTimeout = Duration.ofSeconds(10);
    private Recovery recovery = Recovery.defaults();

    private Builder() {}

    private Builder(ConnectionOptions o) {
      endpoints.addAll(o.endpoints);
      tls = o.tls;
      sslContext = o.sslContext;
      verifyHostname = o.verifyHostname;
      serverHostname = o.serverHostname;
      saslMechanism = o.saslMechanism;
      username = o.username;
      password = o.password;
      bearerToken = o.bearerToken;
      containerId = o.containerId;
      hostname = o.hostname;
      maxFrameSize = o.maxFrameSize;
      channelMax = o.channelMax;
      idleTimeout = o.idleTimeout;
      properties.putAll(o.properties);
      connectTimeout = o.connectTimeout;
      requestTimeout = o.requestTimeout;
      closeTimeout = o.closeTimeout;
      recovery = o.recovery;
    }

    /**
     * Adds the URI's endpoint and takes its scheme (TLS for amqps) and credentials; see {@link
     * ConnectionOptions#fromUri}.
     */
    public Builder uri(String uri) {
      Objects.requireNonNull(uri, "uri == null");
      URI u;
      try {
        u = new URI(uri);
      } catch (URISyntaxException e) {
        // The reason only: the message and the exception quote the URI, password and all.
        throw new IllegalArgumentException(
            "malformed URI: "
                + e.getReason()
                + (e.getIndex() < 0 ? "" : " at index " + e.getIndex()));
      }
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
      if (!scheme.equals("amqp") && !scheme.equals("amqps")) {
        throw new IllegalArgumentException(
            "the URI's scheme must be amqp or amqps, not '" + u.getScheme() + "'");
      }
      if (u.getHost() == null || u.getHost().isEmpty()) {
        throw new IllegalArgumentException("the URI names no host");
      }
      tls = scheme.equals("amqps");
      String host = u.getHost();
      if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
      endpoints.add(
          new Endpoint(
              host, u.getPort() != -1 ? u.getPort() : tls ? DEFAULT_TLS_PORT : DEFAULT_PORT));
      String userInfo = u.getRawUserInfo();
      if (userInfo != null) {
        int colon = userInfo.indexOf(':');
        username = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
        password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
      }
      return this;
    }

    private static String decode(String s) {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Adds an endpoint; endpoints are tried in the order added. */
    public Builder endpoint(String host, int port) {
      endpoints.add(new Endpoint(host, port));
      return this;
    }

    /** Uses TLS with the JVM's default trust; the peer's certificate and host name are checked. */
    public Builder tls() {
      this.tls = true;
      return this;
    }

    /** Uses TLS with this context (trust and, for EXTERNAL, the client's certificate). */
    public Builder sslContext(SSLContext context) {
      this.sslContext = Objects.requireNonNull(context, "context == null");
      this.tls = true;
      return this;
    }

    /**
     * The host name TLS sends as SNI and checks the peer's certificate against, when it differs
     * from the address connected to (an IP address, a load balancer). Default: the endpoint's host.
     */
    public Builder serverHostname(String serverHostname) {
      this.serverHostname = serverHostname;
      return this;
    }

    /** Accepts a certificate that does not name the host. Only for tests. */
    public Builder disableHostnameVerification() {
      this.verifyHostname = false;
      return this;
    }

    /**
     * The SASL mechanism. Default: XOAUTH2 with a bearer token, PLAIN with a user name, ANONYMOUS
     * otherwise.
     */
    public Builder saslMechanism(SaslMechanism mechanism) {
      this.saslMechanism = Objects.requireNonNull(mechanism, "mechanism == null");
      return this;
    }

    /** User name and password, for SASL PLAIN. */
    public Builder credentials(String username, String password) {
      this.username = Objects.requireNonNull(username, "username == null");
      this.password = Objects.requireNonNull(password, "password == null");
      return this;
    }

    /** User name and OAuth 2 bearer token, for SASL XOAUTH2. */
    public Builder bearerToken(String username, String token) {
      this.username = Objects.requireNonNull(username, "username == null");
      this.bearerToken = Objects.requireNonNull(token, "token == null");
      return this;
    }

    /** The container id sent in {@code open}. Default: {@code amqpkit-} and a random UUID. */
    public Builder containerId(String containerId) {
      this.containerId = Objects.requireNonNull(containerId, "containerId == null");
      return this;
    }

    /**
     * The {@code hostname} sent in {@code open} (and {@code sasl-init}): the virtual host to some
     * brokers, such as {@code vhost:name} on RabbitMQ. Default: the endpoint's host.
     */
    public Builder hostname(String hostname) {
      this.hostname = hostname;
      return this;
    }

    /**
     * The largest frame this client accepts. Default 1 MiB.
     *
     * @throws IllegalArgumentException if below 512, the specification's minimum
     */
    public Builder maxFrameSize(int maxFrameSize) {
      if (maxFrameSize < MIN_MAX_FRAME_SIZE) {
        throw new IllegalArgumentException("maxFrameSize is at least 512: " + maxFrameSize);
      }
      this.maxFrameSize = maxFrameSize;
      return this;
    }

    /**
     * The highest channel (session) number, 0..65535. Default 65535.
     *
     * @throws IllegalArgumentException if outside 0..65535
     */
    public Builder channelMax(int channelMax) {
      if (channelMax < 0 || channelMax > 65535) {
        throw new IllegalArgumentException("channelMax is 0..65535: " + channelMax);
      }
      this.channelMax = channelMax;
      return this;
    }

    /**
     * How long the peer may stay silent before the connection is closed; the peer is told, and
     * sends empty frames to stay within it. {@link Duration#ZERO} for none. Default 60 s.
     *
     * @throws IllegalArgumentException if negative or over 2<sup>32</sup>-1 ms
     */
    public Builder idleTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout == null");
      if (timeout.isNegative() || timeout.toMillis() > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("idleTimeout must be 0 to 4294967295 ms: " + timeout);
      }
      this.idleTimeout = timeout;
      return this;
    }

    /** Adds a connection property sent in {@code open}. */
    public Builder property(Symbol key, Object value) {
      properties.put(Objects.requireNonNull(key, "key == null"), value);
      return this;
    }

    /** Bounds the TCP connect, the TLS handshake, the login and the open exchange. Default 10 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** Bounds each wait for the peer's answer (begin, attach, detach...). Default 30 s. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "requestTimeout");
      return this;
    }

    /** Bounds a close: waiting for the peer's {@code close}. Default 10 s. */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = positive(timeout, "closeTimeout");
      return this;
    }

    /**
     * Whether and how the connection heals itself after a failure (see {@link Recovery}); {@link
     * Recovery#disabled()} for a connection that stays closed once it fails. On by default.
     */
    public Builder recovery(Recovery recovery) {
      this.recovery = Objects.requireNonNull(recovery, "recovery == null");
      return this;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name + " == null");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }

    /**
     * @throws IllegalStateException if no endpoint was given, PLAIN lacks credentials, or XOAUTH2
     *     lacks a token
     */
    public ConnectionOptions build() {
      if (endpoints.isEmpty()) {
        throw new IllegalStateException("no endpoint: give a URI or endpoint(host, port)");
      }
      if (saslMechanism == SaslMechanism.PLAIN && (username == null || password == null)) {
        throw new IllegalStateException("SASL PLAIN needs credentials(username, password)");
      }
      if (saslMechanism == SaslMechanism.XOAUTH2 && bearerToken == null) {
        throw new IllegalStateException("SASL XOAUTH2 needs bearerToken(username, token)");
      }
      return new ConnectionOptions(this);
    }
  }
}
