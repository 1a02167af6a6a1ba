package dev.fovea.runtime.train;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.graph.Layer;
import dev.fovea.runtime.graph.NetworkGraph;
import dev.fovea.runtime.plan.TrainingPlanner;
import dev.fovea.runtime.weights.Parameters;
import dev.fovea.runtime.weights.TensorSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Checks a training session's gradients (of the input and of every trainable tensor) against central
 * differences of {@link Float64Network}, for the loss sum(r * logits) with random r: per tensor, the
 * norm of the difference over the checked entries is at most {@link #TOLERANCE} of the norm of the
 * finite differences.
 */
final class GradientCheck {
    static final double TOLERANCE = 2e-3;
    private static final double EPS = 1e-6;
    /** Entries checked per tensor, at random, when it has more. */
    private static final int SAMPLES = 40;

    private GradientCheck() {}

    static void check(NetworkGraph graph, int batch, long seed) {
        check(graph, batch, seed, true);
    }

    /** The same, without the input's gradient when {@code inputGradient} is false (as a session planned for training has none). */
    static void check(NetworkGraph graph, int batch, long seed, boolean inputGradient) {
        SplittableRandom random = new SplittableRandom(seed);
        List<TensorSpec> specs = specs(graph);
        Parameters parameters = randomParameters(specs, random);
        float[] input = new float[batch * (int) graph.input().elements()];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextDouble(-1, 1);
        }
        try (TrainingSession session = TrainingPlanner.session(graph, parameters, batch, 2, new TrainingPlanner.Options(seed, inputGradient))) {
            session.dropout(false);
            System.arraycopy(input, 0, session.input(), 0, input.length);
            float[] logits = session.forward(true).clone();
            double[] r = new double[logits.length];
            float[] rf = new float[logits.length];
            for (int i = 0; i < r.length; i++) {
                rf[i] = (float) random.nextDouble(-1, 1);
                r[i] = rf[i];
            }
            session.backward(rf);

            Float64Network oracle = new Float64Network(graph, batch);
            Map<String, double[]> p = new HashMap<>();
            for (TensorSpec s : specs) {
                p.put(s.name(), toDouble(parameters.get(s.name())));
            }
            double[] x = toDouble(input);
            double[] exact = oracle.logits(x, p);
            compare("forward " + graph.outputLayer().name(), toDouble(logits), exact, 1e-4);
            if (inputGradient) {
                compareGradient("input", session.inputGradient(), x, () -> dot(r, oracle.logits(x, p)), random);
            }
            for (String name : session.gradients().names()) {
                double[] values = p.get(name);
                compareGradient(name, session.gradients().get(name), values, () -> dot(r, oracle.logits(x, p)), random);
            }
        }
    }

    /** Values in [-1, 1], norms' weights and running variances in [0.5, 1.5]. */
    static Parameters randomParameters(List<TensorSpec> specs, SplittableRandom random) {
        Parameters parameters = new Parameters(specs);
        for (TensorSpec s : specs) {
            float[] values = parameters.get(s.name());
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (s.name().endsWith("running_var") ? random.nextDouble(0.5, 1.5)
                        : s.name().endsWith(".weight") && s.rank() == 1 ? random.nextDouble(0.5, 1.5) : random.nextDouble(-1, 1));
            }
        }
        return parameters;
    }

    private static void compareGradient(String name, float[] analytic, double[] values, java.util.function.DoubleSupplier loss,
            SplittableRandom random) {
        int count = Math.min(values.length, SAMPLES);
        double diff = 0;
        double norm = 0;
        StringBuilder worst = new StringBuilder();
        for (int j = 0; j < count; j++) {
            int i = values.length <= SAMPLES ? j : random.nextInt(values.length);
            double saved = values[i];
            values[i] = saved + EPS;
            double plus = loss.getAsDouble();
            values[i] = saved - EPS;
            double minus = loss.getAsDouble();
            values[i] = saved;
            double fd = (plus - minus) / (2 * EPS);
            diff += (analytic[i] - fd) * (analytic[i] - fd);
            norm += fd * fd;
            if (Math.abs(analytic[i] - fd) > 1e-3 * Math.max(1, Math.abs(fd)) && worst.length() < 300) {
                worst.append(" [").append(i).append("] ").append(analytic[i]).append(" vs ").append(fd);
            }
        }
        double relative = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-3);
        if (relative > TOLERANCE) {
            fail("gradient of " + name + " off by " + relative + " of its norm:" + worst);
        }
    }

    static void compare(String what, double[] actual, double[] expected, double tolerance) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < actual.length; i++) {
            diff += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            norm += expected[i] * expected[i];
        }
        double relative = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-6);
        assertTrue(relative <= tolerance, what + " off by " + relative);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double[] toDouble(float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        return d;
    }

    /** The tensors of a hand-built graph, with PyTorch's shapes. */
    static List<TensorSpec> specs(NetworkGraph graph) {
        List<TensorSpec> specs = new ArrayList<>();
        for (Layer layer : graph.layers()) {
            switch (layer) {
                case Layer.Conv2d c -> {
                    int linked = c.isPartial() ? (int) c.connections().stream().mapToLong(t -> t.chars().filter(ch -> ch == 'X').count()).sum() : 0;
                    int[] shape = c.isPartial() ? new int[] {linked, c.window().kh(), c.window().kw()}
                            : new int[] {c.out().channels(), c.in().channels() / c.groups(), c.window().kh(), c.window().kw()};
                    specs.add(new TensorSpec(c.weight(), shape, false));
                    bias(specs, c.bias(), c.out().channels());
                }
                case Layer.ConvTranspose2d t -> {
                    specs.add(new TensorSpec(t.weight(), new int[] {t.in().channels(), t.out().channels() / t.groups(), t.window().kh(),
                            t.window().kw()}, false));
                    bias(specs, t.bias(), t.out().channels());
                }
                case Layer.Dense d -> {
                    int units = d.out().dim(0);
                    specs.add(new TensorSpec(d.weight(), new int[] {units, d.pointwise() ? d.in().channels() : (int) d.in().elements()}, false));
                    bias(specs, d.bias(), units);
                }
                case Layer.BatchNorm b -> {
                    norm(specs, b.prefix(), b.shape().dim(0), true);
                    if (!b.scale()) {
                        specs.removeIf(s -> s.name().equals(b.prefix() + ".weight"));
                    }
                }
                case Layer.LayerNorm l -> norm(specs, l.prefix(), l.shape().dim(0), false);
                case Layer.Subsample s -> norm(specs, s.prefix(), s.in().channels(), false);
                case Layer.LayerScale s -> specs.add(new TensorSpec(s.tensor(), new int[] {s.shape().dim(0)}, false));
                case Layer.EuclideanRbf r -> specs.add(new TensorSpec(r.weight(), new int[] {r.out().dim(0), (int) r.in().elements()}, false));
                case Layer.ProjectedAdd p -> {
                    Shape s = p.shortcutShape();
                    specs.add(new TensorSpec(p.prefix() + ".0.weight", new int[] {p.out().channels(), s.channels(), 1, 1}, false));
                    norm(specs, p.norm(), p.out().channels(), true);
                }
                default -> { }
            }
        }
        return specs;
    }

    private static void bias(List<TensorSpec> specs, String bias, int units) {
        if (bias != null) {
            specs.add(new TensorSpec(bias, new int[] {units}, false));
        }
    }

    private static void norm(List<TensorSpec> specs, String prefix, int channels, boolean running) {
        specs.add(new TensorSpec(prefix + ".weight", new int[] {channels}, false));
        specs.add(new TensorSpec(prefix + ".bias", new int[] {channels}, false));
        if (running) {
            specs.add(new TensorSpec(prefix + ".running_mean", new int[] {channels}, true));
            specs.add(new TensorSpec(prefix + ".running_var", new int[] {channels}, true));
        }
    }
}
