package dev.amqpkit.testkit.amqp091;

import java.io.IOException;

/**
 * The broker closed a channel or the connection with {@code channel.close} or {@code
 * connection.close}; carries the reply code and text and the method that caused it.
 */
public final class BrokerCloseException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What the broker closed. */
  public enum Scope {
    CHANNEL,
    CONNECTION
  }

  private final Scope scope;
  private final int replyCode;
  private final String replyText;
  private final int classId;
  private final int methodId;

  public BrokerCloseException(
      Scope scope, int replyCode, String replyText, int classId, int methodId) {
    super(
        "broker closed the "
            + scope.name().toLowerCase(java.util.Locale.ROOT)
            + ": "
            + replyCode
            + " "
            + replyText
            + (classId == 0 ? "" : " (in method " + classId + "." + methodId + ")"));
    this.scope = scope;
    this.replyCode = replyCode;
    this.replyText = replyText;
    this.classId = classId;
    this.methodId = methodId;
  }

  public Scope scope() {
    return scope;
  }

  public int replyCode() {
    return replyCode;
  }

  public String replyText() {
    return replyText;
  }

  public int classId() {
    return classId;
  }

  public int methodId() {
    return methodId;
  }
}
