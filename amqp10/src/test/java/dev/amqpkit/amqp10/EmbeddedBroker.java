package dev.amqpkit.amqp10;

import java.util.Set;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyAcceptor;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.ActiveMQServers;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;

/**
 * An Apache Artemis broker inside the test JVM with one AMQP 1.0 acceptor on a free loopback port:
 * a second AMQP 1.0 peer besides RabbitMQ, with no process to install.
 *
 * <p>In memory, without JMX. A bare address acts as a queue: the first link to an unknown address
 * creates an anycast address and a queue of the same name, so a message sent before any receiver
 * attaches waits for one, and receivers on one address share its messages. SASL offers PLAIN and
 * ANONYMOUS: PLAIN takes {@link #USER} with {@link #PASSWORD} and refuses anything else; ANONYMOUS
 * logs in as {@link #USER}, who may do everything.
 *
 * <p>Artemis logs below ERROR are dropped unless {@code
 * -Dorg.slf4j.simpleLogger.log.org.apache.activemq=info} says otherwise, and protonj2's below WARN.
 * Thread-safe; {@link #close()} is idempotent.
 */
final class EmbeddedBroker implements AutoCloseable {
  static final String USER = "guest";
  static final String PASSWORD = "guest";

  private static final String HOST = "127.0.0.1";
  private static final String ACCEPTOR = "amqp";
  private static final String ROLE = "everything";

  static {
    // Artemis logs every connection at INFO, and every message to its audit loggers; protonj2,
    // the reference client tests use against this broker, logs every connection at INFO.
    quiet("org.apache.activemq", "error");
    quiet("org.apache.qpid.protonj2", "warn");
  }

  /** Sets an slf4j-simple level, read when a logger is created, unless -D set one already. */
  private static void quiet(String loggerPrefix, String level) {
    String key = "org.slf4j.simpleLogger.log." + loggerPrefix;
    if (System.getProperty(key) == null) System.setProperty(key, level);
  }

  private final ActiveMQServer server;
  private final int port;

  private EmbeddedBroker(ActiveMQServer server, int port) {
    this.server = server;
    this.port = port;
  }

  /**
   * Starts a broker and returns once it accepts connections. Brokers started one after another are
   * independent: each has its own port and its own queues.
   *
   * @throws IllegalStateException if the broker did not start
   */
  static EmbeddedBroker start() {
    SecurityConfiguration users = new SecurityConfiguration();
    users.addUser(USER, PASSWORD);
    users.addRole(USER, ROLE);
    users.setDefaultUser(USER); // whom ANONYMOUS logs in as
    var security = new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), users);

    // Artemis makes bare addresses multicast (topics) by default; anycast makes them queues.
    AddressSettings queues =
        new AddressSettings()
            .setDefaultAddressRoutingType(RoutingType.ANYCAST)
            .setDefaultQueueRoutingType(RoutingType.ANYCAST)
            .setAutoCreateAddresses(true)
            .setAutoCreateQueues(true);
    ActiveMQServer server;
    try {
      var config =
          new ConfigurationImpl()
              .setName("amqpkit-embedded")
              .setPersistenceEnabled(false)
              .setJMXManagementEnabled(false)
              .addAcceptorConfiguration(ACCEPTOR, "tcp://" + HOST + ":0?protocols=AMQP")
              .addAddressSetting("#", queues)
              .putSecurityRoles("#", Set.of(everything()));
      server = ActiveMQServers.newActiveMQServer(config, null, security, false);
      server.start();
    } catch (Exception e) {
      throw new IllegalStateException("the embedded broker did not start", e);
    }
    var acceptor = (NettyAcceptor) server.getRemotingService().getAcceptor(ACCEPTOR);
    return new EmbeddedBroker(server, acceptor.getActualPort());
  }

  private static Role everything() {
    Role role = new Role();
    role.setName(ROLE);
    role.setSend(true);
    role.setConsume(true);
    role.setBrowse(true);
    role.setCreateAddress(true);
    role.setDeleteAddress(true);
    role.setCreateDurableQueue(true);
    role.setDeleteDurableQueue(true);
    role.setCreateNonDurableQueue(true);
    role.setDeleteNonDurableQueue(true);
    role.setManage(true);
    role.setView(true);
    role.setEdit(true);
    return role;
  }

  /** The port of the AMQP acceptor, on 127.0.0.1. */
  int port() {
    return port;
  }

  /** {@code amqp://127.0.0.1:PORT}, without credentials: amqpkit logs in with ANONYMOUS. */
  String uri() {
    return "amqp://" + HOST + ":" + port;
  }

  /** Stops the broker: its connections drop and its port closes. */
  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("the embedded broker did not stop", e);
    }
  }
}
