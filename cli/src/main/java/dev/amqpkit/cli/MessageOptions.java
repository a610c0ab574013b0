package dev.amqpkit.cli;

import dev.amqpkit.amqp091.BasicProperties;
import dev.amqpkit.amqp10.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * A message's properties and headers as {@code publish} takes them. Most mean the same in both
 * protocols; the few that exist in one only are refused with the other.
 */
final class MessageOptions {

  @Option(names = "--content-type", paramLabel = "TYPE", description = "e.g. text/plain")
  String contentType;

  @Option(names = "--content-encoding", paramLabel = "ENCODING", description = "e.g. gzip")
  String contentEncoding;

  @Option(names = "--message-id", paramLabel = "ID")
  String messageId;

  @Option(names = "--correlation-id", paramLabel = "ID")
  String correlationId;

  @Option(names = "--reply-to", paramLabel = "ADDRESS")
  String replyTo;

  @Option(
      names = "--user-id",
      paramLabel = "USER",
      description = "RabbitMQ refuses a user id other than the connection's user.")
  String userId;

  @Option(names = "--priority", paramLabel = "0-255")
  Integer priority;

  @Option(
      names = "--persistent",
      description =
          "Ask the broker to keep the message on disk (0-9-1 delivery mode 2; 1.0 durable).")
  boolean persistent;

  @Option(
      names = "--ttl",
      paramLabel = "DURATION",
      converter = Values.DurationConverter.class,
      description = "How long the message may wait in a queue (0-9-1 expiration; 1.0 ttl).")
  Duration ttl;

  @Option(
      names = "--timestamp",
      paramLabel = "now|INSTANT",
      description =
          "0-9-1 timestamp (whole seconds) or 1.0 creation-time: now, or e.g. 2026-11-23T10:00:00Z.")
  String timestamp;

  @Option(
      names = {"-H", "--header"},
      paramLabel = "KEY[:TYPE]=VALUE",
      description =
          "A header (0-9-1) or application property (1.0); repeatable. A string unless TYPE says"
              + " int, long, double, bool or string: -H retries:int=3.")
  List<String> headers = new ArrayList<>();

  @Option(names = "--type", paramLabel = "TYPE", description = "0-9-1 only: the message type.")
  String type;

  @Option(names = "--app-id", paramLabel = "ID", description = "0-9-1 only.")
  String appId;

  @Option(names = "--subject", paramLabel = "SUBJECT", description = "1.0 only.")
  String subject;

  @Option(names = "--to", paramLabel = "ADDRESS", description = "1.0 only: the to property.")
  String to;

  @Option(names = "--group-id", paramLabel = "ID", description = "1.0 only.")
  String groupId;

  @Option(names = "--group-sequence", paramLabel = "N", description = "1.0 only.")
  Long groupSequence;

  @Option(names = "--reply-to-group-id", paramLabel = "ID", description = "1.0 only.")
  String replyToGroupId;

  @Option(
      names = "--absolute-expiry",
      paramLabel = "INSTANT",
      description = "1.0 only: when the message expires, e.g. 2026-11-23T10:00:00Z.")
  String absoluteExpiry;

  private void check(Protocol protocol) {
    if (priority != null && (priority < 0 || priority > 255)) {
      throw CommandFailure.usage("--priority must be between 0 and 255, not " + priority);
    }
    List<String> wrong = new ArrayList<>();
    if (protocol == Protocol.AMQP_1_0) {
      if (type != null) wrong.add("--type");
      if (appId != null) wrong.add("--app-id");
    } else {
      if (subject != null) wrong.add("--subject");
      if (to != null) wrong.add("--to");
      if (groupId != null) wrong.add("--group-id");
      if (groupSequence != null) wrong.add("--group-sequence");
      if (replyToGroupId != null) wrong.add("--reply-to-group-id");
      if (absoluteExpiry != null) wrong.add("--absolute-expiry");
    }
    if (!wrong.isEmpty()) {
      throw CommandFailure.usage(
          String.join(", ", wrong) + " cannot be used with --protocol " + protocol);
    }
  }

  /** The 0-9-1 properties these options describe. */
  BasicProperties properties091() {
    check(Protocol.AMQP_0_9_1);
    BasicProperties.Builder b =
        BasicProperties.builder()
            .contentType(contentType)
            .contentEncoding(contentEncoding)
            .messageId(messageId)
            .correlationId(correlationId)
            .replyTo(replyTo)
            .userId(userId)
            .priority(priority)
            .type(type)
            .appId(appId);
    if (persistent) b.persistent();
    if (ttl != null) b.expiration(Long.toString(ttl.toMillis()));
    if (timestamp != null) b.timestamp(instant("--timestamp", timestamp));
    Map<String, Object> h = Values.pairs(headers, "--header", false);
    if (!h.isEmpty()) b.headers(h);
    return b.build();
  }

  /** A 1.0 message builder with these options' sections, to be given a body. */
  Message.Builder message10() {
    check(Protocol.AMQP_1_0);
    Message.Builder b = Message.builder();
    if (persistent) b.durable(true);
    if (priority != null) b.priority(priority);
    if (ttl != null) b.ttl(ttl);
    if (messageId != null) b.messageId(messageId);
    if (userId != null) b.userId(userId.getBytes(StandardCharsets.UTF_8));
    if (to != null) b.to(to);
    if (subject != null) b.subject(subject);
    if (replyTo != null) b.replyTo(replyTo);
    if (correlationId != null) b.correlationId(correlationId);
    if (contentType != null) b.contentType(contentType);
    if (contentEncoding != null) b.contentEncoding(contentEncoding);
    if (absoluteExpiry != null) b.absoluteExpiryTime(instant("--absolute-expiry", absoluteExpiry));
    if (timestamp != null) b.creationTime(instant("--timestamp", timestamp));
    if (groupId != null) b.groupId(groupId);
    if (groupSequence != null) b.groupSequence(groupSequence);
    if (replyToGroupId != null) b.replyToGroupId(replyToGroupId);
    Map<String, Object> h = Values.pairs(headers, "--header", false);
    if (!h.isEmpty()) b.applicationProperties(h);
    return b;
  }

  private static Instant instant(String option, String value) {
    if (value.equalsIgnoreCase("now")) return Instant.now();
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw CommandFailure.usage(
          option + " '" + value + "' is not now or an instant such as 2026-11-23T10:00:00Z");
    }
  }
}
