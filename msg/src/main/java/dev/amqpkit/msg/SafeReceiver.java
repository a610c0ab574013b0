package dev.amqpkit.msg;

import java.util.Objects;

/**
 * A receiver that turns anything the receiver it wraps throws, an {@link Error} included ({@code
 * StackOverflowError}, {@code AssertionError}, a {@code NoClassDefFoundError}...), into a failed
 * receive: the message is put back, and the server goes on with the others. One poisonous message
 * cannot end the server.
 *
 * <p>{@link VirtualMachineError}s other than stack overflow ({@code OutOfMemoryError}, {@code
 * InternalError}) mean the whole process is in trouble and are not caught. Thread-safe if the
 * wrapped receiver is.
 */
public final class SafeReceiver implements Receiver {
  private final Receiver receiver;

  private SafeReceiver(Receiver receiver) {
    this.receiver = receiver;
  }

  /** Wraps {@code receiver}; a SafeReceiver is returned as it is. */
  public static SafeReceiver of(Receiver receiver) {
    Objects.requireNonNull(receiver, "receiver == null");
    return receiver instanceof SafeReceiver safe ? safe : new SafeReceiver(receiver);
  }

  /**
   * Calls the wrapped receiver.
   *
   * @throws ReceiverErrorException if it threw an {@code Error}, which is its cause
   * @throws Exception what it threw otherwise
   */
  @Override
  public void receive(Message message) throws Exception {
    try {
      receiver.receive(message);
    } catch (StackOverflowError e) {
      throw new ReceiverErrorException(e);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Error e) {
      throw new ReceiverErrorException(e);
    }
  }

  @Override
  public String toString() {
    return "SafeReceiver(" + receiver + ")";
  }
}
