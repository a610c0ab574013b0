package dev.amqpkit.msg;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class MessageTest {

  @Test
  void readBodyLeavesTheBodyReadableAgain() throws IOException {
    Message m = new Message(new Attributes(), new ByteArrayInputStream("hello".getBytes(UTF_8)));
    assertThat(m.body().read()).isEqualTo('h');
    assertThat(m.readBody()).isEqualTo("ello".getBytes(UTF_8));
    assertThat(m.body().readAllBytes()).isEqualTo("ello".getBytes(UTF_8));
  }

  @Test
  void aCopySharesNeitherAttributesNorBody() throws IOException {
    Message m = Message.of(Attributes.of("K", "v"), "body".getBytes(UTF_8));
    Message copy = m.copy();
    copy.attributes().set("K", "changed");
    byte[] copied = copy.body().readAllBytes();
    assertThat(copied).isEqualTo("body".getBytes(UTF_8));
    assertThat(m.attributes().get("K")).contains("v");
    assertThat(m.body().readAllBytes()).as("still readable").isEqualTo("body".getBytes(UTF_8));
  }

  @Test
  void withBodyCopiesTheAttributes() throws IOException {
    Message m = Message.of(Attributes.of("K", "v"), new byte[] {1});
    Message other = m.withBody(new byte[] {2});
    other.attributes().add("K", "w");
    assertThat(m.attributes().getAll("K")).containsExactly("v");
    assertThat(other.body().readAllBytes()).containsExactly(2);
  }
}
