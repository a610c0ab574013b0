package dev.amqpkit.msg.mem;

import dev.amqpkit.msg.Attributes;
import dev.amqpkit.msg.FailurePolicy;
import dev.amqpkit.msg.Message;
import dev.amqpkit.msg.SendFailedException;
import dev.amqpkit.msg.Server;
import dev.amqpkit.msg.Topic;
import dev.amqpkit.msg.spi.AbstractServer;
import dev.amqpkit.msg.spi.BufferedMessageWriter;
import dev.amqpkit.msg.spi.Settlement;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A queue of messages in this process: its {@link #topic()} adds messages, its {@link
 * #server(int)}s take them, each message to one server, as a broker's queue would.
 *
 * <p>A message counts against the capacity from the moment it is sent until it is processed or
 * dead-lettered; a writer's {@code close} waits for room, up to the send timeout, then fails with
 * {@link SendFailedException}. A message whose receive failed goes back to the head of the queue
 * ({@link FailurePolicy#REDELIVER}, the default) or to the dead-letter queue, if one was given,
 * else nowhere ({@link FailurePolicy#DEAD_LETTER}). Messages are copied on the way in, so the
 * sender may reuse what it wrote. Thread-safe.
 */
public final class MemoryQueue {
  private final String name;
  private final int capacity;
  private final int maxBodySize;
  private final Duration sendTimeout;
  private final FailurePolicy onFailure;
  private final MemoryQueue deadLetterQueue;
  private final LinkedBlockingDeque<Stored> messages = new LinkedBlockingDeque<>();
  private final Semaphore room;

  private MemoryQueue(Builder b) {
    this.name = b.name;
    this.capacity = b.capacity;
    this.maxBodySize = b.maxBodySize;
    this.sendTimeout = b.sendTimeout;
    this.onFailure = b.onFailure;
    this.deadLetterQueue = b.deadLetterQueue;
    this.room = new Semaphore(capacity);
  }

  /** A queue with the default options: capacity 10,000, bodies up to 64 MiB, redelivery. */
  public static MemoryQueue create(String name) {
    return builder(name).build();
  }

  /** Options for a queue of this name. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The queue's name. */
  public String name() {
    return name;
  }

  /** Messages waiting to be taken (not those being processed). */
  public int size() {
    return messages.size();
  }

  /** Messages held: waiting, or taken and not yet processed. */
  public int held() {
    return capacity - room.availablePermits();
  }

  /** The topic of this queue: closing one of its writers puts a copy of the message at the tail. */
  public Topic topic() {
    return () ->
        new BufferedMessageWriter(maxBodySize) {
          @Override
          protected void send(Attributes attributes, byte[] body, int length) throws IOException {
            put(new Stored(attributes.copy(), Arrays.copyOf(body, length)));
          }
        };
  }

  private void put(Stored message) throws IOException {
    try {
      if (!room.tryAcquire(sendTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new SendFailedException(
            "memory queue '" + name + "' full: " + capacity + " messages, for " + sendTimeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SendFailedException("interrupted while waiting for room in '" + name + "'", e);
    }
    messages.addLast(message);
  }

  /** A server taking messages from this queue, handling up to {@code concurrency} at once. */
  public Server server(int concurrency) {
    return new MemoryServer(concurrency);
  }

  @Override
  public String toString() {
    return "MemoryQueue(" + name + ", " + messages.size() + " waiting)";
  }

  private record Stored(Attributes attributes, byte[] body) {}

  private final class MemoryServer extends AbstractServer {
    MemoryServer(int concurrency) {
      super(name, concurrency);
    }

    @Override
    protected void startTaking() {
      startTakers(this::takeLoop);
    }

    private void takeLoop() {
      try {
        while (awaitSlot()) {
          Stored next = null;
          try {
            while (next == null && taking()) next = messages.pollFirst(50, TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            // Shut down without waiting, or an interrupt a receiver left behind: go on taking
            // unless stopping.
            releaseSlot();
            if (taking()) continue;
            return;
          }
          if (next == null) {
            releaseSlot();
            continue;
          }
          process(Message.of(next.attributes().copy(), next.body()), settlement(next));
        }
      } catch (InterruptedException e) {
        // Shut down without waiting: the loop ends.
        Thread.currentThread().interrupt();
      }
    }

    private Settlement settlement(Stored taken) {
      return new Settlement() {
        @Override
        public void succeeded() {
          room.release();
        }

        @Override
        public void failed(Throwable cause) throws IOException {
          if (onFailure == FailurePolicy.REDELIVER) {
            messages.addFirst(taken);
            return;
          }
          if (deadLetterQueue != null) {
            try {
              deadLetterQueue.put(taken);
            } catch (IOException e) {
              // The dead-letter queue is full: kept here rather than lost.
              messages.addFirst(taken);
              throw e;
            }
          }
          room.release();
        }
      };
    }

    @Override
    protected void stopTaking() {
      // The loop sees it within its poll interval.
    }

    @Override
    protected void release() {}
  }

  /** Options of a {@link MemoryQueue}. */
  public static final class Builder {
    private final String name;
    private int capacity = 10_000;
    private int maxBodySize = 64 * 1024 * 1024;
    private Duration sendTimeout = Duration.ofSeconds(10);
    private FailurePolicy onFailure = FailurePolicy.REDELIVER;
    private MemoryQueue deadLetterQueue;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name == null");
    }

    /** How many messages the queue holds at most, processing ones included; default 10,000. */
    public Builder capacity(int capacity) {
      if (capacity < 1) throw new IllegalArgumentException("capacity < 1: " + capacity);
      this.capacity = capacity;
      return this;
    }

    /** The largest body a writer takes; default 64 MiB. */
    public Builder maxBodySize(int maxBodySize) {
      if (maxBodySize < 0) throw new IllegalArgumentException("maxBodySize < 0: " + maxBodySize);
      this.maxBodySize = maxBodySize;
      return this;
    }

    /** How long a writer's close waits for room in a full queue; default 10 s. */
    public Builder sendTimeout(Duration sendTimeout) {
      Objects.requireNonNull(sendTimeout, "sendTimeout == null");
      if (sendTimeout.isNegative()) throw new IllegalArgumentException("negative: " + sendTimeout);
      this.sendTimeout = sendTimeout;
      return this;
    }

    /** What happens to a message whose receive failed; default {@link FailurePolicy#REDELIVER}. */
    public Builder onFailure(FailurePolicy onFailure) {
      this.onFailure = Objects.requireNonNull(onFailure, "onFailure == null");
      return this;
    }

    /**
     * Where messages go that are dead-lettered ({@link FailurePolicy#DEAD_LETTER}); none by
     * default, and then they are dropped.
     */
    public Builder deadLetterQueue(MemoryQueue deadLetterQueue) {
      this.deadLetterQueue = Objects.requireNonNull(deadLetterQueue, "deadLetterQueue == null");
      return this;
    }

    /** The queue. */
    public MemoryQueue build() {
      return new MemoryQueue(this);
    }
  }
}
