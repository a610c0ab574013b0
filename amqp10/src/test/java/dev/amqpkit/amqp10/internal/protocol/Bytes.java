package dev.amqpkit.amqp10.internal.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes test bytes by hand, as the specification lays them out. */
public final class Bytes {
  private Bytes() {}

  /**
   * Concatenates {@code parts}: each is hex bytes separated by spaces ({@code "00 53 10"}), or,
   * when it starts with a quote, the ASCII text after it ({@code "'PLAIN"}).
   */
  public static byte[] bytes(String... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String part : parts) {
      if (part.startsWith("'")) {
        out.writeBytes(part.substring(1).getBytes(StandardCharsets.US_ASCII));
        continue;
      }
      for (String token : part.trim().split("\\s+")) {
        if (!token.isEmpty()) out.write(Integer.parseInt(token, 16));
      }
    }
    return out.toByteArray();
  }

  /** The bytes in hex, separated by spaces, for assertion messages. */
  public static String hex(byte[] bytes) {
    StringBuilder s = new StringBuilder();
    for (byte b : bytes) {
      if (s.length() > 0) s.append(' ');
      s.append(String.format("%02x", b & 0xFF));
    }
    return s.toString();
  }
}
