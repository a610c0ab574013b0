package dev.amqpkit.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate authority and a server certificate made for one test run with the JDK's {@code
 * keytool}: nothing is downloaded or committed, and the keys live in a temporary directory.
 *
 * <p>The server certificate names only the DNS names given (no IP addresses), so connecting to
 * {@code 127.0.0.1} instead of {@code localhost} is a host-name mismatch by construction.
 */
public final class TestCertificates {
  private static final char[] PASSWORD = "amqpkit-test".toCharArray();

  private final Path directory;
  private final KeyStore serverKeys;
  private final KeyStore trust;

  private TestCertificates(Path directory, KeyStore serverKeys, KeyStore trust) {
    this.directory = directory;
    this.serverKeys = serverKeys;
    this.trust = trust;
  }

  /**
   * Makes a CA and a server certificate for these DNS names, signed by the CA.
   *
   * @throws IOException if keytool fails; the message carries its output
   */
  public static TestCertificates create(String... dnsNames) throws IOException {
    if (dnsNames.length == 0) throw new IllegalArgumentException("at least one DNS name");
    Path dir = Files.createTempDirectory("amqpkit-certs");
    String pass = new String(PASSWORD);
    String san = "san=dns:" + String.join(",dns:", dnsNames);
    keytool(
        dir,
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=amqpkit test CA",
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-keystore",
        "ca.p12",
        "-storetype",
        "PKCS12",
        "-storepass",
        pass);
    keytool(
        dir,
        "-exportcert",
        "-alias",
        "ca",
        "-keystore",
        "ca.p12",
        "-storepass",
        pass,
        "-rfc",
        "-file",
        "ca.crt");
    keytool(
        dir,
        "-genkeypair",
        "-alias",
        "server",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=" + dnsNames[0],
        "-validity",
        "2",
        "-keystore",
        "server.p12",
        "-storetype",
        "PKCS12",
        "-storepass",
        pass);
    keytool(
        dir,
        "-certreq",
        "-alias",
        "server",
        "-keystore",
        "server.p12",
        "-storepass",
        pass,
        "-file",
        "server.csr");
    keytool(
        dir,
        "-gencert",
        "-alias",
        "ca",
        "-keystore",
        "ca.p12",
        "-storepass",
        pass,
        "-infile",
        "server.csr",
        "-outfile",
        "server.crt",
        "-ext",
        san,
        "-validity",
        "2",
        "-rfc");
    keytool(
        dir,
        "-importcert",
        "-alias",
        "ca",
        "-file",
        "ca.crt",
        "-keystore",
        "server.p12",
        "-storepass",
        pass,
        "-noprompt");
    keytool(
        dir,
        "-importcert",
        "-alias",
        "server",
        "-file",
        "server.crt",
        "-keystore",
        "server.p12",
        "-storepass",
        pass,
        "-noprompt");
    keytool(
        dir,
        "-importcert",
        "-alias",
        "ca",
        "-file",
        "ca.crt",
        "-keystore",
        "trust.p12",
        "-storetype",
        "PKCS12",
        "-storepass",
        pass,
        "-noprompt");
    try {
      return new TestCertificates(
          dir, load(dir.resolve("server.p12")), load(dir.resolve("trust.p12")));
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the generated key stores", e);
    }
  }

  /** A TLS context for the server side: the server certificate and its key. */
  public SSLContext serverContext() throws GeneralSecurityException {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(serverKeys, PASSWORD);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    return context;
  }

  /** A TLS context for a client that trusts the test CA, and nothing else. */
  public SSLContext clientContext() throws GeneralSecurityException {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  /** The CA certificate in PEM, for clients configured from files. */
  public Path caCertificate() {
    return directory.resolve("ca.crt");
  }

  private static KeyStore load(Path file) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, PASSWORD);
    }
    return store;
  }

  private static void keytool(Path dir, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("keytool " + args[0] + " did not finish within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running keytool", e);
    }
    if (process.exitValue() != 0) {
      String output = new String(process.getInputStream().readAllBytes());
      throw new IOException("keytool " + args[0] + " failed: " + output.trim());
    }
  }
}
