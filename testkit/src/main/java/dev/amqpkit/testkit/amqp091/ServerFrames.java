package dev.amqpkit.testkit.amqp091;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Frames a broker sends, built with {@link Frame} and {@link Arguments}, for scripted peers such as
 * {@link ScriptedServer}. Each factory produces the well-formed frame; tests that need a broken one
 * start from {@link Arguments#raw(byte[])} or {@link Frame#of(int, int, byte[])}.
 */
public final class ServerFrames {
  /** Class id of the connection class. */
  public static final int CONNECTION = 10;

  /** Class id of the channel class. */
  public static final int CHANNEL = 20;

  /** Class id of the basic class. */
  public static final int BASIC = 60;

  /** Property-flags bit of the {@code headers} basic property in a content header. */
  public static final int HEADERS_FLAG = 1 << 13;

  private ServerFrames() {}

  /** The server properties of a RabbitMQ 3.13 broker, enough for any client to be satisfied. */
  public static Map<String, Object> rabbitMqServerProperties() {
    Map<String, Object> capabilities = new LinkedHashMap<>();
    capabilities.put("publisher_confirms", true);
    capabilities.put("exchange_exchange_bindings", true);
    capabilities.put("basic.nack", true);
    capabilities.put("consumer_cancel_notify", true);
    capabilities.put("connection.blocked", true);
    capabilities.put("consumer_priorities", true);
    capabilities.put("authentication_failure_close", true);
    capabilities.put("per_consumer_qos", true);
    capabilities.put("direct_reply_to", true);
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("capabilities", capabilities);
    properties.put("cluster_name", "rabbit@scripted");
    properties.put("copyright", "Copyright (c) 2007-2024 Broadcom Inc and/or its subsidiaries");
    properties.put("information", "Licensed under the MPL 2.0. Website: https://rabbitmq.com");
    properties.put("platform", "Erlang/OTP 26.2");
    properties.put("product", "RabbitMQ");
    properties.put("version", "3.13.0");
    return properties;
  }

  /** {@code connection.start} (10, 10): version 0-9, the given properties and mechanisms. */
  public static Frame connectionStart(Map<String, ?> serverProperties, String mechanisms) {
    return Frame.method(
        0,
        CONNECTION,
        10,
        Arguments.create()
            .octet(0)
            .octet(9)
            .table(serverProperties)
            .longString(mechanisms)
            .longString("en_US"));
  }

  /** {@code connection.start} of a RabbitMQ broker offering PLAIN and AMQPLAIN. */
  public static Frame connectionStart() {
    return connectionStart(rabbitMqServerProperties(), "PLAIN AMQPLAIN");
  }

  /** {@code connection.tune} (10, 30). */
  public static Frame connectionTune(int channelMax, long frameMax, int heartbeatSeconds) {
    return Frame.method(
        0,
        CONNECTION,
        30,
        Arguments.create().shortUint(channelMax).longUint(frameMax).shortUint(heartbeatSeconds));
  }

  /** {@code connection.open-ok} (10, 41). */
  public static Frame connectionOpenOk() {
    return Frame.method(0, CONNECTION, 41, Arguments.create().shortString(""));
  }

  /** {@code connection.close} (10, 50). */
  public static Frame connectionClose(int replyCode, String replyText, int classId, int methodId) {
    return Frame.method(
        0,
        CONNECTION,
        50,
        Arguments.create()
            .shortUint(replyCode)
            .shortString(replyText)
            .shortUint(classId)
            .shortUint(methodId));
  }

  /** {@code connection.close-ok} (10, 51). */
  public static Frame connectionCloseOk() {
    return Frame.method(0, CONNECTION, 51, Arguments.create());
  }

  /** {@code connection.blocked} (10, 60). */
  public static Frame connectionBlocked(String reason) {
    return Frame.method(0, CONNECTION, 60, Arguments.create().shortString(reason));
  }

  /** {@code channel.open-ok} (20, 11). */
  public static Frame channelOpenOk(int channel) {
    return Frame.method(channel, CHANNEL, 11, Arguments.create().longString(""));
  }

  /** {@code channel.close} (20, 40). */
  public static Frame channelClose(
      int channel, int replyCode, String replyText, int classId, int methodId) {
    return Frame.method(
        channel,
        CHANNEL,
        40,
        Arguments.create()
            .shortUint(replyCode)
            .shortString(replyText)
            .shortUint(classId)
            .shortUint(methodId));
  }

  /** {@code channel.close-ok} (20, 41). */
  public static Frame channelCloseOk(int channel) {
    return Frame.method(channel, CHANNEL, 41, Arguments.create());
  }

  /** {@code basic.consume-ok} (60, 21). */
  public static Frame basicConsumeOk(int channel, String consumerTag) {
    return Frame.method(channel, BASIC, 21, Arguments.create().shortString(consumerTag));
  }

  /** The arguments of {@code basic.deliver}, for tests that append something broken. */
  public static Arguments basicDeliverArguments(
      String consumerTag,
      long deliveryTag,
      boolean redelivered,
      String exchange,
      String routingKey) {
    return Arguments.create()
        .shortString(consumerTag)
        .longLong(deliveryTag)
        .bit(redelivered)
        .shortString(exchange)
        .shortString(routingKey);
  }

  /** {@code basic.deliver} (60, 60), the method that precedes a pushed message's content. */
  public static Frame basicDeliver(
      int channel,
      String consumerTag,
      long deliveryTag,
      boolean redelivered,
      String exchange,
      String routingKey) {
    return Frame.method(
        channel,
        BASIC,
        60,
        basicDeliverArguments(consumerTag, deliveryTag, redelivered, exchange, routingKey));
  }

  /** A content header (frame type 2) of class basic with no properties. */
  public static Frame contentHeader(int channel, long bodySize) {
    return contentHeader(channel, bodySize, 0, new byte[0]);
  }

  /**
   * A content header (frame type 2) of class basic: class, weight 0, body size, the property flags
   * and the encoded properties as given, which may be anything.
   */
  public static Frame contentHeader(
      int channel, long bodySize, int propertyFlags, byte[] encodedProperties) {
    Objects.requireNonNull(encodedProperties, "encodedProperties == null");
    byte[] payload =
        Arguments.create()
            .shortUint(BASIC)
            .shortUint(0)
            .longLong(bodySize)
            .shortUint(propertyFlags)
            .raw(encodedProperties)
            .toByteArray();
    return Frame.of(Frame.HEADER, channel, payload);
  }

  /**
   * A content header whose only property is a headers table with the given encoded table body: the
   * entries without the table's length, which is prefixed here.
   */
  public static Frame contentHeaderWithHeaders(int channel, long bodySize, byte[] tableEntries) {
    byte[] table = Arguments.create().longUint(tableEntries.length).raw(tableEntries).toByteArray();
    return contentHeader(channel, bodySize, HEADERS_FLAG, table);
  }

  /** A content body frame (type 3). */
  public static Frame body(int channel, byte[] bytes) {
    return Frame.of(Frame.BODY, channel, bytes);
  }
}
