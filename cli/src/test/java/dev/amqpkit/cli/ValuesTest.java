package dev.amqpkit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ValuesTest {

  @Test
  void pairsAreStringsUnlessTyped() {
    Map<String, Object> m =
        Values.pairs(
            List.of(
                "a=1", "b:int=2", "c:long=3", "d:bool=true", "e:double=1.5", "f:string=7", "g="),
            "--header",
            false);
    assertThat(m)
        .containsExactly(
            Map.entry("a", "1"),
            Map.entry("b", 2),
            Map.entry("c", 3L),
            Map.entry("d", true),
            Map.entry("e", 1.5),
            Map.entry("f", "7"),
            Map.entry("g", ""));
  }

  @Test
  void guessingTypesWholeNumbersAndBooleansOnly() {
    Map<String, Object> m =
        Values.pairs(
            List.of("x-max-length=10", "flag=false", "name=abc", "ratio=0.5", "keep:string=10"),
            "--arg",
            true);
    assertThat(m)
        .containsEntry("x-max-length", 10L)
        .containsEntry("flag", false)
        .containsEntry("name", "abc")
        .containsEntry("ratio", "0.5")
        .containsEntry("keep", "10");
  }

  @Test
  void aKeyMayHoldColonsAndEqualsSignsInItsValue() {
    Map<String, Object> m = Values.pairs(List.of("urn:x:y=a=b", "k:unknown=v"), "--header", false);
    assertThat(m).containsEntry("urn:x:y", "a=b").containsEntry("k:unknown", "v");
  }

  @Test
  void malformedPairsAreRefusedWithTheOptionNamed() {
    assertThatThrownBy(() -> Values.pairs(List.of("novalue"), "--header", false))
        .isInstanceOf(CommandFailure.class)
        .hasMessage("--header 'novalue' is not key=value")
        .extracting(e -> ((CommandFailure) e).exitCode())
        .isEqualTo(Exit.USAGE);
    assertThatThrownBy(() -> Values.pairs(List.of("=v"), "--header", false))
        .isInstanceOf(CommandFailure.class);
    assertThatThrownBy(() -> Values.pairs(List.of("n:int=x"), "--arg", true))
        .hasMessage("--arg n: 'x' is not an int");
    assertThatThrownBy(() -> Values.pairs(List.of("b:bool=yes"), "--arg", true))
        .hasMessage("--arg b: 'yes' is not a bool");
  }

  @Test
  void durations() {
    Values.DurationConverter c = new Values.DurationConverter();
    assertThat(c.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(c.convert("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.convert("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.convert("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.convert("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(c.convert("3")).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.convert("PT1M")).isEqualTo(Duration.ofMinutes(1));
    for (String bad : List.of("soon", "-1s", "", "5x")) {
      assertThatThrownBy(() -> c.convert(bad))
          .isInstanceOf(CommandLine.TypeConversionException.class)
          .hasMessageContaining("is not a duration");
    }
  }
}
