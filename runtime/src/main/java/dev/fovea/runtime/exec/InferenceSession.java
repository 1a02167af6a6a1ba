package dev.fovea.runtime.exec;

import dev.fovea.runtime.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A model ready to run on batches of a fixed size: its buffers allocated once, its weights packed, its
 * worker threads started. {@link #run} allocates nothing. A session is not thread-safe: give each
 * thread its own (they may share one {@code Parameters}), and close it to stop its threads.
 * The weights are copied in when the session is built; later changes to the parameters need a new session.
 */
public final class InferenceSession implements AutoCloseable {
    private final Step[] steps;
    private final float[] input;
    private final float[] output;
    private final int batch;
    private final Shape inputShape;
    private final Shape outputShape;
    private final Workers workers;

    InferenceSession(List<Step> steps, float[] input, float[] output, int batch, Shape inputShape, Shape outputShape, Workers workers) {
        this.steps = steps.toArray(Step[]::new);
        this.input = input;
        this.output = output;
        this.batch = batch;
        this.inputShape = inputShape;
        this.outputShape = outputShape;
        this.workers = workers;
    }

    public int batch() {
        return batch;
    }

    public Shape inputShape() {
        return inputShape;
    }

    public Shape outputShape() {
        return outputShape;
    }

    public int threads() {
        return workers.threads();
    }

    /** The session's input buffer, batch x C x H x W: fill it and call {@link #run()}. */
    public float[] input() {
        return input;
    }

    /** Runs the batch in {@link #input()}; returns the session's output buffer, valid until the next run. */
    public float[] run() {
        for (Step s : steps) {
            s.run(workers);
        }
        return output;
    }

    /** Copies {@code batchInput} (batch x C x H x W) in and runs it. */
    public float[] run(float[] batchInput) {
        if (batchInput.length != input.length) {
            throw new IllegalArgumentException("input has " + batchInput.length + " values but a batch of " + batch + " x "
                    + inputShape + " has " + input.length);
        }
        System.arraycopy(batchInput, 0, input, 0, input.length);
        return run();
    }

    /** One sample's outputs, copied. */
    public float[] output(int sample) {
        int size = (int) outputShape.elements();
        return Arrays.copyOfRange(output, sample * size, (sample + 1) * size);
    }

    /** A class index and its score. */
    public record Prediction(int index, String label, float score) {}

    /** The {@code k} highest outputs of one sample, best first; {@code labels} may be empty. */
    public List<Prediction> topK(int sample, int k, List<String> labels) {
        int size = (int) outputShape.elements();
        int base = sample * size;
        List<Prediction> best = new ArrayList<>();
        boolean[] taken = new boolean[size];
        for (int i = 0; i < Math.min(k, size); i++) {
            int arg = -1;
            for (int j = 0; j < size; j++) {
                if (!taken[j] && (arg < 0 || output[base + j] > output[base + arg])) {
                    arg = j;
                }
            }
            taken[arg] = true;
            best.add(new Prediction(arg, arg < labels.size() ? labels.get(arg) : Integer.toString(arg), output[base + arg]));
        }
        return best;
    }

    /**
     * Milliseconds per run spent in each kind of step and kernel ("Conv2d kxk / winograd"), averaged over
     * {@code runs} timed runs (after the caller's warm-up), largest first: where the time goes, layer type by
     * layer type.
     */
    public java.util.Map<String, Double> profile(int runs) {
        java.util.Map<String, Long> nanos = new java.util.HashMap<>();
        for (int r = 0; r < runs; r++) {
            for (Step s : steps) {
                long t0 = System.nanoTime();
                s.run(workers);
                nanos.merge(s.kernel().isEmpty() ? s.kind() : s.kind() + " / " + s.kernel(), System.nanoTime() - t0, Long::sum);
            }
        }
        java.util.Map<String, Double> ms = new java.util.LinkedHashMap<>();
        nanos.entrySet().stream().sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> ms.put(e.getKey(), e.getValue() / 1e6 / runs));
        return ms;
    }

    /** Milliseconds per run of each step, by its layer's name, in execution order (as {@link #profile}). */
    public java.util.Map<String, Double> profileSteps(int runs) {
        long[] nanos = new long[steps.length];
        for (int r = 0; r < runs; r++) {
            for (int i = 0; i < steps.length; i++) {
                long t0 = System.nanoTime();
                steps[i].run(workers);
                nanos[i] += System.nanoTime() - t0;
            }
        }
        java.util.Map<String, Double> ms = new java.util.LinkedHashMap<>();
        for (int i = 0; i < steps.length; i++) {
            ms.merge(steps[i].name(), nanos[i] / 1e6 / runs, Double::sum);
        }
        return ms;
    }

    /** The kernel each step runs on, by its layer's name, where the session chose one (see {@code LinearKernel}). */
    public java.util.Map<String, String> kernels() {
        java.util.Map<String, String> kernels = new java.util.LinkedHashMap<>();
        for (Step s : steps) {
            if (!s.kernel().isEmpty()) {
                kernels.put(s.name(), s.kernel());
            }
        }
        return kernels;
    }

    /** Its steps by name, for the plan's tests. */
    java.util.Map<String, Step> steps() {
        java.util.Map<String, Step> byName = new java.util.LinkedHashMap<>();
        for (Step s : steps) {
            byName.put(s.name(), s);
        }
        return byName;
    }

    /** The network's layers each step runs, by the step's name: one, or those fused into it. */
    public java.util.Map<String, List<String>> stepLayers() {
        java.util.Map<String, List<String>> layers = new java.util.LinkedHashMap<>();
        for (Step s : steps) {
            layers.put(s.name(), s.layers());
        }
        return layers;
    }

    /** The layers the session runs, after fusion. */
    public List<String> stepNames() {
        return Arrays.stream(steps).map(Step::name).toList();
    }

    @Override
    public void close() {
        workers.close();
    }
}
