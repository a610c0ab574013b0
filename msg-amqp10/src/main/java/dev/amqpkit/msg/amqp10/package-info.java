/**
 * The msg backend over AMQP 1.0: {@link dev.amqpkit.msg.amqp10.Amqp10Topic} sends to an address,
 * {@link dev.amqpkit.msg.amqp10.Amqp10Server} receives from one, both on a {@link
 * dev.amqpkit.amqp10.Connection} the application opens (self-healing by default) and closes. With
 * RabbitMQ 3.10, an address is {@code /amq/queue/NAME} (or {@code /exchange/NAME/KEY} to send).
 *
 * <p>Attributes and AMQP 1.0 messages map to each other as follows.
 *
 * <table>
 *   <caption>Attributes and message sections</caption>
 *   <tr><th>attribute</th><th>sent as</th></tr>
 *   <tr><td>Message-Id, Correlation-Id, Subject, Reply-To, Group-Id</td>
 *       <td>the field of the properties section (a string), when the attribute has one value;
 *       otherwise an application property</td></tr>
 *   <tr><td>Content-Type, Content-Encoding</td><td>the field of the properties section (a
 *       symbol), when the attribute has one ASCII value; otherwise an application property</td></tr>
 *   <tr><td>any other key</td><td>an application property of that name holding the first value
 *       as a string; when there are several values, also the application property {@code
 *       amqpkit-values:KEY} holding all of them as a JSON array of strings (the specification
 *       allows only simple types there). Keys starting with {@code amqpkit-values:} are
 *       reserved: sending one fails.</td></tr>
 *   <tr><td>(the body)</td><td>one {@code data} section; the header says durable unless the
 *       topic says otherwise</td></tr>
 * </table>
 *
 * <p>A received message's attributes are the properties fields above that are set (a message id or
 * correlation id of another type, such as a UUID, as text), then its application properties
 * (strings as they are, binary as UTF-8 text, other types as Java prints them). Its body is its
 * {@code data} sections, or an {@code amqp-value} holding binary or a string (as UTF-8); other
 * bodies are rejected with {@code amqp:decode-error}.
 */
package dev.amqpkit.msg.amqp10;
