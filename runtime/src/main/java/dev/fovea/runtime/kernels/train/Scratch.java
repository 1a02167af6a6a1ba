package dev.fovea.runtime.kernels.train;

import java.util.EnumMap;
import java.util.Map;

/**
 * A training session's scratch, shared by its layers: each kernel uses it only within one call, and
 * layers run one after the other, so the session needs each buffer once, as large as its largest user
 * asks for (not once per layer). Kernels reserve what they need when they are built and fetch the
 * buffers when they run.
 */
public final class Scratch {
    /** What a buffer holds while a kernel runs. */
    public enum Use { COLUMNS, COLUMN_GRADIENT, OUTPUTS, OUTPUT_GRADIENT, TRANSPOSED_GRADIENT, PARTIAL_SUMS, PACKED, PADDED, FLIPPED, LANE_INPUT, LANE_OUTPUT, LANE_ROWS, LANE_GRADIENT, LANE_DATA, WINOGRAD, WINOGRAD_GRADIENT }

    private final Map<Use, float[][]> buffers = new EnumMap<>(Use.class);

    /** Makes sure buffer {@code use} exists for each of {@code tasks} tasks with at least {@code floats} floats. */
    public void reserve(Use use, int tasks, int floats) {
        float[][] current = buffers.get(use);
        int count = Math.max(tasks, current == null ? 0 : current.length);
        float[][] grown = new float[count][];
        for (int t = 0; t < count; t++) {
            float[] old = current != null && t < current.length ? current[t] : null;
            grown[t] = old != null && old.length >= floats ? old : new float[Math.max(floats, old == null ? 0 : old.length)];
        }
        buffers.put(use, grown);
    }

    /** What the buffers take on the heap, without the arrays' headers. */
    public long bytes() {
        long floats = 0;
        for (float[][] perTask : buffers.values()) {
            for (float[] b : perTask) {
                floats += b.length;
            }
        }
        return floats * Float.BYTES;
    }

    /** Task {@code task}'s buffer {@code use}, reserved before. */
    public float[] get(Use use, int task) {
        return buffers.get(use)[task];
    }
}
