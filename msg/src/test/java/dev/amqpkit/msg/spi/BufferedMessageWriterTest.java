package dev.amqpkit.msg.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amqpkit.msg.Attributes;
import dev.amqpkit.msg.ClosedWriterException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BufferedMessageWriterTest {
  private final List<byte[]> sent = new ArrayList<>();

  private BufferedMessageWriter writer(int max) {
    return new BufferedMessageWriter(max) {
      @Override
      protected void send(Attributes attributes, byte[] body, int length) {
        sent.add(Arrays.copyOf(body, length));
      }
    };
  }

  @Test
  void sendsWhatWasWrittenOnceOnClose() throws IOException {
    BufferedMessageWriter w = writer(1 << 20);
    byte[] chunk = new byte[1000];
    Arrays.fill(chunk, (byte) 7);
    for (int i = 0; i < 300; i++) w.write(chunk);
    w.write(9);
    assertThat(sent).isEmpty();
    w.close();
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0)).hasSize(300_001).endsWith(7, 9);
    assertThatThrownBy(w::close).isInstanceOf(ClosedWriterException.class);
    assertThat(sent).hasSize(1);
  }

  @Test
  void aBodyOverTheLimitIsRefusedAndNothingIsSent() throws IOException {
    BufferedMessageWriter w = writer(10);
    w.write(new byte[10]);
    assertThatThrownBy(() -> w.write(1))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("over 10 bytes");
    assertThatThrownBy(w::close).isInstanceOf(IOException.class).hasMessageContaining("not sent");
    assertThat(sent).isEmpty();
  }

  @Test
  void badSlicesAreRefused() {
    BufferedMessageWriter w = writer(10);
    assertThatThrownBy(() -> w.write(new byte[4], 3, 2))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
}
