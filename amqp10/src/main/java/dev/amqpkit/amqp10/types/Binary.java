package dev.amqpkit.amqp10.types;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * An AMQP {@code binary}: a sequence of bytes, held as a view over a range of a byte array.
 *
 * <p>Immutable and thread-safe as long as nobody changes the bytes it views: {@link #copyOf} takes
 * a private copy, {@link #wrap} does not. Two binaries are equal when they hold the same bytes,
 * whatever arrays and offsets they view.
 */
public final class Binary {
  private static final byte[] NO_BYTES = new byte[0];

  public static final Binary EMPTY = new Binary(NO_BYTES, 0, 0);

  private final byte[] bytes;
  private final int offset;
  private final int length;
  private int hash;

  private Binary(byte[] bytes, int offset, int length) {
    this.bytes = bytes;
    this.offset = offset;
    this.length = length;
  }

  /**
   * Returns a binary holding a copy of {@code bytes}; later changes to the array do not show.
   *
   * @throws NullPointerException if {@code bytes} is null
   */
  public static Binary copyOf(byte[] bytes) {
    if (bytes == null) throw new NullPointerException("bytes == null");
    return copyOf(bytes, 0, bytes.length);
  }

  /**
   * Returns a binary holding a copy of {@code length} bytes of {@code bytes} from {@code offset}.
   *
   * @throws NullPointerException if {@code bytes} is null
   * @throws IndexOutOfBoundsException if the range is not inside the array
   */
  public static Binary copyOf(byte[] bytes, int offset, int length) {
    if (bytes == null) throw new NullPointerException("bytes == null");
    Objects.checkFromIndexSize(offset, length, bytes.length);
    if (length == 0) return EMPTY;
    return new Binary(Arrays.copyOfRange(bytes, offset, offset + length), 0, length);
  }

  /**
   * Returns a binary viewing {@code bytes} without copying them. The caller promises not to change
   * the array afterwards; if it does, the binary changes with it.
   *
   * @throws NullPointerException if {@code bytes} is null
   */
  public static Binary wrap(byte[] bytes) {
    if (bytes == null) throw new NullPointerException("bytes == null");
    return new Binary(bytes, 0, bytes.length);
  }

  /**
   * Returns a binary viewing {@code length} bytes of {@code bytes} from {@code offset}, without
   * copying them. The caller promises not to change that range afterwards.
   *
   * @throws NullPointerException if {@code bytes} is null
   * @throws IndexOutOfBoundsException if the range is not inside the array
   */
  public static Binary wrap(byte[] bytes, int offset, int length) {
    if (bytes == null) throw new NullPointerException("bytes == null");
    Objects.checkFromIndexSize(offset, length, bytes.length);
    return new Binary(bytes, offset, length);
  }

  public int length() {
    return length;
  }

  /**
   * Returns the byte at {@code index}.
   *
   * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, length())}
   */
  public byte byteAt(int index) {
    Objects.checkIndex(index, length);
    return bytes[offset + index];
  }

  /** Returns a new array with a copy of the bytes. */
  public byte[] toByteArray() {
    return Arrays.copyOfRange(bytes, offset, offset + length);
  }

  /**
   * Copies the bytes into {@code target} starting at {@code targetOffset}.
   *
   * @throws IndexOutOfBoundsException if {@code target} has no room for {@link #length()} bytes
   *     there
   */
  public void copyTo(byte[] target, int targetOffset) {
    System.arraycopy(bytes, offset, target, targetOffset, length);
  }

  /**
   * Puts the bytes into {@code target} at its position, advancing it.
   *
   * @throws java.nio.BufferOverflowException if {@code target} has fewer than {@link #length()}
   *     bytes remaining
   * @throws java.nio.ReadOnlyBufferException if {@code target} is read-only
   */
  public void copyTo(ByteBuffer target) {
    target.put(bytes, offset, length);
  }

  /** Returns a read-only buffer over the bytes, positioned at the first; nothing is copied. */
  public ByteBuffer asReadOnlyByteBuffer() {
    return ByteBuffer.wrap(bytes, offset, length).slice().asReadOnlyBuffer();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    return o instanceof Binary other
        && length == other.length
        && Arrays.equals(
            bytes, offset, offset + length, other.bytes, other.offset, other.offset + length);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = 1;
      for (int i = offset, end = offset + length; i < end; i++) h = 31 * h + bytes[i];
      hash = h;
    }
    return h;
  }

  /** The length and the bytes in hex, the first 32 of them when there are more. */
  @Override
  public String toString() {
    int shown = Math.min(length, 32);
    StringBuilder s = new StringBuilder(24 + 2 * shown).append("Binary[").append(length);
    s.append(length == 1 ? " byte" : " bytes");
    if (length > 0) s.append(": ");
    for (int i = 0; i < shown; i++) {
      int b = bytes[offset + i] & 0xFF;
      s.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xF, 16));
    }
    if (shown < length) s.append("...");
    return s.append(']').toString();
  }
}
