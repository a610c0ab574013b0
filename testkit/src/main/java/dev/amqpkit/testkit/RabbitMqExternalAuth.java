package dev.amqpkit.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS listener on the local RabbitMQ node that accepts SASL EXTERNAL logins with client
 * certificates, set up at runtime with {@code rabbitmqctl} and {@code rabbitmq-plugins} (the node
 * is never stopped or restarted), with a certificate authority made for the run that signs the
 * listener's certificate and the clients'.
 *
 * <p>{@link #start} changes the node as follows, and {@link #close} undoes it:
 *
 * <ul>
 *   <li>enables the plugin {@code rabbitmq_auth_mechanism_ssl} if no EXTERNAL mechanism is
 *       registered; close disables it again. {@code rabbitmq-plugins} records this in the node's
 *       enabled-plugins file;
 *   <li>sets the {@code rabbit} application's environment: {@code auth_mechanisms} gains {@code
 *       'EXTERNAL'}, {@code ssl_cert_login_from} becomes {@code common_name} (the user name is the
 *       certificate's CN), and {@code ssl_options} becomes the listener's options (RabbitMQ takes a
 *       name from a certificate only when {@code ssl_options} says {@code verify_peer});
 *   <li>starts a TLS listener on {@code 127.0.0.1} at a free port, with {@code verify_peer} and
 *       {@code fail_if_no_peer_cert}, through {@code rabbit_networking:start_ssl_listener/3};
 *   <li>creates the users asked for with {@link #addUser}: no password, every permission on one
 *       virtual host.
 * </ul>
 *
 * <p>RabbitMQ offers EXTERNAL only on TLS connections, so clients of the plain listeners see no
 * change. The original environment values and the listener's port are kept in the node itself
 * (application environment {@code amqpkit_testkit}, key {@code external_auth}) before anything is
 * changed, so a run whose JVM died before {@link #close} is undone by the next {@link #start},
 * which also deletes users whose names start with {@value #USER_PREFIX} and the certificate
 * directories left in {@code /tmp}. A file lock makes runs on one machine take turns; it is held
 * from {@link #start} to {@link #close}.
 *
 * <p>The certificates are made with the JDK's {@code keytool} in a directory under {@code /tmp}
 * that the broker's user can read (directory mode 0755, files 0644: the keys are throwaway test
 * keys), and deleted by {@link #close}.
 */
public final class RabbitMqExternalAuth implements AutoCloseable {
  /** Every user name from {@link #newUserName} starts with this; leftovers are deleted. */
  public static final String USER_PREFIX = "amqpkit-external-";

  /** The address the listener is bound to; its certificate names it and {@code localhost}. */
  public static final String HOST = "127.0.0.1";

  private static final String DIRECTORY_PREFIX = "amqpkit-external-auth-";
  private static final String PLUGIN = "rabbitmq_auth_mechanism_ssl";
  private static final char[] PASSWORD = "amqpkit-test".toCharArray();
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration PLUGIN_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration LOCK_TIMEOUT = Duration.ofSeconds(120);
  private static final int LISTENER_ATTEMPTS = 5;

  /** The node's state for this fixture, as an Erlang expression. */
  private static final String STATE = "application:get_env(amqpkit_testkit, external_auth)";

  /** The local node cannot be configured for EXTERNAL at runtime; the message says why. */
  public static final class Unavailable extends Exception {
    private static final long serialVersionUID = 1L;

    Unavailable(String message) {
      super(message);
    }
  }

  /**
   * One AMQP connection to the listener as {@code rabbitmqctl list_connections} reports it.
   *
   * @param user the user the broker logged the connection in as
   * @param authMechanism the SASL mechanism the connection logged in with
   * @param peerCertSubject the subject of the client's certificate, as RabbitMQ formats it
   */
  public record ListenerConnection(String user, String authMechanism, String peerCertSubject) {}

  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Path directory;
  private final Certificate caCertificate;
  private final List<String> users = new ArrayList<>();
  private final Thread shutdownHook;
  private int port;
  private boolean closed;

  private RabbitMqExternalAuth(
      FileChannel lockChannel, FileLock lock, Path directory, Certificate caCertificate) {
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.directory = directory;
    this.caCertificate = caCertificate;
    this.shutdownHook = new Thread(this::closeQuietly, "amqpkit-external-auth-restore");
  }

  /**
   * Sets up the listener for a test, as {@link #start} does; where it cannot be set up, skips the
   * test with the reason, or fails it when {@value RabbitMqExtension#REQUIRE_ENV} (or the
   * configuration parameter {@value RabbitMqExtension#REQUIRE_PROPERTY}) is true, as {@link
   * RabbitMqExtension} does for the broker itself.
   *
   * @throws IOException if a step fails after the checks; what was changed is undone first
   */
  public static RabbitMqExternalAuth startOrSkip(BrokerEndpoint endpoint) throws IOException {
    try {
      return start(endpoint);
    } catch (Unavailable e) {
      String reason = "no EXTERNAL listener: " + e.getMessage();
      String required = System.getProperty(RabbitMqExtension.REQUIRE_PROPERTY);
      if (required == null || required.isBlank()) {
        required = System.getenv(RabbitMqExtension.REQUIRE_ENV);
      }
      if (Boolean.parseBoolean(required)) {
        org.junit.jupiter.api.Assertions.fail(
            reason + "; " + RabbitMqExtension.REQUIRE_ENV + "=true makes that a failure");
      }
      org.junit.jupiter.api.Assumptions.abort(reason);
      throw new AssertionError("unreachable");
    }
  }

  /**
   * Sets up the listener on the node that serves this endpoint.
   *
   * @throws Unavailable if the endpoint is not on this machine, {@code rabbitmqctl} cannot reach
   *     its node, the node does not serve the endpoint's port, or the node lacks the calls or the
   *     plugin this needs
   * @throws IOException if a step fails after that; what was changed is undone first
   */
  public static RabbitMqExternalAuth start(BrokerEndpoint endpoint)
      throws Unavailable, IOException {
    Objects.requireNonNull(endpoint, "endpoint == null");
    checkReachable(endpoint);
    Path base = temporaryBase();
    FileChannel lockChannel =
        FileChannel.open(
            base.resolve("amqpkit-testkit-external-auth.lock"),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
    RabbitMqExternalAuth fixture = null;
    try {
      FileLock lock = lockWithin(lockChannel, LOCK_TIMEOUT);
      // Holding the lock, whatever an earlier run left is no one's: undo it.
      restoreNode();
      deleteLeftoverUsers();
      deleteLeftoverDirectories(base);
      Path directory = Files.createTempDirectory(base, DIRECTORY_PREFIX);
      Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
      fixture = makeAuthority(lockChannel, lock, directory);
      fixture.prepareNode();
      fixture.startListener();
      Runtime.getRuntime().addShutdownHook(fixture.shutdownHook);
      return fixture;
    } catch (Unavailable | IOException | RuntimeException e) {
      if (fixture != null) {
        try {
          fixture.close();
        } catch (RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
      } else {
        lockChannel.close();
      }
      throw e;
    }
  }

  /** The listener's address. */
  public String host() {
    return HOST;
  }

  /** The listener's port. */
  public synchronized int port() {
    return port;
  }

  /** The CA that signed the listener's and the clients' certificates, in PEM. */
  public Path caCertificate() {
    return directory.resolve("ca.pem");
  }

  /** A random user name that starts with {@value #USER_PREFIX}; no user is created. */
  public String newUserName() {
    return USER_PREFIX + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
  }

  /**
   * Creates a user without a password, with configure, write and read permission on everything in
   * the virtual host; it is deleted by {@link #close}.
   */
  public synchronized void addUser(String name, String virtualHost) throws IOException {
    requireSafe(name);
    Objects.requireNonNull(virtualHost, "virtualHost == null");
    if (closed) throw new IllegalStateException("closed");
    users.add(name);
    String throwaway = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    rabbitmqctl(COMMAND_TIMEOUT, "add_user", name, throwaway);
    rabbitmqctl(COMMAND_TIMEOUT, "clear_password", name);
    rabbitmqctl(COMMAND_TIMEOUT, "set_permissions", "-p", virtualHost, name, ".*", ".*", ".*");
  }

  /**
   * A TLS context that presents a new certificate with this common name, signed by the test CA, and
   * trusts the test CA and nothing else.
   */
  public SSLContext clientContext(String commonName) throws IOException, GeneralSecurityException {
    requireSafe(commonName);
    Path keys = directory.resolve("client-" + commonName + ".p12");
    Path certificate = directory.resolve("client-" + commonName + ".pem");
    issue(commonName, keys, certificate, null);
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry(
        "client",
        privateKey(keys),
        PASSWORD,
        new Certificate[] {readCertificate(certificate), caCertificate});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, PASSWORD);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), trustManagers(), null);
    return context;
  }

  /** A TLS context that trusts the test CA and presents no certificate. */
  public SSLContext trustOnlyContext() throws GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trustManagers(), null);
    return context;
  }

  /** The AMQP connections to the listener that the node knows of now. */
  public List<ListenerConnection> connections() throws IOException {
    String output =
        rabbitmqctl(
            COMMAND_TIMEOUT,
            "list_connections",
            "-s",
            "port",
            "user",
            "auth_mechanism",
            "peer_cert_subject");
    List<ListenerConnection> found = new ArrayList<>();
    int listenerPort = port();
    for (String line : output.split("\n")) {
      String[] fields = line.split("\t", -1);
      if (fields.length == 4 && fields[0].trim().equals(Integer.toString(listenerPort))) {
        found.add(new ListenerConnection(fields[1], fields[2], fields[3]));
      }
    }
    return found;
  }

  /**
   * Deletes the users, stops the listener, restores the node's environment, disables the plugin if
   * {@link #start} enabled it, deletes the certificates and releases the lock. Calling it again
   * does nothing.
   *
   * @throws IllegalStateException naming every step that failed; the other steps still ran
   */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    List<String> failures = new ArrayList<>();
    for (String user : users) {
      try {
        rabbitmqctl(COMMAND_TIMEOUT, "delete_user", user);
      } catch (IOException e) {
        if (!e.getMessage().contains("does not exist")) failures.add(e.getMessage());
      }
    }
    users.clear();
    try {
      restoreNode();
    } catch (IOException e) {
      failures.add(e.getMessage());
    }
    try {
      deleteTree(directory);
    } catch (IOException e) {
      failures.add("cannot delete " + directory + ": " + e.getMessage());
    }
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      failures.add("cannot release the lock: " + e.getMessage());
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down: this call may be the hook itself.
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException(
          "could not undo every EXTERNAL setup step on the node: " + failures);
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      System.err.println("amqpkit-testkit: " + e.getMessage());
    }
  }

  // ---- the node ----

  /** Fails with {@link Unavailable} unless rabbitmqctl reaches the node serving the endpoint. */
  private static void checkReachable(BrokerEndpoint endpoint) throws Unavailable {
    String host = endpoint.host();
    boolean local;
    try {
      local = InetAddress.getByName(host).isLoopbackAddress();
    } catch (IOException e) {
      local = false;
    }
    if (!local) {
      throw new Unavailable(
          "the broker at "
              + endpoint
              + " is not on this machine, and rabbitmqctl configures only the local node");
    }
    String answer;
    try {
      answer =
          eval(
              "{lists:member("
                  + endpoint.port()
                  + ", [element(6, L) || L <- rabbit_networking:active_listeners(),"
                  + " element(3, L) =:= amqp]),"
                  + " lists:member({start_ssl_listener, 3},"
                  + " rabbit_networking:module_info(exports)),"
                  + " code:which(rabbit_auth_mechanism_ssl) =/= non_existing}.");
    } catch (IOException e) {
      throw new Unavailable("cannot use rabbitmqctl on the local RabbitMQ node: " + e.getMessage());
    }
    switch (answer) {
      case "{true,true,true}" -> {}
      case "{false,true,true}" ->
          throw new Unavailable(
              "the node rabbitmqctl reaches has no AMQP listener on port "
                  + endpoint.port()
                  + ", so it is not the broker at "
                  + endpoint);
      default ->
          throw new Unavailable(
              "the local RabbitMQ node lacks rabbit_networking:start_ssl_listener/3 or the plugin "
                  + PLUGIN
                  + " (it answered "
                  + answer
                  + ")");
    }
  }

  /**
   * Records the node's original environment (and whether EXTERNAL had to be enabled) in the node,
   * then enables the plugin if needed.
   */
  private void prepareNode() throws IOException, Unavailable {
    String answer =
        eval(
            "case "
                + STATE
                + " of"
                + " {ok, _} -> already_prepared;"
                + " undefined ->"
                + "   Registered = lists:keymember('EXTERNAL', 1,"
                + "     rabbit_registry:lookup_all(auth_mechanism)),"
                + "   ok = application:set_env(amqpkit_testkit, external_auth, #{"
                + "     env => [{K, application:get_env(rabbit, K)}"
                + "             || K <- [auth_mechanisms, ssl_options, ssl_cert_login_from]],"
                + "     listeners => [],"
                + "     disable_plugin => not Registered}),"
                + "   case Registered of true -> registered; false -> missing end "
                + "end.");
    switch (answer) {
      case "registered" -> {}
      case "missing" -> {
        try {
          Commands.run(PLUGIN_TIMEOUT, List.of("rabbitmq-plugins", "enable", PLUGIN), null);
        } catch (IOException e) {
          throw new Unavailable("cannot enable " + PLUGIN + ": " + e.getMessage());
        }
        String registered =
            eval("lists:keymember('EXTERNAL', 1, rabbit_registry:lookup_all(auth_mechanism)).");
        if (!registered.equals("true")) {
          throw new IOException(PLUGIN + " is enabled but no EXTERNAL mechanism is registered");
        }
      }
      default ->
          throw new IOException("unexpected answer while recording the node's state: " + answer);
    }
  }

  /** Issues the listener's certificate and starts the listener at a free port. */
  private void startListener() throws IOException {
    Path keys = directory.resolve("server.p12");
    Path certificate = directory.resolve("server.pem");
    issue("localhost", keys, certificate, "san=dns:localhost,ip:" + HOST);
    Path key = directory.resolve("server-key.pem");
    try {
      writePem(key, "PRIVATE KEY", privateKey(keys).getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the listener's key", e);
    }
    for (Path file : List.of(caCertificate(), certificate, key)) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }
    String options =
        "[{cacertfile, "
            + erlangString(caCertificate())
            + "}, {certfile, "
            + erlangString(certificate)
            + "}, {keyfile, "
            + erlangString(key)
            + "}, {verify, verify_peer}, {fail_if_no_peer_cert, true}]";
    String lastAnswer = null;
    for (int attempt = 0; attempt < LISTENER_ATTEMPTS; attempt++) {
      int candidate = freePort();
      // The port is recorded before the listener starts, so a crash in between still stops it.
      lastAnswer =
          eval(
              "{ok, #{listeners := Ls} = S} = "
                  + STATE
                  + ","
                  + " ok = application:set_env(amqpkit_testkit, external_auth,"
                  + "   S#{listeners := ["
                  + candidate
                  + " | Ls]}),"
                  + " Mechanisms = application:get_env(rabbit, auth_mechanisms, []),"
                  + " ok = application:set_env(rabbit, auth_mechanisms,"
                  + "   Mechanisms ++ ['EXTERNAL' || not lists:member('EXTERNAL', Mechanisms)]),"
                  + " ok = application:set_env(rabbit, ssl_cert_login_from, common_name),"
                  + " ok = application:set_env(rabbit, ssl_options, "
                  + options
                  + "),"
                  + " rabbit_networking:start_ssl_listener({\""
                  + HOST
                  + "\", "
                  + candidate
                  + "}, rabbit_networking:ensure_ssl(), 1).");
      if (lastAnswer.equals("ok")) {
        synchronized (this) {
          port = candidate;
        }
        return;
      }
      if (!lastAnswer.contains("eaddrinuse")) break;
    }
    throw new IOException("the node did not start the TLS listener: " + lastAnswer);
  }

  /**
   * Undoes what the node's record says: stops the listeners, restores the environment, disables the
   * plugin if a run enabled it, then forgets the record. Does nothing without a record.
   */
  private static void restoreNode() throws IOException {
    String answer =
        eval(
            "case "
                + STATE
                + " of"
                + " undefined -> nothing;"
                + " {ok, #{env := Env, listeners := Ls, disable_plugin := Disable}} ->"
                + "   [catch rabbit_networking:stop_tcp_listener({\""
                + HOST
                + "\", P}) || P <- Ls],"
                + "   [case V of"
                + "      {ok, X} -> application:set_env(rabbit, K, X);"
                + "      undefined -> application:unset_env(rabbit, K)"
                + "    end || {K, V} <- Env],"
                + "   ok = application:set_env(amqpkit_testkit, external_auth,"
                + "     #{env => [], listeners => [], disable_plugin => Disable}),"
                + "   case Disable of true -> disable_plugin; false -> restored end "
                + "end.");
    switch (answer) {
      case "nothing" -> {
        return;
      }
      case "disable_plugin" ->
          Commands.run(PLUGIN_TIMEOUT, List.of("rabbitmq-plugins", "disable", PLUGIN), null);
      case "restored" -> {}
      default -> throw new IOException("unexpected answer while restoring the node: " + answer);
    }
    eval("application:unset_env(amqpkit_testkit, external_auth).");
  }

  private static void deleteLeftoverUsers() throws IOException {
    for (String line : rabbitmqctl(COMMAND_TIMEOUT, "list_users", "-s").split("\n")) {
      String name = line.split("\t", -1)[0];
      if (name.startsWith(USER_PREFIX)) rabbitmqctl(COMMAND_TIMEOUT, "delete_user", name);
    }
  }

  /** Evaluates an Erlang expression on the node; returns what rabbitmqctl prints for its value. */
  private static String eval(String expression) throws IOException {
    return rabbitmqctl(COMMAND_TIMEOUT, "eval", expression);
  }

  private static String rabbitmqctl(Duration timeout, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("rabbitmqctl");
    command.add("-q");
    command.addAll(List.of(args));
    return Commands.run(timeout, command, null);
  }

  // ---- certificates ----

  /** Makes the CA in the directory; the returned fixture issues certificates with it. */
  private static RabbitMqExternalAuth makeAuthority(
      FileChannel lockChannel, FileLock lock, Path directory) throws IOException {
    String pass = new String(PASSWORD);
    keytool(
        directory,
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=amqpkit external-auth test CA",
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
        directory,
        "-exportcert",
        "-alias",
        "ca",
        "-keystore",
        "ca.p12",
        "-storepass",
        pass,
        "-rfc",
        "-file",
        "ca.pem");
    try {
      return new RabbitMqExternalAuth(
          lockChannel, lock, directory, readCertificate(directory.resolve("ca.pem")));
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the generated CA", e);
    }
  }

  /**
   * Makes a key pair with this common name in {@code keys} (alias {@code key}) and writes its
   * certificate, signed by the CA, to {@code certificate} in PEM.
   *
   * @param extension a keytool {@code -ext} value for the certificate, or null
   */
  private void issue(String commonName, Path keys, Path certificate, String extension)
      throws IOException {
    String pass = new String(PASSWORD);
    Path request = directory.resolve(keys.getFileName() + ".csr");
    keytool(
        directory,
        "-genkeypair",
        "-alias",
        "key",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=" + commonName,
        "-validity",
        "2",
        "-keystore",
        keys.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        pass);
    keytool(
        directory,
        "-certreq",
        "-alias",
        "key",
        "-keystore",
        keys.toString(),
        "-storepass",
        pass,
        "-file",
        request.toString());
    List<String> sign =
        new ArrayList<>(
            List.of(
                "-gencert",
                "-alias",
                "ca",
                "-keystore",
                "ca.p12",
                "-storepass",
                pass,
                "-infile",
                request.toString(),
                "-outfile",
                certificate.toString(),
                "-validity",
                "2",
                "-rfc"));
    if (extension != null) {
      sign.add("-ext");
      sign.add(extension);
    }
    keytool(directory, sign.toArray(String[]::new));
  }

  private TrustManager[] trustManagers() throws GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try {
      trust.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException("cannot make an empty trust store", e);
    }
    trust.setCertificateEntry("ca", caCertificate);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    return tmf.getTrustManagers();
  }

  private static PrivateKey privateKey(Path keys) throws IOException, GeneralSecurityException {
    Key key = load(keys).getKey("key", PASSWORD);
    if (!(key instanceof PrivateKey privateKey)) {
      throw new GeneralSecurityException(keys + " holds no private key under the alias 'key'");
    }
    return privateKey;
  }

  private static KeyStore load(Path file) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, PASSWORD);
    }
    return store;
  }

  private static Certificate readCertificate(Path pem)
      throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      return CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  /** Writes DER bytes as PEM: base64 in lines of 64 characters between the markers. */
  private static void writePem(Path file, String type, byte[] der) throws IOException {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    Files.writeString(
        file,
        "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n",
        StandardCharsets.US_ASCII);
  }

  private static void keytool(Path directory, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Commands.run(COMMAND_TIMEOUT, command, directory);
  }

  // ---- files, ports, processes ----

  /** {@code /tmp} where it exists, since the broker's user must be able to read the files. */
  private static Path temporaryBase() {
    Path tmp = Path.of("/tmp");
    return Files.isDirectory(tmp) ? tmp : Path.of(System.getProperty("java.io.tmpdir"));
  }

  private static FileLock lockWithin(FileChannel channel, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      FileLock lock = channel.tryLock();
      if (lock != null) return lock;
      if (System.nanoTime() - deadline > 0) {
        throw new IOException(
            "another run held the EXTERNAL setup lock for more than " + timeout.toSeconds() + " s");
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the EXTERNAL setup lock", e);
      }
    }
  }

  private static void deleteLeftoverDirectories(Path base) throws IOException {
    try (Stream<Path> entries = Files.list(base)) {
      for (Path entry : entries.toList()) {
        if (entry.getFileName().toString().startsWith(DIRECTORY_PREFIX)
            && Files.isDirectory(entry)) {
          deleteTree(entry);
        }
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) return;
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    }
  }

  private static String erlangString(Path path) {
    return "\"" + path.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static void requireSafe(String name) {
    Objects.requireNonNull(name, "name == null");
    if (!SAFE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "a name here is 1 to 64 letters, digits, '.', '_' or '-': " + name);
    }
  }
}
