package dev.amqpkit.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void fixedWaitsTheSameBeforeEveryAttempt() {
    Backoff backoff = Backoff.fixed(Duration.ofMillis(250));
    assertThat(backoff.delay(1)).isEqualTo(Duration.ofMillis(250));
    assertThat(backoff.delay(1000)).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void exponentialWithoutJitterDoublesUpToTheCap() {
    Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1), 0);
    assertThat(backoff.delay(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(backoff.delay(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(backoff.delay(4)).isEqualTo(Duration.ofMillis(800));
    assertThat(backoff.delay(5)).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.delay(64)).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void jitterKeepsEachDelayWithinItsShareAndSpreadsThem() {
    Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(10));
    java.util.Set<Duration> seen = new java.util.HashSet<>();
    for (int i = 0; i < 200; i++) {
      Duration d = backoff.delay(3); // base 400 ms, half of it random
      assertThat(d).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
      seen.add(d);
    }
    assertThat(seen).hasSizeGreaterThan(100);
  }

  @Test
  void badArgumentsAreRefusedWithTheirValues() {
    assertThatThrownBy(() -> Backoff.fixed(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO, Duration.ofSeconds(1)))
        .hasMessageContaining("initial must be positive");
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("is less than initial");
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(2), 1.5))
        .hasMessageContaining("jitter must be within [0, 1]: 1.5");
    assertThatThrownBy(
            () -> Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(2)).delay(0))
        .hasMessageContaining("attempt must be at least 1");
  }

  @Test
  void recoveryDefaultsAreDocumentedOnes() {
    Recovery r = Recovery.defaults();
    assertThat(r.enabled()).isTrue();
    assertThat(r.maxAttempts()).isEqualTo(Integer.MAX_VALUE);
    assertThat(r.maxElapsed()).isEmpty();
    assertThat(r.retryAuthenticationFailures()).isFalse();
    assertThat(r.bufferedPublishes()).isEqualTo(10_000);
    assertThat(r.backoff().delay(1)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
    assertThat(r.backoff().delay(30)).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(10));
    assertThat(Recovery.disabled().enabled()).isFalse();
    assertThat(r.newBuilder().maxAttempts(3).build().maxAttempts()).isEqualTo(3);
    assertThatThrownBy(() -> Recovery.builder().maxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Recovery.builder().bufferedPublishes(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Recovery.builder().maxElapsed(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
