package dev.amqpkit.amqp091;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.amqpkit.common.Recovery;
import dev.amqpkit.testkit.amqp091.Arguments;
import dev.amqpkit.testkit.amqp091.Frame;
import dev.amqpkit.testkit.amqp091.ScriptedServer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The window of unconfirmed publishes and large bodies sent by reference, against a scripted server
 * that confirms exactly when the test says so.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PublishWindowTest {
  private static final Duration SHORT = Duration.ofMillis(700);
  private static final byte[] BODY = {1, 2, 3};

  private final ScriptedServer server;
  private final List<byte[]> published = new CopyOnWriteArrayList<>();
  private Connection connection;

  PublishWindowTest() throws IOException {
    server = new ScriptedServer();
  }

  @AfterEach
  void close() {
    server.close();
    if (connection != null) connection.close();
  }

  private Channel openChannel() {
    connection =
        Connection.open(
            ConnectionOptions.builder()
                // The bare client: these tests are about how a failure ends the connection.
                .recovery(Recovery.disabled())
                .endpoint(server.host(), server.port())
                .heartbeat(Duration.ZERO)
                .rpcTimeout(SHORT)
                .closeTimeout(SHORT)
                .build());
    return connection.openChannel();
  }

  private Channel confirmingChannel(int maxUnconfirmed) {
    Channel channel = openChannel();
    channel.confirmSelect(maxUnconfirmed);
    return channel;
  }

  private ScriptedServer confirmModeScript() {
    return server
        .handshake(0)
        .acceptChannelOpen(1)
        .expectMethodAndRespond(
            1, 85, 10, f -> Frame.method(1, 85, 11, Arguments.create())); // confirm.select-ok
  }

  private static Frame ack(long sequence, boolean multiple) {
    return Frame.method(1, 60, 80, Arguments.create().longLong(sequence).bit(multiple));
  }

  private static Frame nack(long sequence, boolean multiple) {
    return Frame.method(
        1, 60, 120, Arguments.create().longLong(sequence).octet((multiple ? 1 : 0) | 2));
  }

  @Test
  void aFullWindowHoldsThePublisherUntilAConfirmMakesRoom() throws Exception {
    confirmModeScript()
        .expectPublish(1, published::add)
        .expectPublish(1, published::add)
        .goSilent()
        .send(ack(1, false))
        .expectPublish(1, published::add)
        .send(ack(3, true))
        .start();
    Channel channel = confirmingChannel(2);
    CompletableFuture<Void> first =
        channel.basicPublishWithConfirm("", "q", BasicProperties.EMPTY, BODY);
    CompletableFuture<Void> second =
        channel.basicPublishWithConfirm("", "q", BasicProperties.EMPTY, BODY);

    CompletableFuture<CompletableFuture<Void>> third =
        CompletableFuture.supplyAsync(
            () -> channel.basicPublishWithConfirm("", "q", BasicProperties.EMPTY, BODY));
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !third.isDone() && published.size() == 2);

    server.resume(); // the server confirms the first publish
    third.get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
    first.get(5, TimeUnit.SECONDS);
    second.get(5, TimeUnit.SECONDS);
    assertThat(published).hasSize(3);
    assertThat(channel.nextPublishSequenceNumber()).isEqualTo(4);
  }

  @Test
  void aPlaceFreedByASingleConfirmIsUsedPromptly() throws Exception {
    // With a window of 32, settling wakes publishers two places at a time; one confirm alone
    // must still let a waiting publisher through well within the RPC timeout.
    ScriptedServer script = confirmModeScript();
    for (int i = 0; i < 32; i++) script.expectPublish(1, published::add);
    script.goSilent().send(ack(1, false)).expectPublish(1, published::add).start();
    Channel channel = confirmingChannel(32);
    for (int i = 0; i < 32; i++) channel.basicPublish("", "q", BasicProperties.EMPTY, BODY);

    CompletableFuture<CompletableFuture<Void>> next =
        CompletableFuture.supplyAsync(
            () -> channel.basicPublishWithConfirm("", "q", BasicProperties.EMPTY, BODY));
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !next.isDone());
    long start = System.nanoTime();
    server.resume();

    next.get(5, TimeUnit.SECONDS);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .isLessThan(SHORT.toMillis() / 2);
    server.awaitDone(Duration.ofSeconds(5));
    assertThat(published).hasSize(33);
  }

  @Test
  void aWindowThatStaysFullTimesOutAndTheTimedOutPublishTakesNoNumber() throws Exception {
    confirmModeScript()
        .expectPublish(1, published::add)
        .goSilent()
        .send(ack(1, false))
        .expectPublish(1, published::add)
        .send(ack(2, false))
        .start();
    Channel channel = confirmingChannel(1);
    CompletableFuture<Void> first =
        channel.basicPublishWithConfirm("", "q", BasicProperties.EMPTY, BODY);

    long start = System.nanoTime();
    assertThatThrownBy(() -> channel.basicPublish("", "q", BasicProperties.EMPTY, BODY))
        .isInstanceOf(AmqpTimeoutException.class)
        .hasMessageContaining("1 publishes still unconfirmed")
        .hasMessageContaining("nothing of this one was sent");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .isBetween(SHORT.toMillis() - 50, SHORT.toMillis() + 3000);
    assertThat(channel.isOpen()).isTrue();
    assertThat(channel.nextPublishSequenceNumber()).isEqualTo(2);

    server.resume();
    first.get(5, TimeUnit.SECONDS);
    CompletableFuture<Void> next =
        channel.basicPublishWithConfirm("", "q", BasicProperties.EMPTY, BODY);
    next.get(5, TimeUnit.SECONDS); // the server acks sequence 2: the numbers still match
    server.awaitDone(Duration.ofSeconds(5));
    assertThat(published).hasSize(2);
  }

  @Test
  void aNackFailsExactlyThePublishesItNames() throws Exception {
    confirmModeScript()
        .expectPublish(1, published::add)
        .expectPublish(1, published::add)
        .expectPublish(1, published::add)
        .expectPublish(1, published::add)
        .send(nack(2, false), ack(3, true), nack(4, true))
        .start();
    Channel channel = confirmingChannel(10);
    List<CompletableFuture<Void>> confirms = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 4; i++) {
      confirms.add(channel.basicPublishWithConfirm("", "q", BasicProperties.EMPTY, BODY));
    }

    confirms.get(0).get(5, TimeUnit.SECONDS);
    confirms.get(2).get(5, TimeUnit.SECONDS);
    for (int failed : new int[] {1, 3}) {
      assertThatThrownBy(() -> confirms.get(failed).get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(PublishNackedException.class)
          .hasMessageContaining(String.valueOf(failed + 1));
    }
    // waitForConfirms reports the first nack since its previous call, once.
    assertThatThrownBy(() -> channel.waitForConfirms(Duration.ofSeconds(1)))
        .isInstanceOf(PublishNackedException.class)
        .extracting(e -> ((PublishNackedException) e).sequenceNumber())
        .isEqualTo(2L);
    assertThatCode(() -> channel.waitForConfirms(Duration.ofSeconds(1))).doesNotThrowAnyException();
  }

  @Test
  void publishesWithoutFuturesAreCountedAndTheirNacksReportedByWaitForConfirms() {
    confirmModeScript()
        .expectPublish(1, published::add)
        .expectPublish(1, published::add)
        .expectPublish(1, published::add)
        .send(ack(1, false), nack(3, true))
        .expectPublish(1, published::add)
        .send(ack(4, false))
        .start();
    Channel channel = confirmingChannel(10);
    for (int i = 0; i < 3; i++) channel.basicPublish("", "q", BasicProperties.EMPTY, BODY);

    assertThatThrownBy(() -> channel.waitForConfirms(Duration.ofSeconds(5)))
        .isInstanceOf(PublishNackedException.class)
        .hasMessageContaining("sequence number 2");
    channel.basicPublish("", "q", BasicProperties.EMPTY, BODY);
    assertThatCode(() -> channel.waitForConfirms(Duration.ofSeconds(5))).doesNotThrowAnyException();
    assertThat(channel.nextPublishSequenceNumber()).isEqualTo(5);
  }

  @Test
  void waitForConfirmsTimesOutNamingTheFirstUnansweredPublish() {
    confirmModeScript()
        .expectPublish(1, published::add)
        .expectPublish(1, published::add)
        .send(ack(1, false))
        .start();
    Channel channel = confirmingChannel(10);
    channel.basicPublish("", "q", BasicProperties.EMPTY, BODY);
    channel.basicPublish("", "q", BasicProperties.EMPTY, BODY);

    long start = System.nanoTime();
    assertThatThrownBy(() -> channel.waitForConfirms(Duration.ofMillis(500)))
        .isInstanceOf(AmqpTimeoutException.class)
        .hasMessage(
            "channel 1: publishes up to sequence number 2 still unconfirmed after PT0.5S, from 2 on");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(450L, 4000L);
  }

  @Test
  void waitForConfirmsFailsWithTheCloseWhenTheChannelClosesFirst() {
    confirmModeScript()
        .expectPublish(1, published::add)
        .send(
            Frame.method(
                1,
                20,
                40,
                Arguments.create()
                    .shortUint(404)
                    .shortString("NOT_FOUND - no exchange 'x'")
                    .shortUint(60)
                    .shortUint(40)))
        .start();
    Channel channel = confirmingChannel(10);
    channel.basicPublish("x", "q", BasicProperties.EMPTY, BODY);

    assertThatThrownBy(() -> channel.waitForConfirms(Duration.ofSeconds(5)))
        .isInstanceOf(ChannelClosedException.class)
        .hasMessageContaining("404");
  }

  @Test
  void aPublishWithAFutureNeedsConfirmMode() {
    server.handshake(0).acceptChannelOpen(1).start();
    Channel channel = openChannel();

    assertThatThrownBy(() -> channel.basicPublishWithConfirm("", "q", BasicProperties.EMPTY, BODY))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("channel 1 is not in confirm mode: call confirmSelect first");
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void aBrokerThatStopsReadingInTheMiddleOfALargeMessageClosesTheConnectionInTime() {
    server.handshake(0).acceptChannelOpen(1).goSilent().start();
    Channel channel = openChannel();
    // Far more than the socket buffers and the writer's 512 KiB can hold.
    byte[] large = new byte[64 * 1024 * 1024];

    long start = System.nanoTime();
    assertThatThrownBy(() -> channel.basicPublish("", "q", BasicProperties.EMPTY, large))
        .isInstanceOf(ConnectionClosedException.class)
        .hasMessageContaining("while a 67108864-byte message on channel 1 was being sent");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .isLessThan(SHORT.toMillis() + 5000);
    await().atMost(Duration.ofSeconds(5)).until(() -> !connection.isOpen());
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void maxUnconfirmedBelowOneIsRefused() {
    confirmModeScript().start();
    Channel channel = confirmingChannel(5);
    assertThatThrownBy(() -> channel.confirmSelect(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxUnconfirmed must be at least 1: 0");
  }
}
