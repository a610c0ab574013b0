package dev.amqpkit.testkit.amqp091;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameTest {

  @Test
  void methodFrameHasTheWireLayoutOfTheSpecification() {
    Frame frame = Frame.method(3, 20, 10, Arguments.create().shortString(""));

    assertThat(frame.toByteArray())
        .containsExactly(1, 0, 3, 0, 0, 0, 5, 0, 20, 0, 10, 0, 0xCE - 256);
    assertThat(frame.classId()).isEqualTo(20);
    assertThat(frame.methodId()).isEqualTo(10);
    assertThat(frame.isMethod(20, 10)).isTrue();
  }

  @Test
  void readsBackWhatItWrites() throws Exception {
    Frame frame = Frame.of(Frame.BODY, 65535, new byte[] {1, 2, 3});

    Frame read = Frame.readFrom(new ByteArrayInputStream(frame.toByteArray()), 16);

    assertThat(read).isEqualTo(frame);
    assertThat(read.channel()).isEqualTo(65535);
    assertThat(read.payload()).containsExactly(1, 2, 3);
  }

  @Test
  void rejectsAWrongFrameEnd() {
    byte[] bytes = Frame.heartbeat().toByteArray();
    bytes[bytes.length - 1] = 0x00;

    assertThatThrownBy(() -> Frame.readFrom(new ByteArrayInputStream(bytes), 16))
        .isInstanceOf(FrameFormatException.class)
        .hasMessageContaining("frame-end octet is 0x00");
  }

  @Test
  void rejectsAnOversizedFrameBeforeReadingItsPayload() {
    // Declares 2 GiB and carries nothing: must fail on the size, not try to allocate or read.
    byte[] bytes = {Frame.BODY, 0, 1, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};

    assertThatThrownBy(() -> Frame.readFrom(new ByteArrayInputStream(bytes), 4096))
        .isInstanceOf(FrameFormatException.class)
        .hasMessageContaining("2147483647 bytes, over 4096");
  }

  @Test
  void reportsWhereAStreamWasTruncated() {
    byte[] whole = Frame.of(Frame.BODY, 1, new byte[10]).toByteArray();

    assertThatThrownBy(() -> Frame.readFrom(new ByteArrayInputStream(Arrays.copyOf(whole, 3)), 64))
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("frame header");
    assertThatThrownBy(() -> Frame.readFrom(new ByteArrayInputStream(Arrays.copyOf(whole, 12)), 64))
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("frame payload");
    assertThatThrownBy(
            () ->
                Frame.readFrom(
                    new ByteArrayInputStream(Arrays.copyOf(whole, whole.length - 1)), 64))
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("frame-end");
  }

  @Test
  void rejectsChannelsOutsideSixteenBits() {
    assertThatThrownBy(() -> Frame.of(Frame.BODY, 65536, new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
