package dev.amqpkit.amqp10.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class BinaryTest {

  @Test
  void equalsByContentWhateverTheOffset() {
    byte[] big = {9, 9, 1, 2, 3, 9};
    Binary view = Binary.wrap(big, 2, 3);
    Binary copy = Binary.copyOf(new byte[] {1, 2, 3});

    assertThat(view).isEqualTo(copy).hasSameHashCodeAs(copy);
    assertThat(view).isNotEqualTo(Binary.copyOf(new byte[] {1, 2}));
    assertThat(view.length()).isEqualTo(3);
    assertThat(view.byteAt(0)).isEqualTo((byte) 1);
    assertThat(view.toByteArray()).containsExactly(1, 2, 3);
  }

  @Test
  void copyOfCopiesAndWrapDoesNot() {
    byte[] bytes = {1, 2, 3};
    Binary copied = Binary.copyOf(bytes);
    Binary wrapped = Binary.wrap(bytes);

    bytes[0] = 42;

    assertThat(copied.byteAt(0)).isEqualTo((byte) 1);
    assertThat(wrapped.byteAt(0)).isEqualTo((byte) 42);
  }

  @Test
  void copiesOutAndViewsReadOnly() {
    Binary b = Binary.wrap(new byte[] {0, 5, 6, 7}, 1, 3);
    byte[] target = new byte[5];
    b.copyTo(target, 1);
    ByteBuffer buffer = ByteBuffer.allocate(3);
    b.copyTo(buffer);

    assertThat(target).containsExactly(0, 5, 6, 7, 0);
    assertThat(buffer.array()).containsExactly(5, 6, 7);
    ByteBuffer view = b.asReadOnlyByteBuffer();
    assertThat(view.isReadOnly()).isTrue();
    assertThat(view.remaining()).isEqualTo(3);
    assertThat(view.get(0)).isEqualTo((byte) 5);
  }

  @Test
  void checksArguments() {
    assertThatThrownBy(() -> Binary.wrap(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("bytes == null");
    assertThatThrownBy(() -> Binary.copyOf(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("bytes == null");
    assertThatThrownBy(() -> Binary.wrap(new byte[2], 1, 2))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> Binary.wrap(new byte[2]).byteAt(2))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void toStringShowsLengthAndHex() {
    assertThat(Binary.copyOf(new byte[] {0x0a, (byte) 0xff})).hasToString("Binary[2 bytes: 0aff]");
    assertThat(Binary.EMPTY).hasToString("Binary[0 bytes]");
    assertThat(Binary.wrap(new byte[40]).toString()).endsWith("...]").contains("40 bytes");
  }
}
