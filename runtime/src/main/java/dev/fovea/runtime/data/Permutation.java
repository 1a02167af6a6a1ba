package dev.fovea.runtime.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/** 0 .. n-1 in an order drawn from a seed (Fisher-Yates), the same for the same seed on any machine. */
final class Permutation {
    private Permutation() {}

    static int[] shuffled(int n, long seed) {
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
