package dev.amqpkit.amqp10.internal.frames;

import dev.amqpkit.amqp10.internal.protocol.Accepted;
import dev.amqpkit.amqp10.internal.protocol.Disposition;
import dev.amqpkit.amqp10.internal.protocol.Released;
import dev.amqpkit.amqp10.internal.protocol.Role;
import dev.amqpkit.amqp10.internal.protocol.Transfer;
import dev.amqpkit.amqp10.types.Binary;
import java.nio.ByteBuffer;

/**
 * The performatives every message costs, transfer and disposition, written by hand: byte for byte
 * what the generic encoder writes (the smallest encodings, trailing defaults left out), without the
 * field lists and boxes it allocates. A transfer with a state or a receiver settle mode, and a
 * disposition with a state other than accepted or released, are left to the generic encoder.
 *
 * <p>Stateless.
 */
final class HotPerformatives {
  private static final int DESCRIBED = 0x00;
  private static final int SMALLULONG = 0x53;
  private static final int TRANSFER = 0x14;
  private static final int DISPOSITION = 0x15;
  private static final int ACCEPTED = 0x24;
  private static final int RELEASED = 0x26;
  private static final int NULL = 0x40;
  private static final int TRUE = 0x41;
  private static final int FALSE = 0x42;
  private static final int UINT0 = 0x43;
  private static final int LIST0 = 0x45;
  private static final int SMALLUINT = 0x52;
  private static final int UINT = 0x70;
  private static final int VBIN8 = 0xa0;
  private static final int VBIN32 = 0xb0;
  private static final int LIST8 = 0xc0;
  private static final int LIST32 = 0xd0;

  private HotPerformatives() {}

  /** The encoded size of {@code performative}, or -1 if the generic encoder must write it. */
  static int size(Object performative) {
    if (performative instanceof Transfer t) {
      if (t.rcvSettleMode() != null || t.state() != null) return -1;
      int count = transferCount(t);
      int body =
          uint(t.handle())
              + (count > 1 ? optionalUint(t.deliveryId()) : 0)
              + (count > 2 ? binary(t.deliveryTag()) : 0)
              + (count > 3 ? optionalUint(t.messageFormat()) : 0)
              + (count > 4 ? 1 : 0) // settled
              + (count > 5 ? 1 : 0) // more
              + (count > 6 ? 2 : 0) // rcv-settle-mode and state: null
              + (count > 8 ? count - 8 : 0); // resume, aborted, batchable
      return 3 + listSize(body, count);
    }
    if (performative instanceof Disposition d) {
      if (d.state() != null
          && !(d.state() instanceof Accepted)
          && !(d.state() instanceof Released)) {
        return -1;
      }
      int count = dispositionCount(d);
      int body =
          1 // role
              + uint(d.first())
              + (count > 2 ? optionalUint(d.last()) : 0)
              + (count > 3 ? 1 : 0) // settled
              + (count > 4 ? (d.state() == null ? 1 : 4) : 0)
              + (count > 5 ? 1 : 0); // batchable
      return 3 + listSize(body, count);
    }
    return -1;
  }

  /** Writes a performative {@link #size} accepted; returns the bytes written. */
  static int write(Object performative, ByteBuffer out) {
    int start = out.position();
    int size = size(performative);
    out.put((byte) DESCRIBED).put((byte) SMALLULONG);
    if (performative instanceof Transfer t) {
      out.put((byte) TRANSFER);
      int count = transferCount(t);
      listHeader(out, size - 3, count);
      writeUint(out, t.handle());
      if (count > 1) writeOptionalUint(out, t.deliveryId());
      if (count > 2) writeBinary(out, t.deliveryTag());
      if (count > 3) writeOptionalUint(out, t.messageFormat());
      if (count > 4) out.put((byte) (t.settled() == null ? NULL : t.settled() ? TRUE : FALSE));
      if (count > 5) out.put((byte) (t.more() ? TRUE : NULL));
      if (count > 6) out.put((byte) NULL);
      if (count > 7) out.put((byte) NULL);
      if (count > 8) out.put((byte) (t.resume() ? TRUE : NULL));
      if (count > 9) out.put((byte) (t.aborted() ? TRUE : NULL));
      if (count > 10) out.put((byte) (t.batchable() ? TRUE : NULL));
    } else {
      Disposition d = (Disposition) performative;
      out.put((byte) DISPOSITION);
      int count = dispositionCount(d);
      listHeader(out, size - 3, count);
      out.put((byte) (d.role() == Role.RECEIVER ? TRUE : FALSE));
      writeUint(out, d.first());
      if (count > 2) writeOptionalUint(out, d.last());
      if (count > 3) out.put((byte) (d.settled() ? TRUE : NULL));
      if (count > 4) {
        if (d.state() == null) {
          out.put((byte) NULL);
        } else {
          out.put((byte) DESCRIBED).put((byte) SMALLULONG);
          out.put((byte) (d.state() instanceof Accepted ? ACCEPTED : RELEASED)).put((byte) LIST0);
        }
      }
      if (count > 5) out.put((byte) (d.batchable() ? TRUE : NULL));
    }
    return out.position() - start;
  }

  /**
   * Reads a transfer from {@code start} (its descriptor) to at most {@code end}, the usual way
   * transfers are written, without the generic decoder's field list and boxes. Returns null for
   * anything else (another performative, a state, an encoding it does not take, a mandatory field
   * missing): the generic decoder then reads it, and judges it.
   *
   * @return the transfer, with the buffer's position moved past it; or null, with the position
   *     where it was
   */
  static Transfer readTransfer(ByteBuffer in, int start, int end) {
    if (in.order() != java.nio.ByteOrder.BIG_ENDIAN
        || end - start < 5
        || in.get(start) != DESCRIBED
        || (in.get(start + 1) & 0xFF) != SMALLULONG
        || in.get(start + 2) != TRANSFER) {
      return null;
    }
    int code = in.get(start + 3) & 0xFF;
    int at;
    int count;
    int listEnd;
    if (code == LIST8) {
      listEnd = start + 5 + (in.get(start + 4) & 0xFF);
      count = end - start >= 6 ? in.get(start + 5) & 0xFF : -1;
      at = start + 6;
    } else if (code == LIST32 && end - start >= 12) {
      listEnd = start + 8 + in.getInt(start + 4);
      count = in.getInt(start + 8);
      at = start + 12;
    } else {
      return null;
    }
    if (count < 1 || count > 11 || listEnd > end || listEnd < at) return null;
    Reader r = new Reader(in, at, listEnd);
    long handle = r.uint();
    if (handle < 0) return null; // absent or not a uint: mandatory
    Long deliveryId = count > 1 ? r.optionalUint() : null;
    Binary tag = count > 2 ? r.optionalBinary() : null;
    Long format = count > 3 ? r.optionalUint() : null;
    Boolean settled = count > 4 ? r.optionalBool() : null;
    Boolean more = count > 5 ? r.optionalBool() : null;
    if (count > 6 && !r.isNull()) return null; // rcv-settle-mode
    if (count > 7 && !r.isNull()) return null; // state
    Boolean resume = count > 8 ? r.optionalBool() : null;
    Boolean aborted = count > 9 ? r.optionalBool() : null;
    Boolean batchable = count > 10 ? r.optionalBool() : null;
    if (r.failed || r.at != listEnd) return null;
    in.position(listEnd);
    return new Transfer(
        handle,
        deliveryId,
        tag,
        format,
        settled,
        Boolean.TRUE.equals(more),
        null,
        null,
        Boolean.TRUE.equals(resume),
        Boolean.TRUE.equals(aborted),
        Boolean.TRUE.equals(batchable));
  }

  /** Reads primitive fields in sequence; marks itself failed at anything unexpected. */
  private static final class Reader {
    private final ByteBuffer in;
    private final int end;
    int at;
    boolean failed;

    Reader(ByteBuffer in, int at, int end) {
      this.in = in;
      this.at = at;
      this.end = end;
    }

    private int u8() {
      if (at >= end) {
        failed = true;
        return NULL;
      }
      return in.get(at++) & 0xFF;
    }

    boolean isNull() {
      if (at < end && (in.get(at) & 0xFF) == NULL) {
        at++;
        return true;
      }
      return false;
    }

    /** A uint, or -1 (and failed) for anything else, null included. */
    long uint() {
      int code = u8();
      switch (code) {
        case UINT0:
          return 0;
        case SMALLUINT:
          return u8();
        case UINT:
          if (at + 4 > end) break;
          long v = in.getInt(at) & 0xFFFF_FFFFL;
          at += 4;
          return v;
        default:
          break;
      }
      failed = true;
      return -1;
    }

    Long optionalUint() {
      if (isNull()) return null;
      long v = uint();
      return v < 0 ? null : v;
    }

    Boolean optionalBool() {
      int code = u8();
      if (code == NULL) return null;
      if (code == TRUE) return Boolean.TRUE;
      if (code == FALSE) return Boolean.FALSE;
      if (code == 0x56) {
        int b = u8();
        if (b == 0 || b == 1) return b == 1;
      }
      failed = true;
      return null;
    }

    Binary optionalBinary() {
      int code = u8();
      if (code == NULL) return null;
      int length;
      if (code == VBIN8) {
        length = u8();
      } else if (code == VBIN32 && at + 4 <= end) {
        length = in.getInt(at);
        at += 4;
      } else {
        failed = true;
        return null;
      }
      if (length < 0 || length > end - at) {
        failed = true;
        return null;
      }
      byte[] bytes = new byte[length];
      in.get(at, bytes);
      at += length;
      return Binary.wrap(bytes);
    }
  }

  /** The fields up to the last one that is not absent or at its default. */
  private static int transferCount(Transfer t) {
    if (t.batchable()) return 11;
    if (t.aborted()) return 10;
    if (t.resume()) return 9;
    if (t.more()) return 6;
    if (t.settled() != null) return 5;
    if (t.messageFormat() != null) return 4;
    if (t.deliveryTag() != null) return 3;
    if (t.deliveryId() != null) return 2;
    return 1;
  }

  private static int dispositionCount(Disposition d) {
    if (d.batchable()) return 6;
    if (d.state() != null) return 5;
    if (d.settled()) return 4;
    if (d.last() != null) return 3;
    return 2;
  }

  /** Whether a list of these elements' bytes is a list8, as the generic encoder decides. */
  private static boolean small(int body, int count) {
    return body + 1 <= 255 && count <= 255;
  }

  /** A list's encoded size, constructor included, from its elements' bytes. */
  private static int listSize(int body, int count) {
    return small(body, count) ? 3 + body : 9 + body;
  }

  /**
   * Writes a list's constructor, size and count, given its encoded size from {@link #listSize}. A
   * list32 is 6 bytes longer than a list8 of the same elements, which therefore never fits a byte
   * when taken for one: the size alone tells the two apart.
   */
  private static void listHeader(ByteBuffer out, int listSize, int count) {
    if (small(listSize - 3, count)) {
      out.put((byte) LIST8).put((byte) (listSize - 2)).put((byte) count);
    } else {
      out.put((byte) LIST32);
      int32(out, listSize - 5);
      int32(out, count);
    }
  }

  private static void int32(ByteBuffer out, int value) {
    out.put((byte) (value >>> 24))
        .put((byte) (value >>> 16))
        .put((byte) (value >>> 8))
        .put((byte) value);
  }

  private static int uint(long value) {
    return value == 0 ? 1 : value <= 0xFF ? 2 : 5;
  }

  private static int optionalUint(Long value) {
    return value == null ? 1 : uint(value);
  }

  private static int binary(Binary value) {
    return value == null ? 1 : (value.length() <= 255 ? 2 : 5) + value.length();
  }

  private static void writeUint(ByteBuffer out, long value) {
    if (value == 0) {
      out.put((byte) UINT0);
    } else if (value <= 0xFF) {
      out.put((byte) SMALLUINT).put((byte) value);
    } else {
      out.put((byte) UINT);
      int32(out, (int) value);
    }
  }

  private static void writeOptionalUint(ByteBuffer out, Long value) {
    if (value == null) out.put((byte) NULL);
    else writeUint(out, value);
  }

  private static void writeBinary(ByteBuffer out, Binary value) {
    if (value == null) {
      out.put((byte) NULL);
      return;
    }
    if (value.length() <= 255) out.put((byte) VBIN8).put((byte) value.length());
    else {
      out.put((byte) VBIN32);
      int32(out, value.length());
    }
    value.copyTo(out);
  }
}
