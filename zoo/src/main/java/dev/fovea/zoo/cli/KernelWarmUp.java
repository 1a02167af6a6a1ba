package dev.fovea.zoo.cli;

import dev.fovea.runtime.ModelInfo;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.optim.Sgd;
import dev.fovea.runtime.plan.TrainingPlanner;
import dev.fovea.runtime.train.TrainingSession;
import dev.fovea.runtime.weights.Parameters;
import java.util.SplittableRandom;

/**
 * Training steps of a throwaway copy of a small network, on random data, on a background thread while
 * {@code fovea train} reads its data set, so that the JIT has compiled the kernels by the time training
 * starts. Until then a Vector API operation runs as an object on the heap, and LeNet's first epoch took
 * 3 s longer than the others. The copy has parameters and a session of its own, so the run it precedes
 * computes exactly what it would without it. Only for networks whose step is small (below
 * {@link #MAX_STEP_MACS}): a large network's interpreted steps would take the cores long after its data
 * are read, and its epochs are long enough for the warm-up not to matter.
 */
final class KernelWarmUp implements AutoCloseable {
    /** Multiply-adds of a forward pass over a batch above which there is no warm-up. */
    static final long MAX_STEP_MACS = 1L << 30;

    private final Thread thread;
    private volatile boolean stop;

    private KernelWarmUp(NetworkGraph graph, Parameters parameters, int batch) {
        this.thread = Thread.ofPlatform().daemon().name("fovea-warm-up").unstarted(() -> run(graph, parameters, batch));
    }

    /** Starts warming up for {@code batch}-sample steps of {@code graph}, or returns null when the step is too large to gain. */
    static KernelWarmUp start(NetworkGraph graph, ModelInfo info, Parameters parameters, int batch) {
        if (info.macs() * batch > MAX_STEP_MACS) {
            return null;
        }
        KernelWarmUp w = new KernelWarmUp(graph, parameters, batch);
        w.thread.start();
        return w;
    }

    private void run(NetworkGraph graph, Parameters parameters, int batch) {
        // one thread: the other core reads the data meanwhile; the kernels are the same for any thread count
        try (TrainingSession session = TrainingPlanner.session(graph, parameters, batch, 1)) {
            SplittableRandom random = new SplittableRandom(1);
            float[] images = new float[session.input().length];
            for (int i = 0; i < images.length; i++) {
                images[i] = (float) random.nextDouble(-1, 1);
            }
            int classes = Math.toIntExact(session.logitsShape().elements());
            int[] labels = new int[batch];
            for (int i = 0; i < batch; i++) {
                labels[i] = random.nextInt(classes);
            }
            Sgd sgd = new Sgd(parameters, session.gradients(), 1e-4, 0.9, 0, true, false);
            while (!stop) {
                session.step(images, labels, sgd);
                session.evaluate(images);
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            // a warm-up that fails costs only time: the real session reports its own problems
        }
    }

    /** Ends the warm-up after its current step, without waiting for it: the training that follows needs the core. */
    @Override
    public void close() {
        stop = true;
    }
}
