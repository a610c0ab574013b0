package dev.amqpkit.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs the machine's commands (rabbitmqctl, keytool) for fixtures, bounded by a timeout. */
final class Commands {
  private Commands() {}

  /**
   * Runs a command and returns its output (standard output and error, trimmed).
   *
   * @throws IOException if it cannot start, runs longer than the timeout (it is then killed), or
   *     exits with a status other than 0; the message carries the output
   */
  static String run(Duration timeout, List<String> command, Path directory) throws IOException {
    // The program and its first argument that is not an option: "rabbitmqctl eval".
    String name =
        command.get(0).replaceAll(".*/", "")
            + command.stream()
                .skip(1)
                .filter(a -> !a.startsWith("-"))
                .findFirst()
                .map(a -> " " + a)
                .orElse("");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (directory != null) builder.directory(directory.toFile());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IOException("cannot run " + name + ": " + e.getMessage(), e);
    }
    CompletableFuture<byte[]> output = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (InputStream in = process.getInputStream()) {
                output.complete(in.readAllBytes());
              } catch (IOException e) {
                output.completeExceptionally(e);
              }
            },
            "amqpkit-testkit-command-output");
    reader.setDaemon(true);
    reader.start();
    String text;
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IOException(name + " did not finish within " + timeout.toSeconds() + " s");
      }
      text = new String(output.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8).trim();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + name, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("cannot read the output of " + name, e);
    }
    if (process.exitValue() != 0) {
      throw new IOException(name + " exited with " + process.exitValue() + ": " + text);
    }
    return text;
  }
}
