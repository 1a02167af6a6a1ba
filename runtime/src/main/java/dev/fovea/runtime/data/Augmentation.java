package dev.fovea.runtime.data;

import dev.fovea.runtime.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The transforms from a data set's samples to a model's input, in order. Random ones (crops, flips)
 * draw from a stream seeded by the seed, the epoch and the sample's index, so that a sample gets the
 * same augmentation whatever thread prepares it, and a resumed run repeats the original exactly.
 */
public final class Augmentation {
    private final List<Transform> transforms;
    private final Shape input;
    private final Shape[] shapes;

    public Augmentation(Shape input, List<Transform> transforms) {
        this.transforms = List.copyOf(transforms);
        this.input = input;
        this.shapes = new Shape[transforms.size() + 1];
        shapes[0] = input;
        for (int i = 0; i < transforms.size(); i++) {
            shapes[i + 1] = transforms.get(i).output(shapes[i]);
        }
    }

    public static Augmentation none(Shape input) {
        return new Augmentation(input, List.of());
    }

    /**
     * The deterministic transforms that bring samples of {@code data} shape to a model's {@code model} shape:
     * the channels converted, a slightly smaller image padded when the margins are even and at most an eighth
     * of the size (LeNet's 28 to 32), else resized.
     */
    public static List<Transform> fit(Shape data, Shape model) {
        List<Transform> fit = new ArrayList<>();
        if (data.equals(model)) {
            return fit;
        }
        if (!data.isSpatial() || !model.isSpatial()) {
            throw new IllegalArgumentException("samples of " + data + " cannot become inputs of " + model);
        }
        if (data.channels() != model.channels()) {
            fit.add(new Transform.Channels(model.channels()));
        }
        int dh = model.height() - data.height();
        int dw = model.width() - data.width();
        if (dh == dw && dh > 0 && dh % 2 == 0 && dh * 8 <= model.height()) {
            fit.add(new Transform.Pad(dh / 2));
        } else if (dh != 0 || dw != 0) {
            fit.add(new Transform.Resize(model.height(), model.width()));
        }
        return fit;
    }

    /** The same without its random transforms, for evaluation: a random crop becomes a centre crop of its size. */
    public Augmentation forEvaluation() {
        List<Transform> kept = new ArrayList<>();
        for (int i = 0; i < transforms.size(); i++) {
            Transform t = transforms.get(i);
            if (t instanceof Transform.RandomCrop crop) {
                Shape before = shapes[i];
                if (before.height() != crop.height() || before.width() != crop.width()) {
                    kept.add(new Transform.CenterCrop(crop.height(), crop.width()));
                }
            } else if (!t.random()) {
                kept.add(t);
            }
        }
        return new Augmentation(input, kept);
    }

    public Shape input() {
        return input;
    }

    public Shape output() {
        return shapes[shapes.length - 1];
    }

    public List<Transform> transforms() {
        return transforms;
    }

    /** The largest intermediate sample, for scratch buffers. */
    int largestSample() {
        long max = 0;
        for (Shape s : shapes) {
            max = Math.max(max, s.elements());
        }
        return Math.toIntExact(max);
    }

    /** Applies every transform to {@code sample} (in {@code a}); returns the buffer, {@code a} or {@code b}, holding the result. */
    float[] apply(float[] a, float[] b, long seed, int epoch, int index) {
        SplittableRandom random = new SplittableRandom(mix(seed, epoch, index));
        float[] in = a;
        float[] out = b;
        for (int i = 0; i < transforms.size(); i++) {
            transforms.get(i).apply(in, shapes[i], out, random);
            float[] t = in;
            in = out;
            out = t;
        }
        return in;
    }

    static long mix(long seed, long epoch, long index) {
        long h = seed * 0x9E3779B97F4A7C15L + epoch;
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + index;
        return h ^ (h >>> 29);
    }

    /** Per-channel mean and standard deviation of a data set's samples after {@code before}, in float64. */
    public static Transform.Normalize statistics(Dataset data, Augmentation before) {
        Shape s = before.output();
        int channels = s.channels();
        int plane = Math.toIntExact(s.elements() / channels);
        double[] sum = new double[channels];
        double[] squares = new double[channels];
        float[] a = new float[before.largestSample()];
        float[] b = new float[a.length];
        Augmentation fixed = before.forEvaluation();
        for (int i = 0; i < data.size(); i++) {
            data.read(i, a, 0);
            float[] x = fixed.apply(a, b, 0, 0, i);
            for (int c = 0; c < channels; c++) {
                addPlane(x, c * plane, plane, sum, squares, c);
            }
        }
        float[] mean = new float[channels];
        float[] std = new float[channels];
        double n = (double) data.size() * plane;
        for (int c = 0; c < channels; c++) {
            double m = sum[c] / n;
            mean[c] = (float) m;
            std[c] = (float) Math.sqrt(Math.max(squares[c] / n - m * m, 1e-12));
        }
        return new Transform.Normalize(mean, std);
    }

    /**
     * Adds the values x[from .. from + n) and their squares to sum[c] and squares[c], in four sums of every
     * fourth value, added together in a fixed order: one chain of float64 additions would wait on each
     * addition (a data set of 60,000 images took a third of a second).
     */
    private static void addPlane(float[] x, int from, int n, double[] sum, double[] squares, int c) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        double q0 = 0, q1 = 0, q2 = 0, q3 = 0;
        int j = from;
        for (; j + 3 < from + n; j += 4) {
            double a = x[j], b = x[j + 1], d = x[j + 2], e = x[j + 3];
            s0 += a;
            s1 += b;
            s2 += d;
            s3 += e;
            q0 += a * a;
            q1 += b * b;
            q2 += d * d;
            q3 += e * e;
        }
        for (; j < from + n; j++) {
            s0 += x[j];
            q0 += (double) x[j] * x[j];
        }
        sum[c] += (s0 + s1) + (s2 + s3);
        squares[c] += (q0 + q1) + (q2 + q3);
    }

    /** "pad 2, random crop 32x32 padding 4, flip 0.5, normalise mean 0.286 std 0.353": for logs. */
    @Override
    public String toString() {
        if (transforms.isEmpty()) {
            return "no transforms";
        }
        List<String> parts = new ArrayList<>();
        for (Transform t : transforms) {
            parts.add(switch (t) {
                case Transform.Pad p -> "pad " + p.padding();
                case Transform.RandomCrop c -> "random crop " + c.height() + "x" + c.width() + (c.padding() > 0 ? " padding " + c.padding() : "");
                case Transform.CenterCrop c -> "centre crop " + c.height() + "x" + c.width();
                case Transform.HorizontalFlip f -> "flip " + f.p();
                case Transform.Resize r -> "resize " + r.height() + "x" + r.width();
                case Transform.Channels c -> c.channels() == 3 ? "gray to RGB" : "RGB to gray";
                case Transform.Normalize n -> "normalise mean " + values(n.mean()) + " std " + values(n.std());
            });
        }
        return String.join(", ", parts);
    }

    private static String values(float[] v) {
        List<String> out = new ArrayList<>();
        for (float x : v) {
            out.add(String.format(java.util.Locale.ROOT, "%.3f", x));
        }
        return String.join("/", out);
    }
}
