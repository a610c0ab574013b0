/**
 * The AMQP 1.0 type system as Java values: the types the JDK has no match for ({@link
 * dev.amqpkit.amqp10.types.Symbol}, the unsigned integers, {@link dev.amqpkit.amqp10.types.Binary},
 * the decimals, {@link dev.amqpkit.amqp10.types.AmqpChar}, {@link
 * dev.amqpkit.amqp10.types.AmqpArray}, {@link dev.amqpkit.amqp10.types.DescribedValue}), and the
 * mapping of every AMQP type to the Java type that carries it in message bodies, application
 * properties and annotations.
 *
 * <p>All values here are immutable and safe to share between threads.
 *
 * <table>
 *   <caption>AMQP 1.0 type to Java type</caption>
 *   <tr><th>AMQP type</th><th>Java type</th><th>notes</th></tr>
 *   <tr><td>null</td><td>{@code null}</td><td></td></tr>
 *   <tr><td>boolean</td><td>{@link java.lang.Boolean}</td><td></td></tr>
 *   <tr><td>ubyte</td><td>{@link dev.amqpkit.amqp10.types.UnsignedByte}</td><td></td></tr>
 *   <tr><td>ushort</td><td>{@link dev.amqpkit.amqp10.types.UnsignedShort}</td><td></td></tr>
 *   <tr><td>uint</td><td>{@link dev.amqpkit.amqp10.types.UnsignedInteger}</td><td></td></tr>
 *   <tr><td>ulong</td><td>{@link dev.amqpkit.amqp10.types.UnsignedLong}</td><td></td></tr>
 *   <tr><td>byte</td><td>{@link java.lang.Byte}</td><td></td></tr>
 *   <tr><td>short</td><td>{@link java.lang.Short}</td><td></td></tr>
 *   <tr><td>int</td><td>{@link java.lang.Integer}</td><td></td></tr>
 *   <tr><td>long</td><td>{@link java.lang.Long}</td><td></td></tr>
 *   <tr><td>float</td><td>{@link java.lang.Float}</td><td>bits kept, NaN payloads included</td></tr>
 *   <tr><td>double</td><td>{@link java.lang.Double}</td><td>bits kept</td></tr>
 *   <tr><td>decimal32, decimal64, decimal128</td><td>{@link dev.amqpkit.amqp10.types.Decimal32},
 *       {@link dev.amqpkit.amqp10.types.Decimal64}, {@link dev.amqpkit.amqp10.types.Decimal128}
 *       </td><td>raw IEEE 754-2008 BID bits, exact; convert to and from {@code BigDecimal}</td></tr>
 *   <tr><td>char</td><td>{@link dev.amqpkit.amqp10.types.AmqpChar}</td><td>a Unicode code point,
 *       not a Java {@code char} (which cannot hold one outside the BMP)</td></tr>
 *   <tr><td>timestamp</td><td>{@link java.time.Instant}</td><td>milliseconds since the epoch;
 *       encoding drops anything finer than a millisecond</td></tr>
 *   <tr><td>uuid</td><td>{@link java.util.UUID}</td><td></td></tr>
 *   <tr><td>binary</td><td>{@link dev.amqpkit.amqp10.types.Binary}</td><td>not {@code byte[]},
 *       whose equality is identity</td></tr>
 *   <tr><td>string</td><td>{@link java.lang.String}</td><td>must be valid UTF-16 (no unpaired
 *       surrogates) to be encoded</td></tr>
 *   <tr><td>symbol</td><td>{@link dev.amqpkit.amqp10.types.Symbol}</td><td>ASCII</td></tr>
 *   <tr><td>list</td><td>{@link java.util.List}{@code <Object>}</td><td>decoded lists are
 *       unmodifiable and may hold {@code null}</td></tr>
 *   <tr><td>map</td><td>{@link java.util.Map}{@code <Object, Object>}</td><td>decoded maps are
 *       unmodifiable and keep the wire order of their keys</td></tr>
 *   <tr><td>array</td><td>{@link dev.amqpkit.amqp10.types.AmqpArray}</td><td>element type
 *       (and descriptors) plus elements; not Java arrays, so that every element type, arrays of
 *       arrays and arrays of described values round-trip</td></tr>
 *   <tr><td>described types</td><td>{@link dev.amqpkit.amqp10.types.DescribedValue}, or the
 *       class of a type the client knows (such as a message section)</td><td>unknown descriptors
 *       are kept, never dropped</td></tr>
 * </table>
 */
package dev.amqpkit.amqp10.types;
