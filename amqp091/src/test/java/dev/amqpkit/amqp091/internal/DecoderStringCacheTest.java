package dev.amqpkit.amqp091.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecoderStringCacheTest {

  private static byte[] shortStrings(List<String> values) {
    Encoder e = new Encoder(64);
    for (String v : values) e.shortString(v);
    return e.toByteArray();
  }

  @Test
  void aRepeatedShortStringIsDecodedOnce() throws Exception {
    byte[] wire = shortStrings(List.of("amq.ctag-abc", "amq.ctag-abc"));
    Decoder d = new Decoder(wire, 0, wire.length);

    String first = d.shortString();
    String second = d.shortString();

    assertThat(second).isEqualTo("amq.ctag-abc").isSameAs(first);
  }

  @Test
  void manyDistinctStringsSharingSlotsAllDecodeCorrectly() throws Exception {
    List<String> values = new ArrayList<>();
    for (int i = 0; i < 1000; i++) values.add("key-" + i + (i % 3 == 0 ? "-é" : ""));
    values.add("x".repeat(200)); // longer than what is cached
    List<String> twice = new ArrayList<>(values);
    twice.addAll(values);
    byte[] wire = shortStrings(twice);
    Decoder d = new Decoder(wire, 0, wire.length);

    List<String> read = new ArrayList<>();
    while (d.remaining() > 0) read.add(d.shortString());

    assertThat(read).isEqualTo(twice);
  }
}
