package dev.fovea.runtime.data;

import dev.fovea.runtime.Shape;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One step of an {@link Augmentation}: from a sample of one shape to a sample of another, with a random
 * source seeded for this sample and epoch, so that results do not depend on threads or batch order.
 * Samples are channels x height x width.
 */
public sealed interface Transform {
    Shape output(Shape input);

    void apply(float[] in, Shape shape, float[] out, SplittableRandom random);

    /** Whether it draws random numbers (training only) or is the same every time. */
    default boolean random() {
        return false;
    }

    /** Zero padding on every side. */
    record Pad(int padding) implements Transform {
        public Pad {
            positive(padding, "padding", true);
        }

        @Override
        public Shape output(Shape in) {
            return Shape.of(in.channels(), in.height() + 2 * padding, in.width() + 2 * padding);
        }

        @Override
        public void apply(float[] in, Shape s, float[] out, SplittableRandom random) {
            Crop.copy(in, s, out, output(s), -padding, -padding);
        }
    }

    /** A random height x width window of the sample padded with zeros, as torchvision's RandomCrop(size, padding). */
    record RandomCrop(int height, int width, int padding) implements Transform {
        public RandomCrop {
            positive(height, "crop height", false);
            positive(width, "crop width", false);
            positive(padding, "padding", true);
        }

        @Override
        public Shape output(Shape in) {
            if (in.height() + 2 * padding < height || in.width() + 2 * padding < width) {
                throw new IllegalArgumentException("cannot crop " + height + "x" + width + " from " + in + " padded by " + padding);
            }
            return Shape.of(in.channels(), height, width);
        }

        @Override
        public void apply(float[] in, Shape s, float[] out, SplittableRandom random) {
            int top = random.nextInt(s.height() + 2 * padding - height + 1) - padding;
            int left = random.nextInt(s.width() + 2 * padding - width + 1) - padding;
            Crop.copy(in, s, out, output(s), top, left);
        }

        @Override
        public boolean random() {
            return true;
        }
    }

    /** The centre height x width (torchvision rounds the offsets the same way). */
    record CenterCrop(int height, int width) implements Transform {
        public CenterCrop {
            positive(height, "crop height", false);
            positive(width, "crop width", false);
        }

        @Override
        public Shape output(Shape in) {
            if (in.height() < height || in.width() < width) {
                throw new IllegalArgumentException("cannot crop " + height + "x" + width + " from " + in);
            }
            return Shape.of(in.channels(), height, width);
        }

        @Override
        public void apply(float[] in, Shape s, float[] out, SplittableRandom random) {
            int top = (int) Math.round((s.height() - height) / 2.0);
            int left = (int) Math.round((s.width() - width) / 2.0);
            Crop.copy(in, s, out, output(s), top, left);
        }
    }

    /** Mirrors left to right with probability {@code p}. */
    record HorizontalFlip(double p) implements Transform {
        public HorizontalFlip {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("a flip probability lies in [0, 1], not " + p);
            }
        }

        @Override
        public Shape output(Shape in) {
            return in;
        }

        @Override
        public void apply(float[] in, Shape s, float[] out, SplittableRandom random) {
            boolean flip = random.nextDouble() < p;
            int w = s.width();
            int rows = s.channels() * s.height();
            for (int r = 0; r < rows; r++) {
                for (int x = 0; x < w; x++) {
                    out[r * w + x] = in[r * w + (flip ? w - 1 - x : x)];
                }
            }
        }

        @Override
        public boolean random() {
            return true;
        }
    }

    /** Bilinear resize of the whole sample (half-pixel centres, as torchvision's tensor resize without antialiasing). */
    record Resize(int height, int width) implements Transform {
        public Resize {
            positive(height, "height", false);
            positive(width, "width", false);
        }

        @Override
        public Shape output(Shape in) {
            return Shape.of(in.channels(), height, width);
        }

        @Override
        public void apply(float[] in, Shape s, float[] out, SplittableRandom random) {
            float sy = (float) s.height() / height;
            float sx = (float) s.width() / width;
            for (int c = 0; c < s.channels(); c++) {
                int from = c * s.height() * s.width();
                for (int y = 0; y < height; y++) {
                    float fy = Math.max(0, (y + 0.5f) * sy - 0.5f);
                    int y0 = Math.min((int) fy, s.height() - 1);
                    int y1 = Math.min(y0 + 1, s.height() - 1);
                    float dy = fy - y0;
                    for (int x = 0; x < width; x++) {
                        float fx = Math.max(0, (x + 0.5f) * sx - 0.5f);
                        int x0 = Math.min((int) fx, s.width() - 1);
                        int x1 = Math.min(x0 + 1, s.width() - 1);
                        float dx = fx - x0;
                        float top = in[from + y0 * s.width() + x0] * (1 - dx) + in[from + y0 * s.width() + x1] * dx;
                        float bottom = in[from + y1 * s.width() + x0] * (1 - dx) + in[from + y1 * s.width() + x1] * dx;
                        out[(c * height + y) * width + x] = top * (1 - dy) + bottom * dy;
                    }
                }
            }
        }
    }

    /** Gray to RGB (the plane repeated) or RGB to gray (luminance), for data of the other kind. */
    record Channels(int channels) implements Transform {
        public Channels {
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException("images have 1 or 3 channels, not " + channels);
            }
        }

        @Override
        public Shape output(Shape in) {
            if (in.channels() != 1 && in.channels() != 3) {
                throw new IllegalArgumentException("cannot convert " + in.channels() + " channels to " + channels);
            }
            return Shape.of(channels, in.height(), in.width());
        }

        @Override
        public void apply(float[] in, Shape s, float[] out, SplittableRandom random) {
            int plane = s.height() * s.width();
            for (int i = 0; i < plane; i++) {
                if (s.channels() == channels) {
                    for (int c = 0; c < channels; c++) {
                        out[c * plane + i] = in[c * plane + i];
                    }
                } else if (channels == 3) {
                    out[i] = out[plane + i] = out[2 * plane + i] = in[i];
                } else {
                    out[i] = 0.299f * in[i] + 0.587f * in[plane + i] + 0.114f * in[2 * plane + i];
                }
            }
        }
    }

    /** (x - mean[c]) / std[c] per channel. */
    record Normalize(float[] mean, float[] std) implements Transform {
        public Normalize {
            if (mean.length != std.length || mean.length == 0) {
                throw new IllegalArgumentException("normalisation needs one mean and one std per channel");
            }
            for (float v : std) {
                if (!(v > 0)) {
                    throw new IllegalArgumentException("a standard deviation must be positive, not " + v);
                }
            }
            mean = mean.clone();
            std = std.clone();
        }

        @Override
        public float[] mean() {
            return mean.clone();
        }

        @Override
        public float[] std() {
            return std.clone();
        }

        @Override
        public Shape output(Shape in) {
            if (in.channels() != mean.length) {
                throw new IllegalArgumentException("normalisation has " + mean.length + " channels; the data has " + in.channels());
            }
            return in;
        }

        @Override
        public void apply(float[] in, Shape s, float[] out, SplittableRandom random) {
            int plane = Math.toIntExact(s.elements() / s.channels());
            for (int c = 0; c < mean.length; c++) {
                float m = mean[c];
                float scale = 1 / std[c];
                for (int i = c * plane; i < (c + 1) * plane; i++) {
                    out[i] = (in[i] - m) * scale;
                }
            }
        }

        @Override
        public String toString() {
            return "Normalize[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Normalize n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
        }
    }

    private static void positive(int value, String what, boolean zeroAllowed) {
        if (value < 0 || (value == 0 && !zeroAllowed)) {
            throw new IllegalArgumentException("a " + what + " must be " + (zeroAllowed ? "at least 0" : "positive") + ", not " + value);
        }
    }
}
