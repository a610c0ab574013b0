package dev.amqpkit.amqp091;

/**
 * The broker could not route a mandatory message and returned it ({@code basic.return}): the future
 * of {@link Channel#basicPublishMandatoryWithConfirm} fails with this, carrying the message.
 */
public final class PublishReturnedException extends AmqpException {
  private static final long serialVersionUID = 1L;

  private final transient ReturnedMessage returned;

  public PublishReturnedException(ReturnedMessage returned) {
    super(
        "the broker returned the mandatory message published to exchange '"
            + returned.exchange()
            + "' with routing key '"
            + returned.routingKey()
            + "': "
            + returned.replyCode()
            + " "
            + returned.replyText());
    this.returned = returned;
  }

  /** The message as the broker returned it, with its reply code and text. */
  public ReturnedMessage returned() {
    return returned;
  }
}
