package dev.fovea.runtime.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Which activation gradients of a training session share an array. The backward pass runs the steps
 * (the session's nodes) in reverse order: a value's gradient is first added to by the last step that
 * reads the value and last read by the step that produced it, so it lives over [producer, lastReader]
 * in forward order. Values whose ranges do not meet share a buffer, which grows to the largest of them;
 * in a chain only the gradients on both sides of the current step are live, in a residual block the
 * shortcut's too. The compiler's training-memory report and the runtime's session both use this plan,
 * so the figure the report gives is the one the session allocates.
 *
 * <p>Values are taken in the order the backward pass first writes them; each takes, of the buffers
 * whose values have all died by then, the smallest that holds it, else the largest (grown), else a new one.
 * Sizes are per sample: a batch multiplies every buffer alike, so the plan does not depend on it.
 */
public final class GradientBufferPlan {
    /** The last reader of a gradient that is written before the backward pass starts: the logits'. */
    public static final int END = Integer.MAX_VALUE;

    /**
     * A value whose gradient the backward pass needs.
     *
     * @param elements   its size per sample
     * @param producer   the step that writes the value in the forward pass
     * @param lastReader the last step that reads it ({@code producer} when none does; {@link #END} for the logits)
     */
    public record Value(long elements, int producer, int lastReader) {
        public Value {
            if (elements < 0 || producer < 0 || lastReader < producer) {
                throw new IllegalArgumentException("a value of " + elements + " elements produced at step " + producer
                        + " and last read at step " + lastReader);
            }
        }
    }

    private final int[] buffer;
    private final long[] bufferElements;

    private GradientBufferPlan(int[] buffer, long[] bufferElements) {
        this.buffer = buffer;
        this.bufferElements = bufferElements;
    }

    public static GradientBufferPlan of(List<Value> values) {
        int n = values.size();
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> values.get(i).lastReader()).reversed()
                .thenComparing(Comparator.<Integer>comparingInt(i -> values.get(i).producer()).reversed())
                .thenComparingInt(i -> i));
        int[] buffer = new int[n];
        List<long[]> buffers = new ArrayList<>(); // {elements, the earliest producer of its values so far}
        for (int v : order) {
            Value value = values.get(v);
            int best = -1;
            for (int b = 0; b < buffers.size(); b++) {
                long[] candidate = buffers.get(b);
                if (candidate[1] <= value.lastReader()) {
                    continue; // a value in it is still live
                }
                if (best < 0 || better(candidate[0], buffers.get(best)[0], value.elements())) {
                    best = b;
                }
            }
            if (best < 0) {
                best = buffers.size();
                buffers.add(new long[] {0, 0});
            }
            long[] chosen = buffers.get(best);
            chosen[0] = Math.max(chosen[0], value.elements());
            chosen[1] = value.producer();
            buffer[v] = best;
        }
        return new GradientBufferPlan(buffer, buffers.stream().mapToLong(b -> b[0]).toArray());
    }

    /** Whether a free buffer of {@code size} suits a value of {@code need} better than one of {@code current}. */
    private static boolean better(long size, long current, long need) {
        boolean fits = size >= need;
        boolean currentFits = current >= need;
        if (fits != currentFits) {
            return fits;
        }
        return fits ? size < current : size > current;
    }

    /** The buffer value {@code value} (an index into the plan's input) lives in. */
    public int buffer(int value) {
        return buffer[value];
    }

    public int buffers() {
        return bufferElements.length;
    }

    /** The size of buffer {@code b} per sample. */
    public long bufferElements(int b) {
        return bufferElements[b];
    }

    /** All buffers' elements per sample. */
    public long elementsPerSample() {
        return Arrays.stream(bufferElements).sum();
    }
}
