package dev.amqpkit.cli;

import picocli.CommandLine;

/** The protocol a command speaks to the broker. */
enum Protocol {
  AMQP_0_9_1("0-9-1"),
  AMQP_1_0("1.0");

  private final String label;

  Protocol(String label) {
    this.label = label;
  }

  @Override
  public String toString() {
    return label;
  }

  /** Reads {@code 0-9-1} (or {@code 091}) and {@code 1.0} (or {@code 10}). */
  static final class Converter implements CommandLine.ITypeConverter<Protocol> {
    @Override
    public Protocol convert(String value) {
      return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "0-9-1", "091", "0.9.1", "amqp091" -> AMQP_0_9_1;
        case "1.0", "10", "1", "amqp10" -> AMQP_1_0;
        default ->
            throw new CommandLine.TypeConversionException(
                "'" + value + "' is not a protocol: use 0-9-1 or 1.0");
      };
    }
  }
}
