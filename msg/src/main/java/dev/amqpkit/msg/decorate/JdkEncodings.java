package dev.amqpkit.msg.decorate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Base64;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** The content codings the JDK provides. */
final class JdkEncodings {
  private static final int GZIP_BUFFER = 8192;

  static final ContentEncoding GZIP =
      new Named("gzip") {
        @Override
        public OutputStream encoder(OutputStream out) throws IOException {
          return new GZIPOutputStream(out, GZIP_BUFFER);
        }

        @Override
        public InputStream decoder(InputStream in) throws IOException {
          return new GZIPInputStream(in, GZIP_BUFFER);
        }
      };

  static final ContentEncoding BASE64 =
      new Named("base64") {
        @Override
        public OutputStream encoder(OutputStream out) {
          return Base64.getEncoder().wrap(out);
        }

        @Override
        public InputStream decoder(InputStream in) {
          return Base64.getDecoder().wrap(in);
        }
      };

  private JdkEncodings() {}

  private abstract static class Named implements ContentEncoding {
    private final String token;

    Named(String token) {
      this.token = token;
    }

    @Override
    public final String token() {
      return token;
    }

    @Override
    public final String toString() {
      return token;
    }
  }
}
