package dev.amqpkit.amqp10;

import dev.amqpkit.testkit.amqp10.ScriptedPeer;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/**
 * For the link tests against a {@link ScriptedPeer}: a fresh peer per test, a session on it with
 * {@link LinkTestSupport#options}, and both closed after the test.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
abstract class ScriptedLinkFixture {
  protected final ScriptedPeer peer;
  protected Connection connection;

  ScriptedLinkFixture() throws IOException {
    peer = new ScriptedPeer();
  }

  @AfterEach
  void closePeerAndConnection() {
    peer.close(); // first: the connection then closes at once, without waiting for an answer
    if (connection != null) connection.close();
  }

  /** Opens a connection to the peer with the short timeouts, and a session on it. */
  protected Session session() {
    return session(LinkTestSupport.options(peer));
  }

  protected Session session(ConnectionOptions.Builder options) {
    connection = Connection.open(options.build());
    return connection.openSession();
  }
}
