package dev.amqpkit.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/** The command's version and the embedded broker's name, from the build. */
final class Version implements CommandLine.IVersionProvider {
  private static final Properties BUILD = load();

  static String version() {
    return BUILD.getProperty("version", "unknown");
  }

  static String broker() {
    return BUILD.getProperty("broker", "Apache Qpid Broker-J");
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "amqpkit " + version(),
      "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
      "embedded broker: " + broker()
    };
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = Version.class.getResourceAsStream("amqpkit.properties")) {
      if (in != null) p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }
}
