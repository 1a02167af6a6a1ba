package dev.fovea.runtime.train;

import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * A batch of a small network trained as parts of at most {@link #SIZE} samples: each part is a session of its
 * own that runs on one thread, reads the shared parameters and writes gradients of its own, which are then
 * summed in part order. A small network's layers are too short to be shared between threads without the
 * threads waiting for each other at every layer (LeNet at batch 64 ran 1.17 times as fast on 2 threads as on
 * 1); a whole pass over its own samples keeps each thread busy, with its activations in its own cache.
 *
 * <p>The parts follow from the batch size alone, not from the thread count, so a step's results repeat bit
 * for bit whatever the number of threads. The loss is computed on the whole batch's logits, so each part
 * starts its backward pass from exactly the gradient the whole batch would. Only for networks whose samples
 * do not meet in training mode (no batch norm, no dropout), and whose gradients are small enough to keep one
 * copy per part. Nothing is allocated per step.
 */
final class BatchParts implements AutoCloseable {
    /** Samples per part: one group of vector lanes for the convolutions that run in lanes. */
    static final int SIZE = 16;
    /** The largest count of gradient values over all parts: beyond it the copies cost more memory and summing time than the parts save. */
    private static final long MAX_PART_GRADIENT_FLOATS = 1L << 24;
    /** Values of a gradient one task sums. */
    private static final int PIECE = 1 << 14;

    private final TrainingSession[] parts;
    /** Each part's first sample. */
    private final int[] first;
    private final int inputFloats;
    private final int logitsFloats;
    private final int outputFloats;
    /** Per part, its gradient arrays in the model's order (the same order as the sum's). */
    private final float[][][] partGradients;
    /** The sum's pieces: which tensor, and the range [from, to) of it. */
    private final int[] pieceTensor;
    private final int[] pieceFrom;
    private final int[] pieceTo;

    // The pass's arguments, set before its tasks run: the task bodies below read them.
    private float[] input;
    private float[] result;
    private boolean training;
    private float[] logitsGradient;
    private float[][] sum;
    private final IntConsumer forwardPart = this::forwardPart;
    private final IntConsumer backwardPart = this::backwardPart;
    private final IntConsumer sumPiece = this::sumPiece;

    /**
     * Whether a batch of {@code batch} samples of {@code graph} trains as parts: at least two full ones, no
     * layer that mixes samples, no gradient of the input asked for, and {@code gradientFloats} trainable
     * values few enough to keep a copy per part.
     */
    static boolean suits(NetworkGraph graph, int batch, long gradientFloats, boolean inputGradient) {
        if (batch < 2 * SIZE || inputGradient || gradientFloats * count(batch) > MAX_PART_GRADIENT_FLOATS) {
            return false;
        }
        return graph.layers().stream().noneMatch(l -> l instanceof Layer.BatchNorm || l instanceof Layer.ProjectedAdd
                || l instanceof Layer.Dropout);
    }

    /** How many parts a batch is cut into. */
    static int count(int batch) {
        return (batch + SIZE - 1) / SIZE;
    }

    /** The samples of part {@code part}: the batch cut as evenly as it goes, the larger parts first. */
    static int size(int batch, int part) {
        int parts = count(batch);
        return batch / parts + (part < batch % parts ? 1 : 0);
    }

    /** {@code parts} as {@link #size} cuts the batch, each planned for one thread; per sample, the floats of the input, logits and output. */
    BatchParts(TrainingSession[] parts, int inputFloats, int logitsFloats, int outputFloats) {
        this.parts = parts;
        this.first = new int[parts.length];
        for (int k = 1; k < parts.length; k++) {
            first[k] = first[k - 1] + parts[k - 1].batch();
        }
        this.inputFloats = inputFloats;
        this.logitsFloats = logitsFloats;
        this.outputFloats = outputFloats;
        this.partGradients = new float[parts.length][][];
        for (int k = 0; k < parts.length; k++) {
            partGradients[k] = parts[k].gradients().arrays();
        }
        List<int[]> pieces = new ArrayList<>();
        float[][] tensors = partGradients[0];
        for (int t = 0; t < tensors.length; t++) {
            for (int from = 0; from < tensors[t].length; from += PIECE) {
                pieces.add(new int[] {t, from, Math.min(tensors[t].length, from + PIECE)});
            }
        }
        this.pieceTensor = pieces.stream().mapToInt(p -> p[0]).toArray();
        this.pieceFrom = pieces.stream().mapToInt(p -> p[1]).toArray();
        this.pieceTo = pieces.stream().mapToInt(p -> p[2]).toArray();
    }

    int count() {
        return parts.length;
    }

    TrainingSession part(int k) {
        return parts[k];
    }

    void steps(long steps) {
        for (TrainingSession part : parts) {
            part.steps(steps);
        }
    }

    void dropout(boolean on) {
        for (TrainingSession part : parts) {
            part.dropout(on);
        }
    }

    /** Runs every part forward on its samples of {@code input}; writes the logits (training) or the outputs (eval) into {@code result}. */
    void forward(Workers workers, float[] input, boolean training, float[] result) {
        this.input = input;
        this.training = training;
        this.result = result;
        workers.parallelFor(parts.length, forwardPart);
        this.input = this.result = null;
    }

    private void forwardPart(int k) {
        TrainingSession part = parts[k];
        System.arraycopy(input, first[k] * inputFloats, part.input(), 0, part.batch() * inputFloats);
        float[] out = part.forward(training);
        int floats = training ? logitsFloats : outputFloats;
        System.arraycopy(out, 0, result, first[k] * floats, part.batch() * floats);
    }

    /** Runs every part backward from its rows of {@code logitsGradient}. */
    void backward(Workers workers, float[] logitsGradient) {
        this.logitsGradient = logitsGradient;
        workers.parallelFor(parts.length, backwardPart);
        this.logitsGradient = null;
    }

    /** Writes into {@code sum} the sum of the parts' gradients, added in part order. */
    void sum(Workers workers, Gradients sum) {
        this.sum = sum.arrays();
        workers.parallelFor(pieceTensor.length, sumPiece);
        this.sum = null;
    }

    private void backwardPart(int k) {
        parts[k].backwardFrom(logitsGradient, first[k] * logitsFloats);
    }

    private void sumPiece(int piece) {
        int t = pieceTensor[piece];
        int from = pieceFrom[piece];
        int to = pieceTo[piece];
        float[] out = sum[t];
        System.arraycopy(partGradients[0][t], from, out, from, to - from);
        for (int k = 1; k < parts.length; k++) {
            float[] g = partGradients[k][t];
            for (int i = from; i < to; i++) {
                out[i] += g[i];
            }
        }
    }

    /** The first part's layer output that is not finite, for a diverged run's message; null when all are finite. */
    String firstNonFiniteOutput() {
        for (TrainingSession part : parts) {
            String where = part.firstNonFiniteOutput();
            if (where != null) {
                return where;
            }
        }
        return null;
    }

    /** The parts' working buffers and their own gradient arrays: what the session holds beyond the compiler's figure. */
    long scratchBytes() {
        long bytes = 0;
        for (int k = 0; k < parts.length; k++) {
            bytes += parts[k].scratchBytes();
            for (float[] g : partGradients[k]) {
                bytes += 4L * g.length;
            }
        }
        return bytes;
    }

    @Override
    public void close() {
        for (TrainingSession part : parts) {
            part.close();
        }
    }
}
