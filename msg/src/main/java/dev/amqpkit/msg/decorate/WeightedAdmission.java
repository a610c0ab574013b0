package dev.amqpkit.msg.decorate;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets at most {@code permits} receives run at once and, when several servers have messages
 * waiting, admits them by smooth weighted round robin: each server that has a message waiting earns
 * its weight, the richest is admitted and pays the weights of all who took part. Over any stretch
 * in which all of them have messages waiting, server {@code i} gets {@code weight[i] / sum(weight)}
 * of the admissions, interleaved rather than in bursts; a server with nothing waiting takes no part
 * and holds no one back. Thread-safe.
 */
final class WeightedAdmission {
  private final ReentrantLock lock = new ReentrantLock();
  private final int[] weights;
  private final long[] credit;
  private final int[] waiting;
  private final int[] admitted;
  private final Condition[] turn;
  private int free;

  WeightedAdmission(int[] weights, int permits) {
    this.weights = weights.clone();
    this.credit = new long[weights.length];
    this.waiting = new int[weights.length];
    this.admitted = new int[weights.length];
    this.turn = new Condition[weights.length];
    for (int i = 0; i < turn.length; i++) turn[i] = lock.newCondition();
    this.free = permits;
  }

  /**
   * Waits until a message of server {@code server} is admitted; the caller must then {@link
   * #release()}.
   *
   * @throws InterruptedException if the thread is interrupted while waiting; nothing is taken then
   */
  void acquire(int server) throws InterruptedException {
    lock.lock();
    try {
      waiting[server]++;
      admit();
      try {
        while (admitted[server] == 0) turn[server].await();
      } catch (InterruptedException e) {
        if (admitted[server] > 0) {
          admitted[server]--;
          free++;
          admit();
        } else {
          waiting[server]--;
        }
        throw e;
      }
      admitted[server]--;
    } finally {
      lock.unlock();
    }
  }

  /** Gives back the permit of an admitted message whose receive ended. */
  void release() {
    lock.lock();
    try {
      free++;
      admit();
    } finally {
      lock.unlock();
    }
  }

  private void admit() {
    while (free > 0) {
      int chosen = -1;
      long total = 0;
      for (int i = 0; i < weights.length; i++) {
        if (waiting[i] == 0) continue;
        credit[i] += weights[i];
        total += weights[i];
        if (chosen < 0 || credit[i] > credit[chosen]) chosen = i;
      }
      if (chosen < 0) return;
      credit[chosen] -= total;
      waiting[chosen]--;
      admitted[chosen]++;
      free--;
      turn[chosen].signal();
    }
  }
}
