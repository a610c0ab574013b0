package dev.amqpkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PerfStatsTest {

  private static byte[] body(PerfStats stats, int producer, long sequence) {
    byte[] body = new byte[PerfStats.HEADER + 10];
    stats.stamp(body, producer, sequence);
    return body;
  }

  @Test
  void confirmedButNotReceivedIsLostAndTwiceReceivedIsADuplicate() {
    PerfStats stats = new PerfStats(2, true);
    byte[] a = body(stats, 0, 0);
    byte[] b = body(stats, 0, 1);
    byte[] c = body(stats, 1, 0);
    stats.confirmed(0, 0);
    stats.confirmed(0, 1);
    stats.confirmed(1, 0);
    assertThat(stats.lost()).isEqualTo(3);
    assertThat(stats.allReceived()).isFalse();

    stats.received(a);
    stats.received(c);
    stats.received(a);
    assertThat(stats.lost()).isEqualTo(1);
    assertThat(stats.duplicates.sum()).isEqualTo(1);
    assertThat(stats.received.sum()).isEqualTo(3);

    stats.received(b);
    assertThat(stats.lost()).isZero();
    assertThat(stats.allReceived()).isTrue();
    assertThat(stats.interval().getTotalCount()).isEqualTo(4);
  }

  @Test
  void receivedBeforeItsConfirmIsNotLost() {
    PerfStats stats = new PerfStats(1, true);
    byte[] a = body(stats, 0, 0);
    stats.received(a);
    stats.confirmed(0, 0);
    assertThat(stats.lost()).isZero();
    assertThat(stats.duplicates.sum()).isZero();
  }

  @Test
  void withoutConfirmsWhatWasSentIsExpected() {
    PerfStats stats = new PerfStats(1, false);
    byte[] a = body(stats, 0, 0);
    body(stats, 0, 1);
    assertThat(stats.lost()).isEqualTo(2);
    stats.received(a);
    assertThat(stats.lost()).isEqualTo(1);
  }

  @Test
  void messagesOfAnotherRunOrShortOnesAreForeign() {
    PerfStats other = new PerfStats(1, true);
    PerfStats stats = new PerfStats(1, true);
    stats.received(body(other, 0, 0));
    stats.received(new byte[3]);
    byte[] unknownProducer = new byte[PerfStats.HEADER];
    stats.stamp(unknownProducer, 0, 0);
    unknownProducer[15] = 9; // producer 9 of a run with one
    stats.received(unknownProducer);
    assertThat(stats.foreign.sum()).isEqualTo(3);
    assertThat(stats.received.sum()).isZero();
  }

  @Test
  void settledSequencesAreForgottenSoMemoryFollowsWhatIsInFlight() {
    PerfStats stats = new PerfStats(1, true);
    int n = 300_000;
    for (int i = 0; i < n; i++) {
      byte[] b = body(stats, 0, i);
      stats.confirmed(0, i);
      stats.received(b);
    }
    assertThat(stats.forgotten()).isGreaterThan(n - 70_000);
    assertThat(stats.lost()).isZero();
    // A late duplicate of a forgotten message is still a duplicate.
    byte[] again = body(stats, 0, 5);
    stats.received(again);
    assertThat(stats.duplicates.sum()).isEqualTo(1);
  }

  @Test
  void aMissingMessageKeepsItsPlaceAndIsReportedLost() {
    PerfStats stats = new PerfStats(1, true);
    for (int i = 0; i < 200_000; i++) {
      byte[] b = body(stats, 0, i);
      stats.confirmed(0, i);
      if (i != 7) stats.received(b);
    }
    assertThat(stats.lost()).isEqualTo(1);
    assertThat(stats.forgotten()).isZero();
  }
}
