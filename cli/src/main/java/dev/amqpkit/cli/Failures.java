package dev.amqpkit.cli;

import dev.amqpkit.amqp10.AmqpError;
import dev.amqpkit.amqp10.ErrorConditions;
import dev.amqpkit.amqp10.types.Symbol;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns what the clients throw into a {@link CommandFailure}: one line and an exit code. */
final class Failures {
  private Failures() {}

  static CommandFailure describe(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof CommandFailure f) return f;
    // Authentication and TLS before the rest: some are reported inside a failed connect.
    Throwable auth = find(t, dev.amqpkit.amqp091.AuthenticationException.class);
    if (auth == null) auth = find(t, dev.amqpkit.amqp10.AuthenticationException.class);
    if (auth != null) return new CommandFailure(Exit.LOGIN_REFUSED, auth.getMessage(), t);
    Throwable tls = find(t, dev.amqpkit.amqp091.TlsException.class);
    if (tls == null) tls = find(t, dev.amqpkit.amqp10.TlsException.class);
    if (tls != null) return new CommandFailure(Exit.TLS, "TLS failed: " + tls.getMessage(), t);
    if (t instanceof dev.amqpkit.amqp091.ConnectFailedException
        || t instanceof dev.amqpkit.amqp10.ConnectFailedException) {
      // The clients' message names each endpoint tried and why it failed.
      return new CommandFailure(Exit.UNREACHABLE, t.getMessage(), t);
    }
    if (t instanceof dev.amqpkit.amqp091.AmqpTimeoutException
        || t instanceof dev.amqpkit.amqp10.AmqpTimeoutException) {
      return new CommandFailure(Exit.TIMEOUT, t.getMessage(), t);
    }
    if (t instanceof dev.amqpkit.amqp091.ChannelClosedException e) {
      return new CommandFailure(byReplyCode(e.replyCode()), e.getMessage(), t);
    }
    if (t instanceof dev.amqpkit.amqp091.ConnectionClosedException e) {
      int code = e.replyCode() == 530 ? Exit.ACCESS_REFUSED : byReplyCode(e.replyCode());
      return new CommandFailure(code, e.getMessage(), t);
    }
    if (t instanceof dev.amqpkit.amqp10.LinkClosedException e) {
      return new CommandFailure(byCondition(e.error()), e.getMessage(), t);
    }
    if (t instanceof dev.amqpkit.amqp10.SessionClosedException e) {
      return new CommandFailure(byCondition(e.error()), e.getMessage(), t);
    }
    if (t instanceof dev.amqpkit.amqp10.ConnectionClosedException e) {
      return new CommandFailure(byCondition(e.error()), e.getMessage(), t);
    }
    if (t instanceof dev.amqpkit.amqp091.AmqpException
        || t instanceof dev.amqpkit.amqp10.AmqpException) {
      return new CommandFailure(Exit.FAILURE, t.getMessage(), t);
    }
    return new CommandFailure(Exit.FAILURE, "unexpected error: " + t, t);
  }

  private static int byReplyCode(int replyCode) {
    return switch (replyCode) {
      case 404 -> Exit.NOT_FOUND;
      case 403 -> Exit.ACCESS_REFUSED;
      default -> Exit.BROKER_REFUSED;
    };
  }

  private static int byCondition(AmqpError error) {
    if (error == null) return Exit.FAILURE;
    Symbol condition = error.condition();
    if (ErrorConditions.NOT_FOUND.equals(condition)
        || ErrorConditions.RESOURCE_DELETED.equals(condition)) {
      return Exit.NOT_FOUND;
    }
    if (ErrorConditions.UNAUTHORIZED_ACCESS.equals(condition)) return Exit.ACCESS_REFUSED;
    return Exit.BROKER_REFUSED;
  }

  private static Throwable find(Throwable t, Class<? extends Throwable> type) {
    for (int depth = 0; t != null && depth < 10; t = t.getCause(), depth++) {
      if (type.isInstance(t)) return t;
      for (Throwable s : t.getSuppressed()) if (type.isInstance(s)) return s;
    }
    return null;
  }
}
