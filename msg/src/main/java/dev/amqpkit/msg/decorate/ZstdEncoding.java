package dev.amqpkit.msg.decorate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Zstandard by aircompressor. The library's classes are touched only in {@link Streams}, so that
 * this class loads, and the other codings work, without it.
 */
final class ZstdEncoding implements ContentEncoding {
  private static final String MISSING =
      "the zstd content encoding needs io.airlift:aircompressor 2.x on the class path";

  @Override
  public String token() {
    return "zstd";
  }

  @Override
  public OutputStream encoder(OutputStream out) throws IOException {
    try {
      return Streams.encoder(out);
    } catch (NoClassDefFoundError e) {
      throw new IOException(MISSING, e);
    }
  }

  @Override
  public InputStream decoder(InputStream in) throws IOException {
    try {
      return Streams.decoder(in);
    } catch (NoClassDefFoundError e) {
      throw new IOException(MISSING, e);
    }
  }

  @Override
  public String toString() {
    return "zstd";
  }

  private static final class Streams {
    static OutputStream encoder(OutputStream out) throws IOException {
      return new io.airlift.compress.zstd.ZstdOutputStream(out);
    }

    static InputStream decoder(InputStream in) {
      return new io.airlift.compress.zstd.ZstdInputStream(in);
    }
  }
}
