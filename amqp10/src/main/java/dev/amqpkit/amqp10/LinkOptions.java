package dev.amqpkit.amqp10;

import dev.amqpkit.amqp10.types.Symbol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What senders and receivers share: the link's name and properties, and the terminus at the peer's
 * end (the target of a sender, the source of a receiver) with its address, durability, expiry and
 * capabilities. Immutable and thread-safe.
 */
public abstract class LinkOptions {
  private final String name;
  private final String address;
  private final boolean dynamic;
  private final Durability durability;
  private final ExpiryPolicy expiryPolicy;
  private final Duration expiryTimeout;
  private final List<Symbol> capabilities;
  private final List<Symbol> desiredCapabilities;
  private final Map<Symbol, Object> properties;
  private final long maxMessageSize;

  LinkOptions(Builder<?> b) {
    if (b.address == null && !b.dynamic && requiresAddress()) {
      throw new IllegalStateException("an address, or a dynamic address, is required");
    }
    if (b.address != null && b.dynamic) {
      throw new IllegalStateException("a dynamic link takes its address from the peer");
    }
    name = b.name;
    address = b.address;
    dynamic = b.dynamic;
    durability = b.durability;
    expiryPolicy = b.expiryPolicy;
    expiryTimeout = b.expiryTimeout;
    capabilities = List.copyOf(b.capabilities);
    desiredCapabilities = List.copyOf(b.desiredCapabilities);
    properties = Message.immutableCopy(b.properties, "properties");
    maxMessageSize = b.maxMessageSize;
  }

  /** Whether a link of this kind needs an address (a sender may have none: anonymous relay). */
  abstract boolean requiresAddress();

  /** The link's name, or null for a random one. */
  public String name() {
    return name;
  }

  /** The address of the terminus, or null for a dynamic one or an anonymous sender. */
  public String address() {
    return address;
  }

  /** Whether the peer creates the node and names its address. */
  public boolean dynamic() {
    return dynamic;
  }

  public Durability durability() {
    return durability;
  }

  public ExpiryPolicy expiryPolicy() {
    return expiryPolicy;
  }

  /** How long the terminus lives once its expiry policy's event happened; in whole seconds. */
  public Duration expiryTimeout() {
    return expiryTimeout;
  }

  /** The terminus's capabilities, asked of the peer's node. */
  public List<Symbol> capabilities() {
    return capabilities;
  }

  /** The link capabilities this side desires of the peer. */
  public List<Symbol> desiredCapabilities() {
    return desiredCapabilities;
  }

  /** The link properties sent with {@code attach}. */
  public Map<Symbol, Object> properties() {
    return properties;
  }

  /** The largest message this side accepts on the link, 0 for no limit. */
  public long maxMessageSize() {
    return maxMessageSize;
  }

  /** Builds link options; the setters return this builder. Not thread-safe. */
  public abstract static class Builder<B extends Builder<B>> {
    private String name;
    private String address;
    private boolean dynamic;
    private Durability durability = Durability.NONE;
    private ExpiryPolicy expiryPolicy = ExpiryPolicy.SESSION_END;
    private Duration expiryTimeout = Duration.ZERO;
    private final List<Symbol> capabilities = new ArrayList<>();
    private final List<Symbol> desiredCapabilities = new ArrayList<>();
    private final Map<Symbol, Object> properties = new LinkedHashMap<>();
    private long maxMessageSize;

    Builder() {}

    Builder(LinkOptions o) {
      name = o.name;
      address = o.address;
      dynamic = o.dynamic;
      durability = o.durability;
      expiryPolicy = o.expiryPolicy;
      expiryTimeout = o.expiryTimeout;
      capabilities.addAll(o.capabilities);
      desiredCapabilities.addAll(o.desiredCapabilities);
      properties.putAll(o.properties);
      maxMessageSize = o.maxMessageSize;
    }

    abstract B self();

    /**
     * The link's name; default a random one. A link that detaches without closing attaches again
     * under the same name.
     */
    public B name(String name) {
      Objects.requireNonNull(name, "name == null");
      if (name.isEmpty()) throw new IllegalArgumentException("name is empty");
      this.name = name;
      return self();
    }

    /** The address of the node at the peer; RabbitMQ 3.x takes {@code /queue/NAME} and others. */
    public B address(String address) {
      this.address = Objects.requireNonNull(address, "address == null");
      return self();
    }

    /**
     * Asks the peer to create a node for this link and name it; {@code address()} of the link then
     * returns the name. Default false.
     */
    public B dynamic(boolean dynamic) {
      this.dynamic = dynamic;
      return self();
    }

    /** Default {@link Durability#NONE}. */
    public B durability(Durability durability) {
      this.durability = Objects.requireNonNull(durability, "durability == null");
      return self();
    }

    /** Default {@link ExpiryPolicy#SESSION_END}. */
    public B expiryPolicy(ExpiryPolicy policy) {
      this.expiryPolicy = Objects.requireNonNull(policy, "policy == null");
      return self();
    }

    /**
     * Default zero.
     *
     * @throws IllegalArgumentException if negative, not whole seconds, or above 2<sup>32</sup>-1
     *     seconds
     */
    public B expiryTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout == null");
      if (timeout.isNegative() || timeout.getNano() != 0 || timeout.getSeconds() > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException(
            "expiryTimeout is whole seconds, 0 to 4294967295: " + timeout);
      }
      this.expiryTimeout = timeout;
      return self();
    }

    /**
     * Adds a capability the peer's node should have (for instance {@code queue} or {@code topic}).
     */
    public B capability(Symbol capability) {
      capabilities.add(Objects.requireNonNull(capability, "capability == null"));
      return self();
    }

    /** Adds a link capability this side desires. */
    public B desiredCapability(Symbol capability) {
      desiredCapabilities.add(Objects.requireNonNull(capability, "capability == null"));
      return self();
    }

    /** Adds a link property. */
    public B property(Symbol key, Object value) {
      properties.put(Objects.requireNonNull(key, "key == null"), value);
      return self();
    }

    /**
     * The largest message this side accepts, 0 for none; announced to the peer in {@code attach}.
     * Default: none for a sender, {@link ReceiverOptions#DEFAULT_MAX_MESSAGE_SIZE} for a receiver,
     * which detaches the link with {@code amqp:link:message-size-exceeded} when a larger one
     * arrives.
     *
     * @throws IllegalArgumentException if negative
     */
    public B maxMessageSize(long bytes) {
      if (bytes < 0) throw new IllegalArgumentException("maxMessageSize < 0: " + bytes);
      this.maxMessageSize = bytes;
      return self();
    }
  }
}
