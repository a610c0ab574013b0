package dev.amqpkit.amqp10.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UnsettledSendsTest {

  private static PendingSend send() {
    return new PendingSend(null);
  }

  @Test
  void findsSendsByIdInAndOutOfOrder() {
    UnsettledSends sends = new UnsettledSends();
    Map<Long, PendingSend> added = new HashMap<>();
    for (long id = 0; id < 200; id++) {
      PendingSend p = send();
      sends.add(id, p);
      added.put(id, p);
    }
    assertThat(sends.remove(150)).isSameAs(added.get(150L));
    assertThat(sends.remove(150)).isNull();
    assertThat(sends.remove(0)).isSameAs(added.get(0L));
    assertThat(sends.remove(999)).isNull();
    assertThat(sends.size()).isEqualTo(198);
  }

  @Test
  void aRangeRemovesOnlyTheSendsInsideIt() {
    UnsettledSends sends = new UnsettledSends();
    for (long id = 10; id < 20; id++) sends.add(id, send());
    List<PendingSend> removed = new ArrayList<>();
    sends.removeRange(12, 15, removed::add);
    assertThat(removed).hasSize(4);
    assertThat(sends.size()).isEqualTo(6);
    // A range far wider than what is held costs only what is held.
    sends.removeRange(0, 0xFFFF_FFF0L, removed::add);
    assertThat(removed).hasSize(10);
    assertThat(sends.size()).isZero();
  }

  @Test
  void idsWrapAroundTwoToTheThirtyTwo() {
    UnsettledSends sends = new UnsettledSends();
    long first = 0xFFFF_FFFAL;
    List<PendingSend> added = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      PendingSend p = send();
      sends.add((first + i) & 0xFFFF_FFFFL, p);
      added.add(p);
    }
    List<PendingSend> removed = new ArrayList<>();
    sends.removeRange(0xFFFF_FFFEL, 1, removed::add); // 4 ids across the wrap
    assertThat(removed).containsExactly(added.get(4), added.get(5), added.get(6), added.get(7));
    assertThat(sends.remove(5)).isSameAs(added.get(11));
  }

  @Test
  void staysWithinTwiceTheLiveSendsWhenTheOldestNeverSettles() {
    UnsettledSends sends = new UnsettledSends();
    PendingSend stuck = send();
    sends.add(0, stuck);
    for (long id = 1; id < 100_000; id++) {
      sends.add(id, send());
      assertThat(sends.remove(id)).isNotNull();
    }
    assertThat(sends.size()).isEqualTo(1);
    assertThat(sends.remove(0)).isSameAs(stuck);
  }

  @Test
  void agreesWithAMapUnderRandomOperations() {
    Random random = new Random(42);
    UnsettledSends sends = new UnsettledSends();
    Map<Long, PendingSend> model = new HashMap<>();
    long next = 0xFFFF_0000L;
    for (int step = 0; step < 50_000; step++) {
      int op = random.nextInt(10);
      if (op < 5) {
        PendingSend p = send();
        sends.add(next, p);
        model.put(next, p);
        next = (next + 1 + (random.nextInt(4) == 0 ? 1 : 0)) & 0xFFFF_FFFFL; // gaps too
      } else if (op < 9) {
        long id = (next - 1 - random.nextInt(64)) & 0xFFFF_FFFFL;
        assertThat(sends.remove(id)).isSameAs(model.remove(id));
      } else {
        long first = (next - random.nextInt(64)) & 0xFFFF_FFFFL;
        long last = (first + random.nextInt(16)) & 0xFFFF_FFFFL;
        List<PendingSend> removed = new ArrayList<>();
        sends.removeRange(first, last, removed::add);
        List<PendingSend> expected = new ArrayList<>();
        for (long i = 0; i <= ((last - first) & 0xFFFF_FFFFL); i++) {
          PendingSend p = model.remove((first + i) & 0xFFFF_FFFFL);
          if (p != null) expected.add(p);
        }
        assertThat(removed).containsExactlyElementsOf(expected);
      }
      assertThat(sends.size()).isEqualTo(model.size());
    }
  }
}
