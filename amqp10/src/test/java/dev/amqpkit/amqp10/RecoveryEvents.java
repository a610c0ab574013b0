package dev.amqpkit.amqp10;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** What a self-healing connection's listener heard, in order, for the recovery tests. */
final class RecoveryEvents implements ConnectionListener {
  final List<String> heard = new CopyOnWriteArrayList<>();
  final AtomicInteger disconnected = new AtomicInteger();
  final AtomicInteger recovered = new AtomicInteger();
  final AtomicInteger sessionsRecovered = new AtomicInteger();
  private final BlockingQueue<String> recoveries = new LinkedBlockingQueue<>();

  @Override
  public void disconnected(ConnectionClosedException cause) {
    heard.add("disconnected " + cause.initiator());
    disconnected.incrementAndGet();
  }

  @Override
  public void reconnecting(int attempt, Duration delay) {
    heard.add("reconnecting " + attempt);
  }

  @Override
  public void recovered() {
    heard.add("recovered");
    recovered.incrementAndGet();
    recoveries.add("recovered");
  }

  @Override
  public void sessionRecovered(Session session) {
    heard.add("session recovered");
    sessionsRecovered.incrementAndGet();
    recoveries.add("session recovered");
  }

  @Override
  public void linkLost(String linkName, AmqpException cause) {
    heard.add("link lost " + linkName);
  }

  @Override
  public void gaveUp(Exception cause) {
    heard.add("gave up");
  }

  @Override
  public void closed(ConnectionClosedException cause) {
    heard.add("closed " + cause.initiator());
  }

  /** Waits for the next recovery, of the connection or of a session. */
  void awaitRecovery() throws InterruptedException {
    assertThat(recoveries.poll(30, TimeUnit.SECONDS)).as("recovered within 30 s").isNotNull();
  }
}
