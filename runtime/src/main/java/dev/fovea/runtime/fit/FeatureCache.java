package dev.fovea.runtime.fit;

import dev.fovea.runtime.data.Augmentation;
import dev.fovea.runtime.data.Batch;
import dev.fovea.runtime.data.Dataset;
import dev.fovea.runtime.data.Loader;
import dev.fovea.runtime.exec.InferenceSession;
import dev.fovea.runtime.exec.PlanBuilder;
import dev.fovea.runtime.graph.GraphCut;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.plan.InferencePlanner;
import dev.fovea.runtime.weights.Parameters;
import java.util.Arrays;

/**
 * Feature extraction for fine-tuning: when everything up to a layer is frozen, what it computes for an
 * image never changes, so it is computed once per image (on the fast inference path, with the data's
 * deterministic transforms) and the rest of the network trains on those features, as a network of its
 * own ({@link GraphCut#after}) sharing the parameters. An epoch then costs the head's steps only.
 */
public final class FeatureCache {
    private FeatureCache() {}

    /**
     * The outputs of {@code graph} up to {@code boundary} for every sample of {@code data} after
     * {@code pipeline}'s deterministic transforms, as a data set with the same labels and classes.
     */
    public static Dataset features(NetworkGraph graph, String boundary, Parameters parameters, Dataset data, Augmentation pipeline,
            int batch, int threads) {
        NetworkGraph frozen = GraphCut.upTo(graph, boundary);
        int width = Math.toIntExact(frozen.output().elements());
        float[] values = new float[Math.multiplyExact(data.size(), width)];
        int[] labels = new int[data.size()];
        Loader loader = new Loader(data, pipeline.forEvaluation(), batch, false, false, 0);
        try (InferenceSession session = InferencePlanner.session(frozen, parameters, batch, threads, PlanBuilder.Mode.FAST);
                Loader.Epoch epoch = loader.epoch(0, 0)) {
            int at = 0;
            for (Batch b; (b = epoch.next()) != null; ) {
                float[] out = session.run(b.images());
                System.arraycopy(out, 0, values, at * width, b.count() * width);
                System.arraycopy(b.labels(), 0, labels, at, b.count());
                at += b.count();
            }
            if (at != data.size()) {
                throw new IllegalStateException("the loader gave " + at + " of " + data.size() + " samples");
            }
        }
        return Dataset.of(data.name() + " through " + boundary, values, labels, frozen.output(), data.classes());
    }

    /** Whether a pipeline's training transforms are all deterministic, so that features computed once stand for every epoch. */
    public static boolean deterministic(Augmentation pipeline) {
        return Arrays.equals(pipeline.transforms().toArray(), pipeline.forEvaluation().transforms().toArray());
    }
}
