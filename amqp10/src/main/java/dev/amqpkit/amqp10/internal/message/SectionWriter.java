package dev.amqpkit.amqp10.internal.message;

import dev.amqpkit.amqp10.internal.codec.EncodingCodes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * A growable byte buffer that writes the AMQP encodings message sections use, each in its smallest
 * form, the same bytes the generic encoder produces: the hot path of {@link MessageCodec}, without
 * sizing twice or building lists. Composite lists drop trailing nulls; a list or map takes its
 * 8-bit form when it fits, else its 32-bit form.
 *
 * <p>Not thread-safe; reused by one {@link MessageCodec}.
 */
final class SectionWriter {
  private static final int COMPOUND_HEADER = 9; // code, 4-byte size, 4-byte count

  private byte[] buf = new byte[512];
  private int pos;

  // The compound being written (lists and maps do not nest here).
  private int compoundStart = -1;
  private int count;
  private int lastValueEnd;
  private int lastValueCount;

  void reset() {
    pos = 0;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  private void ensure(int more) {
    if (pos + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
  }

  /** Writes the constructor of a section: described, by its small numeric descriptor. */
  void section(int descriptor) {
    ensure(3);
    buf[pos++] = EncodingCodes.DESCRIBED;
    buf[pos++] = (byte) EncodingCodes.SMALLULONG;
    buf[pos++] = (byte) descriptor;
  }

  /** Appends bytes encoded elsewhere, such as a value the generic encoder wrote. */
  void raw(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, pos, bytes.length);
    pos += bytes.length;
    valueWritten();
  }

  // ---- compounds ----

  void beginList() {
    beginCompound();
  }

  void beginMap() {
    beginCompound();
  }

  private void beginCompound() {
    ensure(COMPOUND_HEADER);
    compoundStart = pos;
    pos += COMPOUND_HEADER;
    count = 0;
    lastValueEnd = pos;
    lastValueCount = 0;
  }

  /** Ends a composite's list, leaving out its trailing nulls. */
  void endList() {
    pos = lastValueEnd;
    endCompound(EncodingCodes.LIST8, EncodingCodes.LIST32, lastValueCount, true);
  }

  void endMap() {
    endCompound(EncodingCodes.MAP8, EncodingCodes.MAP32, count, false);
  }

  private void endCompound(int small, int large, int elements, boolean list0) {
    int start = compoundStart;
    int content = pos - (start + COMPOUND_HEADER);
    compoundStart = -1;
    if (elements == 0 && list0) {
      buf[start] = (byte) EncodingCodes.LIST0;
      pos = start + 1;
    } else if (content + 1 <= 255 && elements <= 255) {
      buf[start] = (byte) small;
      buf[start + 1] = (byte) (content + 1);
      buf[start + 2] = (byte) elements;
      System.arraycopy(buf, start + COMPOUND_HEADER, buf, start + 3, content);
      pos = start + 3 + content;
    } else {
      buf[start] = (byte) large;
      putInt(start + 1, content + 4);
      putInt(start + 5, elements);
    }
  }

  private void valueWritten() {
    count++;
    lastValueEnd = pos;
    lastValueCount = count;
  }

  // ---- values ----

  void nullValue() {
    ensure(1);
    buf[pos++] = EncodingCodes.NULL;
    count++;
  }

  void bool(boolean value) {
    ensure(1);
    buf[pos++] = (byte) (value ? EncodingCodes.TRUE : EncodingCodes.FALSE);
    valueWritten();
  }

  void ubyte(int value) {
    ensure(2);
    buf[pos++] = (byte) EncodingCodes.UBYTE;
    buf[pos++] = (byte) value;
    valueWritten();
  }

  void uint(long value) {
    ensure(5);
    if (value == 0) {
      buf[pos++] = EncodingCodes.UINT0;
    } else if (value <= 255) {
      buf[pos++] = (byte) EncodingCodes.SMALLUINT;
      buf[pos++] = (byte) value;
    } else {
      buf[pos++] = (byte) EncodingCodes.UINT;
      putInt(pos, (int) value);
      pos += 4;
    }
    valueWritten();
  }

  void ulong(long bits) {
    ensure(9);
    if (bits == 0) {
      buf[pos++] = EncodingCodes.ULONG0;
    } else if (bits > 0 && bits <= 255) {
      buf[pos++] = (byte) EncodingCodes.SMALLULONG;
      buf[pos++] = (byte) bits;
    } else {
      buf[pos++] = (byte) EncodingCodes.ULONG;
      putLong(pos, bits);
      pos += 8;
    }
    valueWritten();
  }

  void int32(int value) {
    ensure(5);
    if (value >= -128 && value <= 127) {
      buf[pos++] = (byte) EncodingCodes.SMALLINT;
      buf[pos++] = (byte) value;
    } else {
      buf[pos++] = (byte) EncodingCodes.INT;
      putInt(pos, value);
      pos += 4;
    }
    valueWritten();
  }

  void int64(long value) {
    ensure(9);
    if (value >= -128 && value <= 127) {
      buf[pos++] = (byte) EncodingCodes.SMALLLONG;
      buf[pos++] = (byte) value;
    } else {
      buf[pos++] = (byte) EncodingCodes.LONG;
      putLong(pos, value);
      pos += 8;
    }
    valueWritten();
  }

  void timestamp(long epochMillis) {
    ensure(9);
    buf[pos++] = (byte) EncodingCodes.TIMESTAMP;
    putLong(pos, epochMillis);
    pos += 8;
    valueWritten();
  }

  void uuid(UUID value) {
    ensure(17);
    buf[pos++] = (byte) EncodingCodes.UUID;
    putLong(pos, value.getMostSignificantBits());
    putLong(pos + 8, value.getLeastSignificantBits());
    pos += 16;
    valueWritten();
  }

  void binary(byte[] bytes, int offset, int length) {
    variable(EncodingCodes.VBIN8, EncodingCodes.VBIN32, length);
    System.arraycopy(bytes, offset, buf, pos, length);
    pos += length;
    valueWritten();
  }

  void binary(dev.amqpkit.amqp10.types.Binary b) {
    variable(EncodingCodes.VBIN8, EncodingCodes.VBIN32, b.length());
    b.copyTo(buf, pos);
    pos += b.length();
    valueWritten();
  }

  void string(String s) {
    text(s, EncodingCodes.STR8, EncodingCodes.STR32);
  }

  /** A symbol; the caller guarantees ASCII. */
  void symbol(String s) {
    text(s, EncodingCodes.SYM8, EncodingCodes.SYM32);
  }

  /** Copies ASCII text as it checks it, in one pass; anything else goes through UTF-8. */
  private void text(String s, int small, int large) {
    int n = s.length();
    int start = pos;
    variable(small, large, n);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        pos = start; // the length written is the UTF-16 one: start again
        binaryBody(small, large, s.getBytes(StandardCharsets.UTF_8));
        return;
      }
      buf[pos + i] = (byte) c;
    }
    pos += n;
    valueWritten();
  }

  private void binaryBody(int small, int large, byte[] bytes) {
    variable(small, large, bytes.length);
    System.arraycopy(bytes, 0, buf, pos, bytes.length);
    pos += bytes.length;
    valueWritten();
  }

  private void variable(int small, int large, int length) {
    ensure(5 + length);
    if (length <= 255) {
      buf[pos++] = (byte) small;
      buf[pos++] = (byte) length;
    } else {
      buf[pos++] = (byte) large;
      putInt(pos, length);
      pos += 4;
    }
  }

  private void putInt(int at, int v) {
    buf[at] = (byte) (v >>> 24);
    buf[at + 1] = (byte) (v >>> 16);
    buf[at + 2] = (byte) (v >>> 8);
    buf[at + 3] = (byte) v;
  }

  private void putLong(int at, long v) {
    putInt(at, (int) (v >>> 32));
    putInt(at + 4, (int) v);
  }
}
