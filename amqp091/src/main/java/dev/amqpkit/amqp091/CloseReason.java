package dev.amqpkit.amqp091;

/**
 * Why a channel or connection was closed, as {@code channel.close} or {@code connection.close} said
 * it: the reply code and text, and the class and method that caused it (0 when none did).
 */
public record CloseReason(int replyCode, String replyText, int classId, int methodId) {
  /** 200: a normal close. */
  public static final int REPLY_SUCCESS = 200;

  public CloseReason {
    replyText = replyText == null ? "" : replyText;
  }

  /** Whether the code is a normal close rather than an error. */
  public boolean isNormal() {
    return replyCode == REPLY_SUCCESS;
  }

  @Override
  public String toString() {
    return replyCode
        + " "
        + replyText
        + (classId == 0 ? "" : " (caused by method " + classId + "." + methodId + ")");
  }
}
