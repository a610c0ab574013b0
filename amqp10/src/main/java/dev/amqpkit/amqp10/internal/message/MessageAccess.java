package dev.amqpkit.amqp10.internal.message;

import dev.amqpkit.amqp10.Message;
import java.util.Map;

/**
 * What the codec may do to a {@link Message.Builder} that the public API does not offer: hand it
 * application properties to keep as they are, without the copy and the per-entry checks {@link
 * Message.Builder#applicationProperties} makes (the decoder has checked them), and clear it for
 * reuse. {@link Message} installs the hooks when its class initializes. Internal to amqpkit.
 */
public final class MessageAccess {
  /** The hooks {@link Message} installs. */
  public interface Hooks {
    /** Sets the builder's application properties to {@code properties}, an unmodifiable map. */
    void shareApplicationProperties(Message.Builder builder, Map<String, Object> properties);

    /** Returns the builder to the state {@link Message#builder()} gives, for reuse. */
    void clear(Message.Builder builder);
  }

  private static volatile Hooks hooks;

  private MessageAccess() {}

  /**
   * Called once, by {@link Message}.
   *
   * @throws IllegalStateException if hooks are installed already
   */
  public static void install(Hooks h) {
    if (hooks != null) throw new IllegalStateException("message hooks are installed already");
    hooks = h;
  }

  static Hooks hooks() {
    Hooks h = hooks;
    if (h == null) {
      Message.builder(); // initializes Message, which installs them
      h = hooks;
    }
    return h;
  }
}
