package dev.amqpkit.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The order in which a fault test injects its faults: cuts, broker closes and stalls shuffled (the
 * same order every run), with two broker restarts, one in the middle and one near the end.
 */
public final class FaultSchedule {
  public static final String CUT = "cut";
  public static final String BROKER_CLOSE = "broker-close";
  public static final String STALL = "stall";
  public static final String RESTART = "restart";

  /** How many restarts a schedule holds. */
  public static final int RESTARTS = 2;

  private FaultSchedule() {}

  public static List<String> of(int cuts, int brokerCloses, int stalls) {
    List<String> faults = new ArrayList<>();
    for (int i = 0; i < cuts; i++) faults.add(CUT);
    for (int i = 0; i < brokerCloses; i++) faults.add(BROKER_CLOSE);
    for (int i = 0; i < stalls; i++) faults.add(STALL);
    Collections.shuffle(faults, new Random(42));
    faults.add(faults.size() / 2, RESTART);
    faults.add(faults.size() - 2, RESTART);
    return faults;
  }
}
