package dev.amqpkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactTest {

  @Test
  void passwordsOfUrisAreHidden() {
    assertThat(Redact.passwords("Unknown options: '--url', 'amqp://u:s3cret@h:5672/%2F'"))
        .isEqualTo("Unknown options: '--url', 'amqp://u:****@h:5672/%2F'");
    assertThat(Redact.passwords("amqps://guest:p%40ss@host and amqp://a:b@c"))
        .isEqualTo("amqps://guest:****@host and amqp://a:****@c");
  }

  @Test
  void textWithoutPasswordsIsLeftAlone() {
    for (String text :
        new String[] {
          "amqp://host:5672/vhost", "amqp://user@host", "no uri here", "a:b@c", "http://h:80/x@y"
        }) {
      assertThat(Redact.passwords(text)).isEqualTo(text);
    }
  }
}
