package dev.amqpkit.amqp091.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CopyPoolTest {
  @Test
  void everyPooledLengthHasTheSmallestClassThatHoldsIt() {
    int classes = CopyPool.classOf(CopyPool.MAX_POOLED) + 1;
    assertThat(CopyPool.classOf(CopyPool.MIN_POOLED + 1)).isZero();
    assertThat(CopyPool.capacityOf(classes - 1)).isEqualTo(CopyPool.MAX_POOLED);
    for (int length = CopyPool.MIN_POOLED + 1; length <= CopyPool.MAX_POOLED; length++) {
      int index = CopyPool.classOf(length);
      int capacity = CopyPool.capacityOf(index);
      if (capacity < length || (index > 0 && CopyPool.capacityOf(index - 1) >= length)) {
        throw new AssertionError("length " + length + " in class " + index + " of " + capacity);
      }
      // At most a quarter of the array is wasted.
      if ((long) capacity * 4 > (long) (length - 1) * 5 + 4) {
        throw new AssertionError("length " + length + " wastes too much of " + capacity);
      }
    }
  }

  @Test
  void smallAndHugeBodiesAreCopiedIntoArraysOfTheirOwnLength() {
    for (int length : new int[] {0, 1, 100, CopyPool.MIN_POOLED, CopyPool.MAX_POOLED + 1}) {
      byte[] body = pattern(length, 7);
      byte[] copy = CopyPool.copyOf(body);
      assertThat(copy).isNotSameAs(body).isEqualTo(body);
    }
  }

  @Test
  void aCopyGivenBackIsReusedForABodyOfItsClass() {
    byte[] first = CopyPool.copyOf(pattern(5_000, 1));
    assertThat(first.length).isEqualTo(CopyPool.capacityOf(CopyPool.classOf(5_000)));
    assertThat(Arrays.copyOf(first, 5_000)).isEqualTo(pattern(5_000, 1));
    CopyPool.giveBack(first);

    byte[] body = pattern(4_900, 2); // a shorter body of the same class
    byte[] second = CopyPool.copyOf(body);
    assertThat(second).isSameAs(first);
    assertThat(Arrays.copyOf(second, body.length)).isEqualTo(body);
  }

  @Test
  void anArrayThePoolDidNotMakeIsNotTaken() {
    long before = CopyPool.spareBytes();
    CopyPool.giveBack(new byte[5_000]); // not a class's capacity
    CopyPool.giveBack(new byte[100]);
    assertThat(CopyPool.spareBytes()).isEqualTo(before);
  }

  @Test
  void spareArraysStayWithinTheBudget() {
    int capacity = CopyPool.MAX_POOLED;
    long before = CopyPool.spareBytes();
    long overBudget = CopyPool.budget() / capacity + 2;
    List<byte[]> copies = new ArrayList<>();
    for (int i = 0; i < overBudget; i++) copies.add(CopyPool.copyOf(new byte[capacity]));
    copies.forEach(CopyPool::giveBack);
    assertThat(CopyPool.spareBytes()).isBetween(0L, CopyPool.budget());
    // Taken again, every spare array of the class leaves the pool's count.
    for (int i = 0; i < overBudget; i++) CopyPool.copyOf(new byte[capacity]);
    assertThat(CopyPool.spareBytes()).isLessThanOrEqualTo(before);
  }

  private static byte[] pattern(int length, int seed) {
    byte[] body = new byte[length];
    for (int i = 0; i < length; i++) body[i] = (byte) (i * 31 + seed);
    return body;
  }
}
