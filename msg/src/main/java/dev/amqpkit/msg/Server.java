package dev.amqpkit.msg;

import java.io.IOException;
import java.time.Duration;

/**
 * Takes messages from where a backend reads them and hands each to a {@link Receiver}, several at
 * once up to the server's concurrency, until it is shut down.
 *
 * <p>A server serves once: {@code serve} blocks until {@link #shutdown} has finished and then
 * returns normally, which is the signal that the server closed; afterwards {@code serve} throws
 * {@link ServerClosedException}. {@code shutdown} may be called from any thread, before, during or
 * after {@code serve}.
 */
public interface Server {

  /**
   * Serves messages to {@code receiver} until the server is shut down, blocking the calling thread.
   *
   * <p>Each message goes to {@code receiver} on one of the server's threads (with a concurrency of
   * 1, backends may call it on the thread that took the message), never more at once than the
   * server's concurrency. A receive that returns settles its message for good; one that throws an
   * exception puts it back (or dead-letters it, as configured). A receiver that throws an {@link
   * Error} fails that receive the same way and then ends serving: messages in flight are given the
   * time of a shutdown to finish, and the error is thrown from here (a {@link SafeReceiver} avoids
   * that).
   *
   * @throws ServerClosedException if the server was shut down, or is being shut down
   * @throws IllegalStateException if the server is serving already
   * @throws ServerFailedException if the backend could not go on (its connection gone for good, its
   *     queue deleted); messages in flight were given time to finish first
   * @throws InterruptedException if the calling thread was interrupted; the server then shuts down
   *     without waiting for messages in flight, which go back to be delivered again
   */
  void serve(Receiver receiver) throws IOException, InterruptedException;

  /**
   * Stops taking messages, waits up to {@code timeout} for those in flight to be processed, and
   * releases what the server holds (its channel or link; messages it took but did not process go
   * back to be delivered again). {@code serve} returns once this is done.
   *
   * <p>Receives still running when the time is up are interrupted. The timeout bounds the wait for
   * messages in flight; cancelling the consumer and closing the channel or link take what the
   * protocol client allows them (its request and close timeouts). Calling it again waits for the
   * first call to finish (within {@code timeout}) and returns its answer. An interrupt ends the
   * wait, with the interrupt flag set again. Called from a receive, it waits for that receive too,
   * so its whole timeout.
   *
   * @return whether every message in flight was processed within {@code timeout}
   */
  boolean shutdown(Duration timeout);
}
