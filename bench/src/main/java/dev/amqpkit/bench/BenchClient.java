package dev.amqpkit.bench;

/** A client under measurement: opens a session on a broker that the harness measures. */
interface BenchClient {
  String name();

  Session open(String uri) throws Exception;

  /** One connection and one channel; measured between open and close. */
  interface Session extends AutoCloseable {
    /**
     * Publishes {@code count} messages of {@code size} bytes to the default exchange with the queue
     * as routing key; with {@code inFlight > 0}, in confirm mode with at most that many
     * unconfirmed, returning once all are confirmed.
     */
    long publish(String queue, int count, int size, int inFlight) throws Exception;

    /**
     * Consumes {@code count} messages with this prefetch, acking every {@code ackEvery} with
     * multiple.
     */
    long consume(String queue, int count, int prefetch, int ackEvery) throws Exception;

    @Override
    void close() throws java.io.IOException;
  }
}
