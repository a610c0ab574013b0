package dev.amqpkit.msg;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A message: its {@link Attributes} and a body to read.
 *
 * <p>A message handed to a {@link Receiver} belongs to that call: the body the server gave it may
 * be read until {@code receive} returns, not after (reading then fails with an {@code
 * IOException}); bytes taken out before, with {@link #readBody()} or {@link #copy()}, stay the
 * caller's. Not thread-safe.
 */
public final class Message {
  private final Attributes attributes;
  private InputStream body;

  /**
   * A message with these attributes (not copied) and body.
   *
   * @throws NullPointerException if either is null
   */
  public Message(Attributes attributes, InputStream body) {
    this.attributes = Objects.requireNonNull(attributes, "attributes == null");
    this.body = Objects.requireNonNull(body, "body == null");
  }

  /** A message with these attributes (not copied) and body (not copied). */
  public static Message of(Attributes attributes, byte[] body) {
    return new Message(attributes, new ByteArrayInputStream(Objects.requireNonNull(body)));
  }

  /** A message with no attributes and this body (not copied). */
  public static Message of(byte[] body) {
    return of(new Attributes(), body);
  }

  /** The attributes, which the caller may change. */
  public Attributes attributes() {
    return attributes;
  }

  /** The body, as far as it has been read. */
  public InputStream body() {
    return body;
  }

  /**
   * Reads what is left of the body and leaves it readable again: afterwards {@link #body()} is a
   * new stream over the same bytes. Lets a decorator or a log look at a body that the receiver
   * still has to read.
   *
   * @return the bytes; they back the new body, so leave them unchanged
   * @throws IOException if reading fails (for a received message, also when {@code receive} has
   *     returned)
   */
  public byte[] readBody() throws IOException {
    byte[] bytes = body.readAllBytes();
    body = new ByteArrayInputStream(bytes);
    return bytes;
  }

  /** A message with a copy of these attributes and the given body. */
  public Message withBody(InputStream newBody) {
    return new Message(attributes.copy(), newBody);
  }

  /** A message with a copy of these attributes and the given body (not copied). */
  public Message withBody(byte[] newBody) {
    return of(attributes.copy(), newBody);
  }

  /**
   * A message that shares nothing with this one: a copy of the attributes and of the body, which
   * stays readable here too (see {@link #readBody()}).
   *
   * @throws IOException if reading the body fails
   */
  public Message copy() throws IOException {
    return of(attributes.copy(), readBody().clone());
  }

  @Override
  public String toString() {
    return "Message" + attributes;
  }
}
