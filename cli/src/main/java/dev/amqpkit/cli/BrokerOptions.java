package dev.amqpkit.cli;

import dev.amqpkit.common.Recovery;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Option;

/** The options every command that talks to a broker takes: where, and in which protocol. */
final class BrokerOptions {

  @Option(
      names = "--uri",
      paramLabel = "URI",
      defaultValue = "${env:AMQPKIT_URI}",
      description =
          "The broker: amqp://user:password@host:port/vhost, or amqps://... for TLS (the"
              + " certificate and host name are verified). Default: $AMQPKIT_URI, else an"
              + " embedded broker started for this command.")
  String uri;

  @Option(
      names = "--protocol",
      paramLabel = "0-9-1|1.0",
      defaultValue = "0-9-1",
      converter = Protocol.Converter.class,
      description = "AMQP 0-9-1 or AMQP 1.0. Default: ${DEFAULT-VALUE}.")
  Protocol protocol;

  @Option(
      names = "--cacert",
      paramLabel = "PEM",
      description =
          "With amqps: trust the broker certificates this CA (a PEM file) signed, instead of the"
              + " JVM's trusted CAs. The host name is verified all the same.")
  Path cacert;

  @Option(
      names = {"-v", "--verbose"},
      description = "Say more: the clients' and the embedded broker's log, stack traces of errors.")
  boolean verbose; // Main reads it from the parse result, before the command runs

  /**
   * Resolves the broker: checks the URI, or starts the embedded broker and says so on stderr.
   *
   * @throws CommandFailure with {@link Exit#BAD_URI} if the URI is malformed
   */
  Target resolve(Io io) {
    boolean embedded = uri == null || uri.isBlank();
    if (cacert != null && (embedded || !uri.regionMatches(true, 0, "amqps:", 0, 6))) {
      throw CommandFailure.usage("--cacert is for an amqps:// --uri");
    }
    if (embedded) {
      EmbeddedBroker broker = EmbeddedBroker.start();
      io.say(
          "no --uri given: using an embedded "
              + Version.broker()
              + " at "
              + broker.displayUri()
              + " (in memory; it stops when this command ends)");
      return new Target(broker.uri(), protocol, broker, null);
    }
    try {
      if (protocol == Protocol.AMQP_0_9_1) {
        dev.amqpkit.amqp091.ConnectionOptions.fromUri(uri);
      } else {
        dev.amqpkit.amqp10.ConnectionOptions.fromUri(uri);
      }
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(Exit.BAD_URI, "bad --uri: " + e.getMessage(), e);
    }
    return new Target(uri, protocol, null, cacert == null ? null : trusting(cacert));
  }

  /** A TLS context that trusts the CA certificates of a PEM file, and those only. */
  private static SSLContext trusting(Path pem) {
    try (InputStream in = Files.newInputStream(pem)) {
      Collection<? extends Certificate> certificates =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certificates.isEmpty()) throw new GeneralSecurityException("no certificate in it");
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate c : certificates) trust.setCertificateEntry("ca-" + i++, c);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new CommandFailure(Exit.USAGE, "cannot use --cacert " + pem + ": " + e.getMessage(), e);
    }
  }

  /**
   * A broker to connect to, and the embedded one if it is that; closing it stops the embedded
   * broker. Connections it opens do not heal themselves unless asked: a command reports a failure
   * and exits.
   */
  record Target(String uri, Protocol protocol, EmbeddedBroker embedded, SSLContext sslContext)
      implements AutoCloseable {

    dev.amqpkit.amqp091.Connection open091(String name) {
      return open091(name, Recovery.disabled());
    }

    dev.amqpkit.amqp091.Connection open091(String name, Recovery recovery) {
      dev.amqpkit.amqp091.ConnectionOptions.Builder options =
          dev.amqpkit.amqp091.ConnectionOptions.fromUri(uri)
              .newBuilder()
              .recovery(recovery)
              .connectionName(name);
      if (sslContext != null) options.sslContext(sslContext);
      return dev.amqpkit.amqp091.Connection.open(options.build());
    }

    dev.amqpkit.amqp10.Connection open10() {
      return open10(Recovery.disabled());
    }

    dev.amqpkit.amqp10.Connection open10(Recovery recovery) {
      dev.amqpkit.amqp10.ConnectionOptions.Builder options =
          dev.amqpkit.amqp10.ConnectionOptions.fromUri(uri).newBuilder().recovery(recovery);
      if (sslContext != null) options.sslContext(sslContext);
      return dev.amqpkit.amqp10.Connection.open(options.build());
    }

    @Override
    public void close() {
      if (embedded != null) embedded.close();
    }

    @Override
    public String toString() {
      return "Target[" + protocol + (embedded != null ? ", embedded" : "") + "]";
    }
  }
}
