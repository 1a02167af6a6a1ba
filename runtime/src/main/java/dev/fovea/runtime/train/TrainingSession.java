package dev.fovea.runtime.train;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.exec.Workers;
import dev.fovea.runtime.kernels.train.Scratch;
import dev.fovea.runtime.optim.Optimizer;
import dev.fovea.runtime.weights.Parameters;
import java.util.ArrayList;
import java.util.List;

/**
 * A model being trained on batches of a fixed size. It owns every activation and gradient buffer,
 * allocated once; the parameters are the caller's, updated in place by an {@link Optimizer}. One step:
 * <pre>
 *   double loss = session.forwardBackward(images, labels);  // training mode: batch statistics, dropout
 *   optimizer.step();                                        // or session.step(images, labels, optimizer)
 * </pre>
 * Between the two, {@link #gradients()} holds the gradient of every trainable tensor by its PyTorch
 * name; a data-parallel trainer averages them across workers there. {@link #evaluate} runs the same
 * parameters in eval mode (running statistics, no dropout), as inference does.
 *
 * <p>The loss is computed on the logits: the output of the network, or the input of its final softmax.
 * With the same parameters, seed, data and thread count, results repeat bit for bit.
 */
public final class TrainingSession implements AutoCloseable {
    /** Arrays, not lists: a step must not depend on the compiler removing an iterator to allocate nothing. */
    private final Node[] nodes;
    private final Node[] backward;
    private final Tensor input;
    private final Tensor logits;
    private final Tensor output;
    private final Parameters parameters;
    private final Gradients gradients;
    private final Workers workers;
    private final int batch;
    private final TrainingState state;
    /** The loss's gradient of the logits, written before the backward pass starts from it. */
    private final float[] lossGradient;
    private Loss loss = Loss.crossEntropy();
    /** For each node of {@link #backward}, its index in {@link #nodes}, where {@link #zeroing} finds what to zero before it. */
    private final int[] backwardStep;
    private final GradientZeroing zeroing;
    /** The kernels' working buffers, shared by the layers. */
    private final Scratch scratch;
    /** Set while {@link #profile} runs. */
    private TrainingProfile.Clock clock;
    /** For a small network's batch trained as parts on one thread each, the parts; null when the nodes above run the whole batch. */
    private final BatchParts parts;

    /**
     * {@code firstWrittenAt} gives for each node the activation gradients its backward pass adds to first,
     * which are zeroed right before it (gradients share arrays by their live ranges).
     */
    TrainingSession(List<Node> nodes, Tensor input, Tensor logits, Tensor output, List<List<Tensor>> firstWrittenAt, Scratch scratch,
            Parameters parameters, Gradients gradients, Workers workers, int batch, TrainingState state) {
        int[] steps = backwardSteps(nodes, logits, output);
        this(nodes.toArray(Node[]::new), java.util.Arrays.stream(steps).mapToObj(nodes::get).toArray(Node[]::new), steps,
                new GradientZeroing(firstWrittenAt), scratch, null, input, logits, output, parameters, gradients, workers, batch, state);
    }

    /** A session that trains its batch as {@code parts}; it keeps only the whole batch's input, logits and output. */
    TrainingSession(BatchParts parts, Tensor input, Tensor logits, Tensor output, Parameters parameters, Gradients gradients,
            Workers workers, int batch, TrainingState state) {
        this(new Node[0], new Node[0], new int[0], new GradientZeroing(List.of()), new Scratch(), parts, input, logits, output, parameters,
                gradients, workers, batch, state);
    }

    private TrainingSession(Node[] nodes, Node[] backward, int[] backwardStep, GradientZeroing zeroing, Scratch scratch, BatchParts parts,
            Tensor input, Tensor logits, Tensor output, Parameters parameters, Gradients gradients, Workers workers, int batch,
            TrainingState state) {
        this.nodes = nodes;
        this.backward = backward;
        this.backwardStep = backwardStep;
        this.zeroing = zeroing;
        this.scratch = scratch;
        this.parts = parts;
        this.input = input;
        this.logits = logits;
        this.output = output;
        this.parameters = parameters;
        this.gradients = gradients;
        this.workers = workers;
        this.batch = batch;
        this.state = state;
        this.lossGradient = new float[logits.size()];
    }

    /** The nodes the backward pass runs, as indices in forward order, last first: those with a gradient to give, but not a final softmax (the loss is fused with it). */
    private static int[] backwardSteps(List<Node> nodes, Tensor logits, Tensor output) {
        List<Integer> steps = new ArrayList<>();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            boolean finalSoftmax = n.out == output && output != logits;
            if (n.needsBackward() && !finalSoftmax) {
                steps.add(i);
            }
        }
        return steps.stream().mapToInt(Integer::intValue).toArray();
    }

    public int batch() {
        return batch;
    }

    public Shape inputShape() {
        return input.shape;
    }

    /** Shape of one sample's logits. */
    public Shape logitsShape() {
        return logits.shape;
    }

    public int threads() {
        return workers.threads();
    }

    /**
     * The bytes of the kernels' shared working buffers (im2col matrices, batches moved into vector lanes,
     * partial weight gradients): what the session holds beyond the compiler's training-memory figure, which
     * cannot know the vector width and thread count that size them.
     */
    public long scratchBytes() {
        return parts == null ? scratch.bytes() : parts.scratchBytes();
    }

    /** How many parts a batch is trained as, each on one thread (1: the whole batch, its layers shared by the threads). */
    public int batchParts() {
        return parts == null ? 1 : parts.count();
    }

    /** The parameters being trained (the caller's own object). */
    public Parameters parameters() {
        return parameters;
    }

    /** The gradients of the last backward pass, by tensor name. */
    public Gradients gradients() {
        return gradients;
    }

    /** The input buffer, batch x C x H x W. */
    public float[] input() {
        return input.value;
    }

    /** The gradient of the loss with respect to the input, when the session was planned with one; else null. */
    public float[] inputGradient() {
        return input.grad;
    }

    /** Steps taken so far; dropout masks depend on it. */
    public long steps() {
        return state.step();
    }

    /** Sets the step count, as when resuming from a checkpoint. */
    public void steps(long steps) {
        state.step(steps);
        if (parts != null) {
            parts.steps(steps);
        }
    }

    public void loss(Loss loss) {
        this.loss = loss;
    }

    public Loss loss() {
        return loss;
    }

    /** The logits of the last forward pass, batch x classes (the session's array, valid until the next pass). */
    public float[] logits() {
        return logits.value;
    }

    /** Turns dropout off (or on again) in training mode, for gradient checks. */
    public void dropout(boolean on) {
        state.dropout(on);
        if (parts != null) {
            parts.dropout(on);
        }
    }

    /** Forward in training mode on {@code images}, the loss against {@code labels}, backward; returns the mean loss. */
    public double forwardBackward(float[] images, int[] labels) {
        load(images);
        return forwardBackward(labels);
    }

    /** The same on the batch already in {@link #input()}. */
    public double forwardBackward(int[] labels) {
        if (labels.length != batch) {
            throw new IllegalArgumentException("a batch of " + batch + " needs " + batch + " labels, not " + labels.length);
        }
        forward(true);
        long t0 = clock == null ? 0 : System.nanoTime();
        double value = loss.compute(logits.value, labels, lossGradient, batch, Math.toIntExact(logits.shape.elements()));
        if (clock != null) {
            clock.loss += System.nanoTime() - t0;
        }
        backwardFrom(lossGradient);
        state.advance();
        return value;
    }

    /** One training step: {@link #forwardBackward}, then the optimiser's update. Returns the loss. */
    public double step(float[] images, int[] labels, Optimizer optimizer) {
        double value = forwardBackward(images, labels);
        long t0 = clock == null ? 0 : System.nanoTime();
        optimizer.step();
        if (clock != null) {
            clock.update += System.nanoTime() - t0;
        }
        return value;
    }

    /**
     * Runs {@code steps} training steps timing each part (after the caller's warm-up): milliseconds per step
     * by layer type and by layer, forward and backward, and for the loss and the update. The parameters are trained.
     */
    public TrainingProfile profile(float[] images, int[] labels, Optimizer optimizer, int steps) {
        clock = new TrainingProfile.Clock();
        int count = batchParts();
        TrainingProfile.Clock[] partClocks = new TrainingProfile.Clock[count];
        for (int k = 0; k < count && parts != null; k++) {
            partClocks[k] = new TrainingProfile.Clock();
            parts.part(k).clock = partClocks[k];
        }
        try {
            for (int i = 0; i < steps; i++) {
                step(images, labels, optimizer);
            }
            // the parts ran side by side: a layer type's share of the step is its time on all threads over the threads
            for (TrainingProfile.Clock c : partClocks) {
                if (c != null) {
                    clock.add(c, 1.0 / Math.min(count, workers.threads()));
                }
            }
            return clock.perStep(steps, count);
        } finally {
            clock = null;
            for (int k = 0; k < count && parts != null; k++) {
                parts.part(k).clock = null;
            }
        }
    }

    /**
     * Runs the batch in {@link #input()} forward; returns the logits in training mode, the network's output
     * in eval mode. The array is the session's, valid until the next call.
     */
    public float[] forward(boolean training) {
        if (parts != null) {
            float[] result = training ? logits.value : output.value;
            parts.forward(workers, input.value, training, result);
            return result;
        }
        for (Node n : nodes) {
            if (training && n.out == output && output != logits) {
                continue; // the final softmax: the loss is fused with it
            }
            long t0 = clock == null ? 0 : System.nanoTime();
            n.forward(workers, training);
            if (clock != null) {
                clock.forward(n.name, n.kind(), System.nanoTime() - t0);
            }
        }
        return training ? logits.value : output.value;
    }

    /** Backward from a given gradient of the logits, after {@code forward(true)}. */
    public void backward(float[] logitsGradient) {
        if (logitsGradient.length != logits.size()) {
            throw new IllegalArgumentException("the logits have " + logits.size() + " values, not " + logitsGradient.length);
        }
        backwardFrom(logitsGradient);
    }

    private void backwardFrom(float[] logitsGradient) {
        if (parts != null) {
            parts.backward(workers, logitsGradient);
            long t0 = clock == null ? 0 : System.nanoTime();
            parts.sum(workers, gradients);
            if (clock != null) {
                clock.partsSum += System.nanoTime() - t0;
            }
            return;
        }
        backwardFrom(logitsGradient, 0);
    }

    /** Backward from the logits' gradient at {@code offset} of {@code logitsGradient} (a part's rows of the whole batch's). */
    void backwardFrom(float[] logitsGradient, int offset) {
        if (logits.grad == null) {
            throw new IllegalStateException("nothing in this network is trainable");
        }
        long t0 = clock == null ? 0 : System.nanoTime();
        System.arraycopy(logitsGradient, offset, logits.grad, 0, logits.size());
        gradients.zero();
        if (clock != null) {
            clock.zeroing += System.nanoTime() - t0;
        }
        for (int i = 0; i < backward.length; i++) {
            Node n = backward[i];
            long t1 = clock == null ? 0 : System.nanoTime();
            zeroing.before(workers, backwardStep[i]);
            if (clock != null) {
                long t2 = System.nanoTime();
                clock.zeroing += t2 - t1;
                t1 = t2;
            }
            n.backward(workers);
            if (clock != null) {
                clock.backward(n.name, n.kind(), System.nanoTime() - t1);
            }
        }
    }

    /** Eval mode on {@code images}: running statistics, no dropout. Returns the network's output. */
    public float[] evaluate(float[] images) {
        load(images);
        return forward(false);
    }

    /** Eval mode on {@code images}; returns the logits (the input of a final softmax), for losses and rankings. */
    public float[] evaluateLogits(float[] images) {
        evaluate(images);
        return logits.value;
    }

    /**
     * Where a non-finite value first appears, for the message of a diverged run: a parameter, else the
     * output of the first layer in forward order, else a parameter's gradient; null when all are finite.
     * (The layers' output gradients share arrays, so after a pass only the parameters' gradients remain to check.)
     */
    public String firstNonFinite() {
        for (String name : parameters.names()) {
            if (!finite(parameters.get(name))) {
                return "parameter " + name;
            }
        }
        if (!finite(input.value)) {
            return "the input batch";
        }
        String output = parts != null ? parts.firstNonFiniteOutput() : firstNonFiniteOutput();
        if (output != null) {
            return output;
        }
        if (!finite(lossGradient)) {
            return "the loss's gradient";
        }
        for (String name : gradients.names()) {
            if (!finite(gradients.get(name))) {
                return "the gradient of " + name;
            }
        }
        return null;
    }

    /** The output of the first layer, in forward order, that holds a non-finite value; null when none does. */
    String firstNonFiniteOutput() {
        for (Node n : nodes) {
            if (!finite(n.out.value)) {
                return "the output of layer " + n.name + " (" + n.kind() + ")";
            }
        }
        return null;
    }

    private static boolean finite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private void load(float[] images) {
        if (images.length != input.size()) {
            throw new IllegalArgumentException("a batch of " + batch + " inputs of " + input.shape + " has " + input.size()
                    + " values, not " + images.length);
        }
        System.arraycopy(images, 0, input.value, 0, images.length);
    }

    @Override
    public void close() {
        workers.close();
        if (parts != null) {
            parts.close();
        }
    }
}
