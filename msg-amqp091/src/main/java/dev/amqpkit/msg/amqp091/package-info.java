/**
 * The msg backend over AMQP 0-9-1: {@link dev.amqpkit.msg.amqp091.Amqp091Topic} publishes to an
 * exchange, {@link dev.amqpkit.msg.amqp091.Amqp091Server} consumes a queue, both on a {@link
 * dev.amqpkit.amqp091.Connection} the application opens (self-healing by default) and closes.
 *
 * <p>Attributes and AMQP 0-9-1 messages map to each other as follows.
 *
 * <table>
 *   <caption>Attributes and basic properties</caption>
 *   <tr><th>attribute</th><th>sent as</th></tr>
 *   <tr><td>Content-Type, Content-Encoding, Message-Id, Correlation-Id, Reply-To, Type, App-Id</td>
 *       <td>the property of that name, when the attribute has one value of at most 255 bytes;
 *       otherwise a header</td></tr>
 *   <tr><td>Expiration</td><td>the {@code expiration} property (a per-message TTL) when its one
 *       value is a number of milliseconds; otherwise a header</td></tr>
 *   <tr><td>any other key</td><td>a header of that name: a long string for one value, an array
 *       of long strings for several. A key over 255 bytes fails the send.</td></tr>
 * </table>
 *
 * <p>A delivered message's attributes are those properties that are set, then its headers: a string
 * as it is, an array as one value per element, bytes as UTF-8 text, and other types (from other
 * publishers) as Java prints them. The {@code user-id}, {@code priority}, {@code timestamp}, {@code
 * delivery-mode} and {@code cluster-id} properties are not attributes (RabbitMQ refuses a {@code
 * user-id} other than the login's); messages are published persistent unless the topic says
 * otherwise.
 */
package dev.amqpkit.msg.amqp091;
