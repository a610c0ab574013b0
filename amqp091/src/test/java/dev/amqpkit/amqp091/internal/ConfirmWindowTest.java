package dev.amqpkit.amqp091.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

class ConfirmWindowTest {

  private static List<String> items(long from, long to) {
    return LongStream.rangeClosed(from, to).mapToObj(s -> "m" + s).collect(Collectors.toList());
  }

  private static ConfirmWindow<String> windowWith(int publishes) {
    ConfirmWindow<String> window = new ConfirmWindow<>();
    for (int i = 1; i <= publishes; i++) window.add("m" + i);
    return window;
  }

  @Test
  void addReturnsSequenceNumbersFromOne() {
    ConfirmWindow<String> window = new ConfirmWindow<>();

    assertThat(window.nextSequence()).isEqualTo(1);
    assertThat(window.add("a")).isEqualTo(1);
    assertThat(window.add("b")).isEqualTo(2);
    assertThat(window.add("c")).isEqualTo(3);
    assertThat(window.nextSequence()).isEqualTo(4);
    assertThat(window.outstanding()).isEqualTo(3);
  }

  @Test
  void takeReturnsTheItemOnceAndNullAfterwards() {
    ConfirmWindow<String> window = windowWith(3);

    assertThat(window.take(2)).isEqualTo("m2");
    assertThat(window.take(2)).isNull();
    assertThat(window.outstanding()).isEqualTo(2);
    assertThat(window.unsettled()).containsExactly("m1", "m3");
  }

  @Test
  void takeOfAnUnknownSequenceReturnsNullAndChangesNothing() {
    ConfirmWindow<String> window = windowWith(3);

    assertThat(window.take(0)).isNull();
    assertThat(window.take(-1)).isNull();
    assertThat(window.take(4)).isNull();
    assertThat(window.take(Long.MAX_VALUE)).isNull();
    assertThat(window.outstanding()).isEqualTo(3);
    assertThat(window.unsettled()).containsExactly("m1", "m2", "m3");
  }

  @Test
  void takeOfTheHeadSettlesItAndKeepsLaterOnesReachable() {
    ConfirmWindow<String> window = windowWith(3);

    assertThat(window.take(1)).isEqualTo("m1");
    assertThat(window.take(1)).isNull();
    assertThat(window.take(3)).isEqualTo("m3");
    assertThat(window.take(2)).isEqualTo("m2");
    assertThat(window.outstanding()).isZero();
    assertThat(window.add("m4")).isEqualTo(4);
    assertThat(window.take(4)).isEqualTo("m4");
  }

  @Test
  void takeUpToSettlesInOrderAndSkipsSettledOnes() {
    ConfirmWindow<String> window = windowWith(6);
    window.take(2);
    window.take(4);

    assertThat(window.takeUpTo(5)).containsExactly("m1", "m3", "m5");
    assertThat(window.outstanding()).isEqualTo(1);
    assertThat(window.takeUpTo(5)).isEmpty();
    assertThat(window.take(5)).isNull();
    assertThat(window.takeUpTo(100)).containsExactly("m6");
    assertThat(window.outstanding()).isZero();
  }

  @Test
  void takeUpToBelowTheFirstUnsettledSettlesNothing() {
    ConfirmWindow<String> window = windowWith(3);
    window.takeUpTo(1);

    assertThat(window.takeUpTo(0)).isEmpty();
    assertThat(window.takeUpTo(1)).isEmpty();
    assertThat(window.outstanding()).isEqualTo(2);
  }

  @Test
  void growsPastSixtyFourEntriesWithOutOfOrderTakes() {
    ConfirmWindow<String> window = windowWith(64);
    assertThat(window.takeUpTo(10)).isEqualTo(items(1, 10));
    for (int i = 65; i <= 74; i++) window.add("m" + i); // wraps around the ring's end
    for (long s = 12; s <= 74; s += 2) assertThat(window.take(s)).isEqualTo("m" + s);
    for (int i = 75; i <= 300; i++) assertThat(window.add("m" + i)).isEqualTo(i); // grows

    List<String> expected = new ArrayList<>();
    for (long s = 11; s <= 73; s += 2) expected.add("m" + s);
    expected.addAll(items(75, 300));
    assertThat(window.outstanding()).isEqualTo(expected.size());
    assertThat(window.unsettled()).isEqualTo(expected);

    assertThat(window.take(11)).isEqualTo("m11");
    assertThat(window.take(300)).isEqualTo("m300");
    assertThat(window.take(150)).isEqualTo("m150");
    assertThat(window.take(12)).isNull();
    List<String> upTo200 = new ArrayList<>();
    for (long s = 13; s <= 73; s += 2) upTo200.add("m" + s);
    upTo200.addAll(items(75, 149));
    upTo200.addAll(items(151, 200));
    assertThat(window.takeUpTo(200)).isEqualTo(upTo200);
    assertThat(window.unsettled()).isEqualTo(items(201, 299));
    assertThat(window.outstanding()).isEqualTo(99);
  }

  @Test
  void unsettledListsWithoutSettlingAndClearSettlesEverything() {
    ConfirmWindow<String> window = windowWith(5);
    window.take(3);

    assertThat(window.unsettled()).containsExactly("m1", "m2", "m4", "m5");
    assertThat(window.outstanding()).isEqualTo(4);
    assertThat(window.clear()).containsExactly("m1", "m2", "m4", "m5");
    assertThat(window.outstanding()).isZero();
    assertThat(window.unsettled()).isEmpty();
    assertThat(window.take(1)).isNull();
    assertThat(window.takeUpTo(5)).isEmpty();
    assertThat(window.add("m6")).isEqualTo(6);
    assertThat(window.take(6)).isEqualTo("m6");
  }

  private enum Kind {
    ADD,
    TAKE,
    TAKE_UP_TO,
    CLEAR
  }

  /** An operation; {@code pick} chooses a sequence number near the window when it runs. */
  private record Op(Kind kind, int pick) {}

  @Provide
  Arbitrary<List<Op>> operations() {
    Arbitrary<Kind> kinds =
        Arbitraries.frequency(
            Tuple.of(120, Kind.ADD),
            Tuple.of(40, Kind.TAKE),
            Tuple.of(6, Kind.TAKE_UP_TO),
            Tuple.of(1, Kind.CLEAR));
    return Combinators.combine(kinds, Arbitraries.integers().between(0, 1_000_000))
        .as(Op::new)
        .list()
        .ofMaxSize(800)
        .withSizeDistribution(RandomDistribution.uniform());
  }

  @Property(tries = 300)
  void agreesWithASortedMapModel(@ForAll("operations") List<Op> operations) {
    ConfirmWindow<String> window = new ConfirmWindow<>();
    TreeMap<Long, String> model = new TreeMap<>();
    long next = 1;
    int mostOutstanding = 0;
    for (Op op : operations) {
      // take: anywhere from 2 below the first sequence number to 2 past the next one;
      // takeUpTo: a little past the oldest unsettled one, so the window can still grow
      long oldest = model.isEmpty() ? next : model.firstKey();
      long sequence =
          op.kind() == Kind.TAKE_UP_TO ? oldest - 2 + op.pick() % 6 : op.pick() % (next + 4) - 2;
      switch (op.kind()) {
        case ADD -> {
          String item = "m" + next;
          assertThat(window.add(item)).isEqualTo(next);
          model.put(next, item);
          next++;
        }
        case TAKE -> assertThat(window.take(sequence)).isEqualTo(model.remove(sequence));
        case TAKE_UP_TO -> {
          Map<Long, String> settled = model.headMap(sequence, true);
          List<String> expected = new ArrayList<>(settled.values());
          settled.clear();
          assertThat(window.takeUpTo(sequence)).isEqualTo(expected);
        }
        case CLEAR -> {
          List<String> expected = new ArrayList<>(model.values());
          model.clear();
          assertThat(window.clear()).isEqualTo(expected);
        }
      }
      assertThat(window.outstanding()).isEqualTo(model.size());
      assertThat(window.nextSequence()).isEqualTo(next);
      assertThat(window.firstUnsettled()).isEqualTo(model.isEmpty() ? next : model.firstKey());
      assertThat(window.unsettled()).isEqualTo(new ArrayList<>(model.values()));
      mostOutstanding = Math.max(mostOutstanding, model.size());
    }
    Statistics.label("window grew past 64")
        .collect(mostOutstanding > 64)
        .coverage(checker -> checker.check(true).percentage(p -> p >= 15));
  }

  @Test
  void theLastAddCanBeTakenBackAndItsNumberIsReused() {
    ConfirmWindow<String> window = new ConfirmWindow<>();
    window.add("a");
    long b = window.add("b");

    window.removeLast(b);

    assertThat(window.outstanding()).isEqualTo(1);
    assertThat(window.nextSequence()).isEqualTo(b);
    assertThat(window.add("c")).isEqualTo(b);
    assertThat(window.takeUpTo(b)).containsExactly("a", "c");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> window.removeLast(1))
        .isInstanceOf(IllegalStateException.class);
  }
}
