package dev.amqpkit.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Standard input read on a daemon thread, so that a command waiting for input (a person typing
 * lines, a silent pipe) still sees Ctrl-C: then the input ends, as if at end of file. At most 16
 * chunks of 64 KiB are read ahead.
 */
final class StoppableInput extends InputStream {
  private static final byte[] END = new byte[0];

  private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(16);
  private final StopSignal stop;
  private volatile IOException failure;
  private byte[] current;
  private int position;

  StoppableInput(InputStream in, StopSignal stop) {
    this.stop = stop;
    Thread reader = new Thread(() -> pump(in), "amqpkit-stdin");
    reader.setDaemon(true);
    reader.start();
  }

  private void pump(InputStream in) {
    byte[] buffer = new byte[64 * 1024];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        if (n > 0) chunks.put(java.util.Arrays.copyOf(buffer, n));
      }
    } catch (IOException e) {
      failure = e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        chunks.put(END);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) return 0;
    while (current == null || (current != END && position == current.length)) {
      if (stop.isRequested()) return -1;
      try {
        current = chunks.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
      position = 0;
    }
    if (current == END) {
      IOException e = failure;
      if (e != null) throw e;
      return -1;
    }
    int n = Math.min(len, current.length - position);
    System.arraycopy(current, position, b, off, n);
    position += n;
    return n;
  }
}
