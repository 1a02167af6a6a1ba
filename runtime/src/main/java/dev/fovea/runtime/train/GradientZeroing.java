package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Zeroes each activation gradient just before the backward step that adds to it first: gradients share
 * arrays by their live ranges, so one cannot be zeroed at the start of the pass, and zeroing it right
 * before it is written leaves it in cache for the writer. Large gradients are zeroed in pieces by all
 * workers; nothing is allocated per step.
 */
final class GradientZeroing {
    private static final int PIECE = 1 << 16;
    /** Per step, its pieces: the array and the range [from, to) of each. */
    private final float[][][] arrays;
    private final int[][] from;
    private final int[][] to;
    private final IntConsumer piece = this::piece;
    /** The step whose pieces the workers are zeroing. */
    private int step;

    GradientZeroing(List<List<Tensor>> firstWrittenAt) {
        int steps = firstWrittenAt.size();
        arrays = new float[steps][][];
        from = new int[steps][];
        to = new int[steps][];
        for (int s = 0; s < steps; s++) {
            List<float[]> a = new ArrayList<>();
            List<int[]> ranges = new ArrayList<>();
            for (Tensor t : firstWrittenAt.get(s)) {
                for (int f = 0; f < t.size(); f += PIECE) {
                    a.add(t.grad);
                    ranges.add(new int[] {f, Math.min(t.size(), f + PIECE)});
                }
            }
            arrays[s] = a.toArray(float[][]::new);
            from[s] = ranges.stream().mapToInt(r -> r[0]).toArray();
            to[s] = ranges.stream().mapToInt(r -> r[1]).toArray();
        }
    }

    /** Zeroes the gradients step {@code s} (in forward order) writes first. */
    void before(Workers workers, int s) {
        int pieces = from[s].length;
        if (pieces == 1) {
            Arrays.fill(arrays[s][0], from[s][0], to[s][0], 0);
        } else if (pieces > 1) {
            step = s;
            workers.parallelFor(pieces, piece);
        }
    }

    private void piece(int i) {
        Arrays.fill(arrays[step][i], from[step][i], to[step][i], 0);
    }
}
