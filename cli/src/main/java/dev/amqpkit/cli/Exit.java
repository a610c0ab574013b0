package dev.amqpkit.cli;

/** The command's exit codes; the README lists them. */
final class Exit {
  static final int OK = 0;

  /** Something unexpected; {@code --verbose} shows the stack trace. */
  static final int FAILURE = 1;

  /** Options or arguments the command cannot use. */
  static final int USAGE = 2;

  static final int BAD_URI = 3;

  /** No broker answered at the address: refused, unknown host, no route, timed out. */
  static final int UNREACHABLE = 4;

  static final int LOGIN_REFUSED = 5;
  static final int TLS = 6;

  /** A queue, exchange or address that does not exist. */
  static final int NOT_FOUND = 7;

  /** The user may not do that (403 ACCESS_REFUSED, 530 NOT_ALLOWED, amqp:unauthorized-access). */
  static final int ACCESS_REFUSED = 8;

  /** A wait ran out: connecting, an answer from the broker, or messages that did not come. */
  static final int TIMEOUT = 9;

  /** Messages the broker did not take (nacked, rejected, released) or did not answer for. */
  static final int NOT_CONFIRMED = 10;

  /** The broker refused the operation for another reason, e.g. 406 PRECONDITION_FAILED. */
  static final int BROKER_REFUSED = 11;

  /** perf: messages the broker confirmed that no consumer received. */
  static final int LOST = 12;

  /**
   * Stopped by Ctrl-C (SIGINT), after a clean close and a summary. The process's exit status is
   * then the signal's: 130, or 143 for SIGTERM.
   */
  static final int INTERRUPTED = 130;

  private Exit() {}
}
