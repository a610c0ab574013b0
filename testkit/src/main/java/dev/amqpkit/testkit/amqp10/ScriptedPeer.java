package dev.amqpkit.testkit.amqp10;

import static dev.amqpkit.testkit.amqp10.Performatives.ATTACH;
import static dev.amqpkit.testkit.amqp10.Performatives.BEGIN;
import static dev.amqpkit.testkit.amqp10.Performatives.CLOSE;
import static dev.amqpkit.testkit.amqp10.Performatives.DETACH;
import static dev.amqpkit.testkit.amqp10.Performatives.END;
import static dev.amqpkit.testkit.amqp10.Performatives.OPEN;
import static dev.amqpkit.testkit.amqp10.Performatives.SASL_INIT;
import static dev.amqpkit.testkit.amqp10.Performatives.SASL_MECHANISMS;
import static dev.amqpkit.testkit.amqp10.Performatives.SASL_OUTCOME;
import static dev.amqpkit.testkit.amqp10.Performatives.TRANSFER;

import dev.amqpkit.testkit.amqp10.Amqp10Value.Sym;
import dev.amqpkit.testkit.amqp10.Amqp10Value.UInt;
import dev.amqpkit.testkit.amqp10.Performatives.Role;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A fake AMQP 1.0 peer that plays a script, for testing how a client copes with a peer that
 * misbehaves. It listens on 127.0.0.1 on a free port, accepts one client connection and runs the
 * steps in order on its own thread:
 *
 * <pre>{@code
 * try (ScriptedPeer peer = new ScriptedPeer()) {
 *   peer.saslHandshake("PLAIN").openHandshake().acceptBegin()
 *       .sendRaw(new byte[] {0, 0, 0, 9, 2, 0, 0, 0, 0x40}) // a frame whose body is not a list
 *       .start();
 *   // connect the client to 127.0.0.1:peer.port() and let it read the frame
 *   peer.awaitDone(Duration.ofSeconds(5));
 *   Frame close = peer.clientClose(Duration.ofSeconds(5));
 *   assertThat(close.describe()).contains("amqp:decode-error");
 * }
 * }</pre>
 *
 * <p>An {@code expect} step reads the next frame and fails the script if it is not the one
 * expected. Heartbeats (empty frames) from the client are recorded and skipped, unless a step
 * expects one. Protocol headers are told from frames by their first four bytes, {@code AMQP}, which
 * no frame within the size limit can start with. When the script has run out of steps the peer
 * keeps reading and recording what the client sends (answering nothing) until the client hangs up,
 * so {@link #received()} and {@link #clientClose(Duration)} see it. Steps may be added after {@link
 * #start()}; what was read while idle is handed to them first.
 *
 * <p>The peer also checks what no step names: a frame larger than the {@code max-frame-size} of the
 * last {@code open} the peer sent fails the step that reads it, and bytes that are neither a
 * protocol header nor a frame fail the script.
 *
 * <p>Every wait is bounded: each step by the step timeout, accepting (and the TLS handshake, if
 * any) by the accept timeout, and {@link #goSilent()} by {@link #resume()} or {@link #close()}. A
 * failed step closes the client's socket and ends the script; {@link #awaitDone(Duration)} reports
 * it with what was received. {@link #close()} ends the thread and releases the port.
 *
 * <p>Thread-safe: steps are added and results read from any thread.
 */
public final class ScriptedPeer implements AutoCloseable {
  /** How long a step waits for the client unless {@link #stepTimeout(Duration)} says otherwise. */
  public static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofSeconds(5);

  /** How long the peer waits for the client to connect, by default. */
  public static final Duration DEFAULT_ACCEPT_TIMEOUT = Duration.ofSeconds(10);

  /** The largest frame accepted from the client, whatever the peer's open said. */
  public static final int MAX_CLIENT_FRAME_SIZE = 16 * 1024 * 1024;

  /** The container id of the peer's {@code open} in {@link #openHandshake()}. */
  public static final String CONTAINER_ID = "scripted-peer";

  /** The {@code max-frame-size} of the peer's {@code open} in {@link #openHandshake()}. */
  public static final long MAX_FRAME_SIZE = 131_072;

  /** The incoming and outgoing windows of the peer's {@code begin} in {@link #acceptBegin()}. */
  public static final long WINDOW = 2048;

  private static final int IDLE_POLL_MILLIS = 20;
  private static final long JOIN_MILLIS = 5_000;
  private static final int SUMMARY_ITEMS = 40;

  private final ServerSocket listener;
  private final int port;
  private final boolean tls;
  private final Object lock = new Object();

  // Guarded by lock.
  private final ArrayDeque<Step> queued = new ArrayDeque<>();
  private final List<String> stepNames = new ArrayList<>();
  private final List<Frame> received = new ArrayList<>();
  private final List<String> transcript = new ArrayList<>();
  private int completed;
  private boolean running;
  private AssertionError failure;
  private boolean silent;
  private boolean started;
  private boolean finished;
  private String clientGone;
  private Duration stepTimeout = DEFAULT_STEP_TIMEOUT;
  private Duration acceptTimeout = DEFAULT_ACCEPT_TIMEOUT;
  private Thread thread;

  // Owned by the script thread.
  private final ArrayDeque<Object> inbox = new ArrayDeque<>();
  private byte[] pending = new byte[8192];
  private int pendingLength;
  private boolean socketClosedByScript;
  private String unreadable;
  private long peerMaxFrameSize = 0xFFFF_FFFFL;

  private volatile Socket socket;
  private volatile boolean closed;

  /** A protocol header received from the client. */
  private record Header(byte[] bytes) {
    String describe() {
      return "protocol header " + headerName(bytes);
    }
  }

  /** Binds 127.0.0.1 on a free port, in plain TCP; the script starts with {@link #start()}. */
  public ScriptedPeer() throws IOException {
    listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    port = listener.getLocalPort();
    tls = false;
  }

  /**
   * Binds 127.0.0.1 on a free port and serves TLS with this server context (for example {@code
   * TestCertificates.serverContext()}) from the first byte, as an {@code amqps} port does. The TLS
   * handshake completes within the accept timeout, before the first step.
   */
  public ScriptedPeer(SSLContext serverContext) throws IOException {
    Objects.requireNonNull(serverContext, "serverContext == null");
    listener = serverContext.getServerSocketFactory().createServerSocket();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
    port = listener.getLocalPort();
    tls = true;
  }

  /** The port the peer listens on (still the same after the client connected). */
  public int port() {
    return port;
  }

  /** The host to connect to: always {@code 127.0.0.1}. */
  public String host() {
    return "127.0.0.1";
  }

  // ---- configuration ----

  /** The timeout of every step added after this call. */
  public ScriptedPeer stepTimeout(Duration timeout) {
    requirePositive(timeout, "step timeout");
    synchronized (lock) {
      stepTimeout = timeout;
    }
    return this;
  }

  /** How long the peer waits for the client to connect; set before {@link #start()}. */
  public ScriptedPeer acceptTimeout(Duration timeout) {
    requirePositive(timeout, "accept timeout");
    synchronized (lock) {
      acceptTimeout = timeout;
    }
    return this;
  }

  // ---- steps: reading ----

  /**
   * Reads an 8-byte protocol header and checks it is {@code AMQP id 1 0 0}: id {@link
   * Frame#PROTOCOL_SASL} (3) or {@link Frame#PROTOCOL_AMQP} (0).
   */
  public ScriptedPeer expectProtocolHeader(int id) {
    byte[] expected = Frame.protocolHeader(id);
    String what = "the protocol header " + headerName(expected);
    return step(
        "expect " + what,
        (deadline, timeout) -> {
          Object next = nextIncoming(deadline, timeout, what);
          if (next instanceof Header header) {
            if (!Arrays.equals(header.bytes(), expected)) {
              throw new StepFailed("received the " + header.describe() + " instead of " + what);
            }
          } else {
            throw new StepFailed("received " + ((Frame) next).describe() + " instead of " + what);
          }
        });
  }

  /** Reads the next frame and checks it carries this performative, on any channel. */
  public ScriptedPeer expectPerformative(long code) {
    return expectPerformative(code, -1, frame -> {});
  }

  /** Reads the next frame and checks it carries this performative on this channel. */
  public ScriptedPeer expectPerformative(long code, int channel) {
    return expectPerformative(code, channel, frame -> {});
  }

  /**
   * Reads the next frame, checks it carries this performative on this channel (a negative channel
   * matches any; SASL performatives must come in SASL frames, the others in AMQP frames), and hands
   * it to {@code onReceived} on the script thread, e.g. to capture it. An exception or {@link
   * AssertionError} thrown by {@code onReceived} fails the step.
   */
  public ScriptedPeer expectPerformative(long code, int channel, Consumer<Frame> onReceived) {
    Objects.requireNonNull(onReceived, "onReceived == null");
    return step(
        "expect " + performativeName(code, channel),
        (deadline, timeout) ->
            onReceived.accept(nextPerformative(code, channel, deadline, timeout)));
  }

  /**
   * Reads the next frame, checks it carries this performative on this channel (negative: any), and
   * sends what {@code response} makes of it (nothing when it returns {@code null}).
   */
  public ScriptedPeer expectAndRespond(long code, int channel, Function<Frame, Frame> response) {
    Objects.requireNonNull(response, "response == null");
    return step(
        "expect " + performativeName(code, channel) + " and respond",
        (deadline, timeout) -> {
          Frame reply = response.apply(nextPerformative(code, channel, deadline, timeout));
          if (reply != null) writeFrames(List.of(reply));
        });
  }

  /**
   * Reads the next frame other than a heartbeat and checks it with {@code matches}, then hands it
   * to {@code onReceived}; {@code description} names what was expected in failure messages.
   */
  public ScriptedPeer expectFrame(
      String description, Predicate<Frame> matches, Consumer<Frame> onReceived) {
    Objects.requireNonNull(description, "description == null");
    Objects.requireNonNull(matches, "matches == null");
    Objects.requireNonNull(onReceived, "onReceived == null");
    return step(
        "expect " + description,
        (deadline, timeout) -> {
          Frame frame = nextFrame(deadline, timeout, description);
          if (!matches.test(frame)) {
            throw new StepFailed("received " + frame.describe() + " instead of " + description);
          }
          onReceived.accept(frame);
        });
  }

  /**
   * Reads the transfers of one delivery on a channel, from the first to the one without {@code
   * more} (or an aborted one), and hands them with the joined payload to {@code onDelivery}. Fails
   * if another frame, or a transfer of another link, comes between them.
   */
  public ScriptedPeer expectDelivery(int channel, Consumer<Delivery> onDelivery) {
    Objects.requireNonNull(onDelivery, "onDelivery == null");
    return step(
        "expect a delivery" + onChannel(channel),
        (deadline, timeout) -> {
          List<Frame> transfers = new ArrayList<>();
          ByteArrayOutputStream payload = new ByteArrayOutputStream();
          Frame first = nextPerformative(TRANSFER, channel, deadline, timeout);
          Frame frame = first;
          while (true) {
            transfers.add(frame);
            payload.writeBytes(frame.payload());
            if (!Boolean.TRUE.equals(frame.field("more"))
                || Boolean.TRUE.equals(frame.field("aborted"))) {
              break;
            }
            frame = nextFrame(deadline, timeout, "the next transfer of the delivery");
            if (!frame.isPerformative(TRANSFER, first.channel())
                || !Objects.equals(frame.field("handle"), first.field("handle"))) {
              throw new StepFailed(
                  "received "
                      + frame.describe()
                      + " after "
                      + transfers.size()
                      + " transfers of a delivery on handle "
                      + Amqp10Value.format(first.field("handle"))
                      + " that said more was coming");
            }
          }
          onDelivery.accept(new Delivery(transfers, payload.toByteArray()));
        });
  }

  /** Reads frames until a heartbeat arrives, within the step timeout; other frames are skipped. */
  public ScriptedPeer expectHeartbeat() {
    return expectHeartbeat(null);
  }

  /** Reads frames until a heartbeat arrives within {@code within}; other frames are skipped. */
  public ScriptedPeer expectHeartbeat(Duration within) {
    if (within != null) requirePositive(within, "within");
    return step(
        "expect a heartbeat",
        within,
        (deadline, timeout) -> {
          while (true) {
            Object next = nextIncoming(deadline, timeout, "a heartbeat");
            if (next instanceof Header header) {
              throw new StepFailed("received the " + header.describe() + " instead of a heartbeat");
            }
            if (((Frame) next).isHeartbeat()) return;
            requireBefore(
                deadline, timeout, "no heartbeat among the frames that arrived", "a heartbeat");
          }
        });
  }

  // ---- steps: writing ----

  /** Sends frames, in order, in one write. */
  public ScriptedPeer send(Frame... frames) {
    List<Frame> copy = List.of(frames);
    List<String> described = new ArrayList<>();
    for (Frame frame : copy) described.add(frame.describe());
    String what = copy.size() == 1 ? described.get(0) : copy.size() + " frames " + described;
    return step("send " + what, (deadline, timeout) -> writeFrames(copy));
  }

  /** Sends bytes as they are: a broken frame, half a frame, anything. */
  public ScriptedPeer sendRaw(byte[] bytes) {
    byte[] copy = bytes.clone();
    return step("send " + copy.length + " raw bytes", (deadline, timeout) -> write(copy));
  }

  /** Sends a heartbeat: an empty AMQP frame. */
  public ScriptedPeer sendHeartbeat() {
    return send(Frame.heartbeat());
  }

  /** Sends the protocol header {@code AMQP id 1 0 0}. */
  public ScriptedPeer sendProtocolHeader(int id) {
    byte[] header = Frame.protocolHeader(id);
    return step(
        "send the protocol header " + headerName(header), (deadline, timeout) -> write(header));
  }

  // ---- steps: conversations ----

  /**
   * The SASL layer of a broker offering one mechanism: SASL protocol header from the client and
   * back, {@code sasl-mechanisms}, a {@code sasl-init} choosing that mechanism, and {@code
   * sasl-outcome} ok. The client's AMQP header comes next ({@link #openHandshake()}).
   */
  public ScriptedPeer saslHandshake(String mechanism) {
    return saslHandshake(mechanism, init -> {});
  }

  /**
   * The SASL layer as {@link #saslHandshake(String)} does it, handing the client's {@code
   * sasl-init} to {@code onInit}, e.g. to check its initial response.
   */
  public ScriptedPeer saslHandshake(String mechanism, Consumer<Frame> onInit) {
    Objects.requireNonNull(mechanism, "mechanism == null");
    Objects.requireNonNull(onInit, "onInit == null");
    return expectProtocolHeader(Frame.PROTOCOL_SASL)
        .sendProtocolHeader(Frame.PROTOCOL_SASL)
        .send(Performatives.saslMechanisms(mechanism))
        .expectFrame(
            "sasl-init (SASL) choosing " + mechanism,
            f -> f.isSasl() && f.isPerformative(SASL_INIT) && Sym.of(mechanism).equals(f.field(0)),
            onInit)
        .send(Performatives.saslOutcome(Performatives.SASL_OK));
  }

  /**
   * The AMQP layer's start: AMQP protocol header from the client and back, the client's {@code
   * open} on channel 0, and the peer's: container id {@value #CONTAINER_ID}, max-frame-size {@value
   * #MAX_FRAME_SIZE}, channel-max 65535, no idle timeout.
   */
  public ScriptedPeer openHandshake() {
    return openHandshake(Performatives.open(CONTAINER_ID, MAX_FRAME_SIZE, 65535, null));
  }

  /** The AMQP layer's start as {@link #openHandshake()} does it, answering with this open. */
  public ScriptedPeer openHandshake(Frame open) {
    Objects.requireNonNull(open, "open == null");
    return expectProtocolHeader(Frame.PROTOCOL_AMQP)
        .sendProtocolHeader(Frame.PROTOCOL_AMQP)
        .expectPerformative(OPEN, 0)
        .send(open);
  }

  /**
   * Reads a {@code begin} on any channel and answers on the same channel with a begin whose
   * remote-channel is the client's: next-outgoing-id 0, windows {@value #WINDOW}.
   */
  public ScriptedPeer acceptBegin() {
    return expectAndRespond(
        BEGIN,
        -1,
        begin -> Performatives.begin(begin.channel(), begin.channel(), 0, WINDOW, WINDOW));
  }

  /**
   * Reads an {@code attach} and answers with its mirror: the same name, handle, settle modes,
   * source and target, the opposite role, and initial-delivery-count 0 when the peer is the sender.
   * Credit for a client sender is not granted; send a {@code flow} for that.
   */
  public ScriptedPeer acceptAttach() {
    return expectAndRespond(
        ATTACH,
        -1,
        attach -> {
          Role clientRole = Role.of(Boolean.TRUE.equals(attach.field("role")));
          Frame reply =
              Frame.amqp(attach.channel(), Performatives.described(ATTACH))
                  .with("name", attach.field("name"))
                  .with("handle", attach.field("handle"))
                  .with("role", clientRole.opposite())
                  .with("snd-settle-mode", attach.field("snd-settle-mode"))
                  .with("rcv-settle-mode", attach.field("rcv-settle-mode"))
                  .with("source", attach.field("source"))
                  .with("target", attach.field("target"));
          return clientRole == Role.RECEIVER ? reply.with("initial-delivery-count", 0) : reply;
        });
  }

  /** Reads a {@code detach} and answers with one for the same handle, as closed as the client's. */
  public ScriptedPeer acceptDetach() {
    return expectAndRespond(
        DETACH,
        -1,
        detach ->
            Frame.amqp(detach.channel(), Performatives.described(DETACH))
                .with("handle", detach.field("handle"))
                .with("closed", detach.field("closed")));
  }

  /** Reads an {@code end} and answers with one on the same channel. */
  public ScriptedPeer acceptEnd() {
    return expectAndRespond(END, -1, end -> Performatives.end(end.channel(), null));
  }

  /** Reads a {@code close} on channel 0 and answers with a clean one. */
  public ScriptedPeer acceptClose() {
    return expectAndRespond(CLOSE, 0, close -> Performatives.close(null));
  }

  // ---- steps: misbehaving ----

  /**
   * Stops reading and writing, with the socket left open, until {@link #resume()} or {@link
   * #close()}. The step counts as done once silence begins; steps after it run after {@link
   * #resume()}.
   */
  public ScriptedPeer goSilent() {
    return step(
        "go silent",
        (deadline, timeout) -> {
          synchronized (lock) {
            silent = true;
          }
        });
  }

  /**
   * Does nothing for a while, neither reading nor writing: a slow peer. Not a way to wait for the
   * client; use an expect step for that. Ends early if the peer is closed.
   */
  public ScriptedPeer delay(Duration duration) {
    requirePositive(duration, "delay");
    return step(
        "delay " + duration,
        duration.plus(currentStepTimeout()),
        (deadline, timeout) -> {
          long end = System.nanoTime() + duration.toNanos();
          synchronized (lock) {
            for (long left = duration.toNanos(); left > 0 && !closed; ) {
              try {
                TimeUnit.NANOSECONDS.timedWait(lock, left);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted during " + duration + " delay", e);
              }
              left = end - System.nanoTime();
            }
          }
        });
  }

  /**
   * Closes the client's socket: after a partial frame sent with {@link #sendRaw}, a connection cut
   * mid-transfer. Later expect steps fail; no other client is accepted.
   */
  public ScriptedPeer closeSocket() {
    return step(
        "close the socket",
        (deadline, timeout) -> {
          // Read what the client sent already, so that closing sends FIN, not RST.
          Socket s = socket;
          try {
            while (s.getInputStream().available() > 0 && fill(IDLE_POLL_MILLIS)) {
              drainParsable();
            }
            if (!tls) s.shutdownOutput();
          } catch (IOException e) {
            // Closing anyway.
          }
          socketClosedByScript = true;
          closeQuietly(s);
        });
  }

  private Duration currentStepTimeout() {
    synchronized (lock) {
      return stepTimeout;
    }
  }

  // ---- running ----

  /** Starts accepting the client and playing the script. Idempotent. */
  public ScriptedPeer start() {
    synchronized (lock) {
      if (closed) throw new IllegalStateException("the peer is closed");
      if (started) return this;
      started = true;
      thread = new Thread(this::run, "scripted-amqp10-peer-" + port);
      thread.setDaemon(true);
      thread.start();
    }
    return this;
  }

  /** Ends a {@link #goSilent()}: the peer reads and runs the remaining steps again. */
  public void resume() {
    synchronized (lock) {
      silent = false;
      lock.notifyAll();
    }
  }

  /**
   * Waits until every step added so far has run.
   *
   * @throws AssertionError if a step failed (naming it and what was received instead), or the
   *     script is not done within {@code timeout}
   */
  public void awaitDone(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        if (failure != null) throw new AssertionError(failure.getMessage(), failure.getCause());
        if (!started) throw new AssertionError("the scripted peer was never started");
        if (completed == stepNames.size() && !running) return;
        long left = deadline - System.nanoTime();
        if (left <= 0 || finished) {
          throw new AssertionError(
              "the script did not complete within "
                  + timeout
                  + ": step "
                  + (completed + 1)
                  + " ("
                  + stepNames.get(completed)
                  + ") "
                  + (running ? "is still running" : "has not started")
                  + (silent ? " because the peer is silent (call resume())" : "")
                  + (finished ? " and the peer has stopped" : "")
                  + "; "
                  + summaryLocked());
        }
        waitLocked(left);
      }
    }
  }

  /** Every frame received from the client so far, heartbeats included, in order. */
  public List<Frame> received() {
    synchronized (lock) {
      return List.copyOf(received);
    }
  }

  /**
   * Waits for a frame from the client that matches, among those received so far and later.
   *
   * @throws AssertionError if none arrives within {@code timeout}
   */
  public Frame awaitReceived(String description, Predicate<Frame> matches, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        for (Frame frame : received) {
          if (matches.test(frame)) return frame;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || finished) {
          throw new AssertionError(
              "no "
                  + description
                  + " from the client within "
                  + timeout
                  + (clientGone == null ? "" : " (" + clientGone + ")")
                  + (failure == null ? "" : " (the script failed: " + failure.getMessage() + ")")
                  + "; "
                  + summaryLocked());
        }
        waitLocked(left);
      }
    }
  }

  /** Waits for the {@code close} the client sent on channel 0 and returns it. */
  public Frame clientClose(Duration timeout) {
    return awaitReceived("close", f -> f.isPerformative(CLOSE, 0), timeout);
  }

  /**
   * Waits until the peer has seen the client hang up (end of stream or reset). The peer only
   * notices while it reads: in an expect step, or idle after the last step, not while silent.
   */
  public void awaitClientDisconnect(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (clientGone == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || finished) {
          throw new AssertionError(
              "the client did not hang up within "
                  + timeout
                  + (silent ? " (or did, unseen: the peer is silent)" : "")
                  + "; "
                  + summaryLocked());
        }
        waitLocked(left);
      }
    }
  }

  /** Stops the script, closes the client's socket and the listening socket, ends the thread. */
  @Override
  public void close() {
    Thread t;
    synchronized (lock) {
      closed = true;
      t = thread;
      lock.notifyAll();
    }
    closeQuietly(listener);
    closeQuietly(socket);
    if (t != null && t != Thread.currentThread()) {
      t.interrupt();
      try {
        t.join(JOIN_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "ScriptedPeer{127.0.0.1:"
          + port
          + (tls ? " (TLS)" : "")
          + ", "
          + completed
          + "/"
          + stepNames.size()
          + " steps done"
          + (failure == null ? "" : ", failed")
          + "}";
    }
  }

  /**
   * The transfers of one delivery and their payloads joined: the encoded message.
   *
   * @param transfers the transfer frames, first to last
   * @param payload the message bytes (copied in and out)
   */
  public record Delivery(List<Frame> transfers, byte[] payload) {
    public Delivery {
      transfers = List.copyOf(transfers);
      payload = payload.clone();
    }

    /** The first transfer, which carries the delivery id and tag. */
    public Frame first() {
      return transfers.get(0);
    }

    /** Whether the last transfer aborted the delivery. */
    public boolean aborted() {
      return Boolean.TRUE.equals(transfers.get(transfers.size() - 1).field("aborted"));
    }

    @Override
    public byte[] payload() {
      return payload.clone();
    }

    /**
     * The message's sections, decoded.
     *
     * @throws FrameFormatException if the payload is not a sequence of encoded values
     */
    public List<Object> sections() throws FrameFormatException {
      return Amqp10Value.decodeAll(payload);
    }
  }

  // ---- the script thread ----

  private interface Action {
    void run(long deadlineNanos, Duration timeout) throws IOException, StepFailed;
  }

  private record Step(String description, Duration timeout, Action action) {}

  /** A step found something other than what it expected. */
  private static final class StepFailed extends Exception {
    private static final long serialVersionUID = 1L;

    StepFailed(String message) {
      super(message, null, false, false);
    }
  }

  private ScriptedPeer step(String description, Action action) {
    return step(description, null, action);
  }

  private ScriptedPeer step(String description, Duration timeout, Action action) {
    synchronized (lock) {
      if (closed) throw new IllegalStateException("the peer is closed");
      queued.add(new Step(description, timeout == null ? stepTimeout : timeout, action));
      stepNames.add(description);
      lock.notifyAll();
    }
    return this;
  }

  private void run() {
    try {
      if (!accept()) return;
      while (true) {
        Step step;
        synchronized (lock) {
          if (closed) return;
          if (silent) {
            lock.wait(IDLE_POLL_MILLIS * 10L);
            continue;
          }
          step = queued.poll();
          if (step != null) running = true;
        }
        if (step == null) {
          idle();
          continue;
        }
        long deadline = System.nanoTime() + step.timeout().toNanos();
        try {
          step.action().run(deadline, step.timeout());
        } catch (StepFailed | IOException | RuntimeException | AssertionError e) {
          fail(step, e);
          return;
        }
        synchronized (lock) {
          running = false;
          completed++;
          lock.notifyAll();
        }
      }
    } catch (InterruptedException e) {
      // close() ends the script.
    } finally {
      closeQuietly(socket);
      closeQuietly(listener);
      synchronized (lock) {
        running = false;
        finished = true;
        lock.notifyAll();
      }
    }
  }

  private boolean accept() {
    Duration timeout;
    synchronized (lock) {
      timeout = acceptTimeout;
    }
    try {
      listener.setSoTimeout(millis(timeout));
      Socket accepted = listener.accept();
      accepted.setTcpNoDelay(true);
      socket = accepted;
      // One client only: later connection attempts are refused.
      closeQuietly(listener);
      if (accepted instanceof SSLSocket ssl && !closed) {
        ssl.setSoTimeout(millis(timeout));
        ssl.startHandshake();
      }
      if (closed) closeQuietly(accepted);
      return !closed;
    } catch (SocketTimeoutException e) {
      recordFailure(
          new AssertionError(
              (socket == null ? "no client connected to 127.0.0.1:" + port : "no TLS handshake")
                  + " within "
                  + timeout,
              null));
      return false;
    } catch (IOException e) {
      if (!closed) {
        recordFailure(
            new AssertionError(
                (socket == null ? "accepting the client" : "the TLS handshake") + " failed: " + e,
                e));
      }
      return false;
    }
  }

  private void fail(Step step, Throwable e) {
    int number;
    synchronized (lock) {
      number = completed + 1;
    }
    String why =
        e instanceof StepFailed
            ? e.getMessage()
            : closed ? "the peer was closed" : e.getClass().getSimpleName() + ": " + e.getMessage();
    recordFailure(
        new AssertionError(
            "scripted peer step "
                + number
                + " ("
                + step.description()
                + ") failed: "
                + why
                + "; "
                + summary(),
            e instanceof StepFailed ? null : e));
  }

  private void recordFailure(AssertionError error) {
    synchronized (lock) {
      if (failure == null) failure = error;
      lock.notifyAll();
    }
  }

  /** With no step to run: read and record what arrives, or wait for a step. */
  private void idle() throws InterruptedException {
    boolean canRead;
    synchronized (lock) {
      canRead = clientGone == null && !socketClosedByScript && !closed;
    }
    if (!canRead) {
      synchronized (lock) {
        if (queued.isEmpty() && !closed) lock.wait(IDLE_POLL_MILLIS * 10L);
      }
      return;
    }
    try {
      if (!fill(IDLE_POLL_MILLIS)) throw new EOFException();
      drainParsable();
    } catch (SocketTimeoutException e) {
      // Nothing arrived; look for a step again.
    } catch (EOFException e) {
      clientHungUp("the client closed the connection");
    } catch (IOException e) {
      if (!closed && !socketClosedByScript) clientHungUp("reading failed: " + e.getMessage());
    }
  }

  /** Moves every complete header and frame read so far to the inbox. */
  private void drainParsable() {
    try {
      for (Object item = pollIncoming(); item != null; item = pollIncoming()) inbox.add(item);
    } catch (FrameFormatException e) {
      // Recorded in unreadable; steps report it.
    }
  }

  private void clientHungUp(String how) {
    synchronized (lock) {
      if (clientGone == null) clientGone = how;
      lock.notifyAll();
    }
  }

  // ---- reading, on the script thread ----

  private Frame nextPerformative(long code, int channel, long deadline, Duration timeout)
      throws IOException, StepFailed {
    String expected = performativeName(code, channel);
    Frame frame = nextFrame(deadline, timeout, expected);
    boolean sasl = isSaslCode(code);
    if (!frame.isPerformative(code)
        || frame.isSasl() != sasl
        || (!sasl && channel >= 0 && frame.channel() != channel)) {
      throw new StepFailed("received " + frame.describe() + " instead of " + expected);
    }
    return frame;
  }

  /** The next frame other than a heartbeat, by the deadline. */
  private Frame nextFrame(long deadline, Duration timeout, String expecting)
      throws IOException, StepFailed {
    while (true) {
      Object next = nextIncoming(deadline, timeout, expecting);
      if (next instanceof Header header) {
        throw new StepFailed("received the " + header.describe() + " instead of " + expecting);
      }
      Frame frame = (Frame) next;
      if (frame.size() > peerMaxFrameSize) {
        throw new StepFailed(
            "the client sent a frame of "
                + frame.size()
                + " bytes, over the max-frame-size of "
                + peerMaxFrameSize
                + " in the peer's open: "
                + frame.describe());
      }
      if (!frame.isHeartbeat()) return frame;
      requireBefore(deadline, timeout, "only heartbeats arrived", expecting);
    }
  }

  /** Fails a step that is still skipping frames at its deadline. */
  private static void requireBefore(long deadline, Duration timeout, String what, String expecting)
      throws StepFailed {
    if (System.nanoTime() - deadline > 0) {
      throw new StepFailed(what + " within " + timeout + " while waiting for " + expecting);
    }
  }

  /** The next header or frame, from those read while idle or from the socket, by the deadline. */
  private Object nextIncoming(long deadline, Duration timeout, String expecting)
      throws IOException, StepFailed {
    Object item = inbox.poll();
    if (item != null) return item;
    while (true) {
      try {
        item = pollIncoming();
      } catch (FrameFormatException e) {
        throw new StepFailed(unreadable + ", while the peer waited for " + expecting);
      }
      if (item != null) return item;
      requireReadable(expecting);
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new StepFailed(
            "nothing but what is listed below arrived within "
                + timeout
                + " while waiting for "
                + expecting
                + (pendingLength == 0
                    ? ""
                    : " ("
                        + pendingLength
                        + " bytes pending: "
                        + HexFormat.ofDelimiter(" ")
                            .formatHex(pending, 0, Math.min(pendingLength, 16))
                        + (pendingLength > 16 ? " …" : "")
                        + ")"));
      }
      try {
        if (!fill(millis(Duration.ofNanos(left)))) {
          clientHungUp("the client closed the connection");
          throw new StepFailed(
              "the client closed the connection while the peer waited for " + expecting);
        }
      } catch (SocketTimeoutException e) {
        // Loop: the deadline check reports it.
      } catch (IOException e) {
        if (closed) throw e;
        clientHungUp("reading failed: " + e.getMessage());
        throw new StepFailed(
            "reading failed (" + e.getMessage() + ") while the peer waited for " + expecting);
      }
    }
  }

  private void requireReadable(String expecting) throws StepFailed {
    if (socketClosedByScript) {
      throw new StepFailed("the script closed the socket before " + expecting);
    }
    if (unreadable != null) throw new StepFailed(unreadable + ", before " + expecting);
    String gone;
    synchronized (lock) {
      gone = clientGone;
    }
    if (gone != null) throw new StepFailed(gone + " before " + expecting);
  }

  /**
   * A complete protocol header or frame from the bytes read so far, recorded; {@code null} if none
   * is complete.
   *
   * @throws FrameFormatException if the bytes are neither, after which nothing more is parsed
   */
  private Object pollIncoming() throws FrameFormatException {
    if (unreadable != null) {
      pendingLength = 0;
      throw new FrameFormatException(unreadable);
    }
    if (pendingLength < Frame.HEADER_SIZE) return null;
    if (pending[0] == 'A' && pending[1] == 'M' && pending[2] == 'Q' && pending[3] == 'P') {
      Header header = new Header(Arrays.copyOf(pending, 8));
      consume(8);
      record(null, header.describe());
      return header;
    }
    long size;
    try {
      size = Frame.checkHeader(Arrays.copyOf(pending, Frame.HEADER_SIZE), MAX_CLIENT_FRAME_SIZE);
    } catch (FrameFormatException e) {
      unreadable =
          "the client sent bytes that are neither a protocol header nor a frame ("
              + e.getMessage()
              + ")";
      record(null, "unreadable bytes " + HexFormat.ofDelimiter(" ").formatHex(pending, 0, 8));
      pendingLength = 0;
      throw new FrameFormatException(unreadable);
    }
    if (pendingLength < size) return null;
    Frame frame = Frame.parse(pending, 0, (int) size);
    consume((int) size);
    record(frame, frame.describe());
    return frame;
  }

  private void record(Frame frame, String description) {
    synchronized (lock) {
      if (frame != null) received.add(frame);
      transcript.add(description);
      lock.notifyAll();
    }
  }

  /** Reads what is available into the pending bytes; false at the end of the stream. */
  private boolean fill(int timeoutMillis) throws IOException {
    Socket s = socket;
    if (s == null || s.isClosed()) throw new IOException("socket closed");
    s.setSoTimeout(Math.max(1, timeoutMillis));
    if (pendingLength == pending.length) pending = Arrays.copyOf(pending, pending.length * 2);
    InputStream in = s.getInputStream();
    int n = in.read(pending, pendingLength, pending.length - pendingLength);
    if (n < 0) return false;
    if (unreadable == null) pendingLength += n;
    return true;
  }

  private void consume(int n) {
    System.arraycopy(pending, n, pending, 0, pendingLength - n);
    pendingLength -= n;
  }

  private void writeFrames(List<Frame> frames) throws IOException, StepFailed {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (Frame frame : frames) {
      frame.writeTo(bytes);
      if (frame.type() == Frame.AMQP && frame.isPerformative(OPEN)) {
        Object max = frame.field("max-frame-size");
        peerMaxFrameSize = max instanceof UInt u ? u.value() : 0xFFFF_FFFFL;
      }
    }
    write(bytes.toByteArray());
  }

  private void write(byte[] bytes) throws IOException, StepFailed {
    if (socketClosedByScript) throw new StepFailed("the script closed the socket already");
    Socket s = socket;
    try {
      OutputStream out = s.getOutputStream();
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      if (closed) throw e;
      throw new StepFailed("writing to the client failed: " + e.getMessage());
    }
  }

  // ---- descriptions ----

  private String summary() {
    synchronized (lock) {
      return summaryLocked();
    }
  }

  private String summaryLocked() {
    if (transcript.isEmpty()) return "nothing received from the client";
    int from = Math.max(0, transcript.size() - SUMMARY_ITEMS);
    String shown = String.join(", ", transcript.subList(from, transcript.size()));
    return "received from the client: ["
        + (from > 0 ? "(" + from + " earlier) … " : "")
        + shown
        + "]";
  }

  private void waitLocked(long nanos) {
    try {
      TimeUnit.NANOSECONDS.timedWait(lock, Math.max(1, Math.min(nanos, 100_000_000L)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for the scripted peer", e);
    }
  }

  private static boolean isSaslCode(long code) {
    return code >= SASL_MECHANISMS && code <= SASL_OUTCOME;
  }

  private static String performativeName(long code, int channel) {
    return Schema.name(code) + (isSaslCode(code) ? " (SASL)" : onChannel(channel));
  }

  private static String headerName(byte[] header) {
    boolean amqp = header[0] == 'A' && header[1] == 'M' && header[2] == 'Q' && header[3] == 'P';
    if (!amqp) return HexFormat.ofDelimiter(" ").formatHex(header);
    return "AMQP "
        + (header[4] & 0xFF)
        + " "
        + (header[5] & 0xFF)
        + " "
        + (header[6] & 0xFF)
        + " "
        + (header[7] & 0xFF);
  }

  private static String onChannel(int channel) {
    return channel < 0 ? "" : " on channel " + channel;
  }

  private static int millis(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name + " == null");
    if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be > 0");
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) return;
    try {
      closeable.close();
    } catch (Exception ignored) {
      // Nothing more to release.
    }
  }
}
