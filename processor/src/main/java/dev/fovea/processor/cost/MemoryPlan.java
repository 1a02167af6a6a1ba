package dev.fovea.processor.cost;

import dev.fovea.processor.graph.Op;
import dev.fovea.processor.infer.Inferred;
import dev.fovea.processor.infer.Resolved;
import java.util.ArrayList;
import java.util.List;

/**
 * A live-range plan of activation buffers for one sample in inference: each layer's output lives from
 * the layer that writes it to the last layer that reads it; element-wise layers (activations, batch norm,
 * dropout, layer scale, addition) and flatten write over their input when nothing else reads it. The network's input
 * belongs to the caller and is not counted.
 *
 * @param buffer        for each node, the buffer its output lives in (-1 for the input)
 * @param bufferBytes   the size of each buffer
 * @param peakBytes     the most bytes live at once
 * @param totalBytes    the bytes of every layer's output, each counted once (what training would keep)
 */
public record MemoryPlan(int[] buffer, long[] bufferBytes, long peakBytes, long totalBytes) {
    public static final int FLOAT_BYTES = Float.BYTES;

    public static MemoryPlan of(Inferred inferred) {
        List<Resolved> layers = inferred.layers();
        int n = layers.size();
        int[] lastUse = new int[n];
        int[] readers = new int[n];
        for (int i = 0; i < n; i++) {
            lastUse[i] = i;
            for (int in : layers.get(i).node().inputs()) {
                lastUse[in] = Math.max(lastUse[in], i);
                readers[in]++;
            }
        }
        lastUse[inferred.graph().output()] = n;

        int[] buffer = new int[n];
        List<Long> sizes = new ArrayList<>();
        List<Integer> bufferEnd = new ArrayList<>();
        buffer[0] = -1;
        long total = 0;
        for (int i = 1; i < n; i++) {
            Resolved r = layers.get(i);
            long bytes = r.output().elements() * FLOAT_BYTES;
            total += bytes;
            int in = r.node().inputs().getFirst();
            if (inPlace(r.op()) && in != 0 && readers[in] == 1 && sizes.get(buffer[in]) == bytes) {
                buffer[i] = buffer[in];
                bufferEnd.set(buffer[i], Math.max(bufferEnd.get(buffer[i]), lastUse[i]));
            } else {
                buffer[i] = sizes.size();
                sizes.add(bytes);
                bufferEnd.add(lastUse[i]);
            }
        }
        long peak = peak(buffer, sizes, bufferEnd, n);
        return new MemoryPlan(buffer, sizes.stream().mapToLong(Long::longValue).toArray(), peak, total);
    }

    /** Sweeps the steps; a buffer is live from the first node that writes it through its last reader. */
    private static long peak(int[] buffer, List<Long> sizes, List<Integer> bufferEnd, int n) {
        int[] start = new int[sizes.size()];
        java.util.Arrays.fill(start, Integer.MAX_VALUE);
        for (int i = 1; i < n; i++) {
            start[buffer[i]] = Math.min(start[buffer[i]], i);
        }
        long peak = 0;
        for (int step = 1; step < n; step++) {
            long live = 0;
            for (int b = 0; b < sizes.size(); b++) {
                if (start[b] <= step && step <= bufferEnd.get(b)) {
                    live += sizes.get(b);
                }
            }
            peak = Math.max(peak, live);
        }
        return peak;
    }

    private static boolean inPlace(Op op) {
        return switch (op) {
            case Op.Activation a -> true;
            case Op.BatchNorm b -> true;
            case Op.Dropout d -> true;
            case Op.LayerScale s -> true;
            case Op.Add a -> true;
            case Op.Flatten f -> true;
            default -> false;
        };
    }
}
