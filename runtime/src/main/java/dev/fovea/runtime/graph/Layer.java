package dev.fovea.runtime.graph;

import dev.fovea.runtime.Shape;
import java.util.List;

/**
 * One layer of a network as the compiler resolved it: what it computes, with every shape explicit,
 * the layers it reads by name ({@link NetworkGraph#INPUT} for the network's input) and the tensors
 * it owns by their PyTorch names. The records check their own consistency; planners read them.
 */
public sealed interface Layer {
    String name();

    /** The layers this one reads, in order. */
    List<String> inputs();

    /** The shape each input must have, in the order of {@link #inputs()}. */
    List<Shape> inputShapes();

    /** Shape of one sample's output. */
    Shape output();

    /** The learned tensors this layer owns (not batch norm's running statistics). */
    default List<String> parameters() {
        return List.of();
    }

    /**
     * A convolution (cross-correlation). {@code bias} is null when it has none. {@code connections}
     * is LeNet-5's table, one string per input channel with 'X' where it feeds an output, or empty; the
     * weight then holds only the connected (output, input) pairs, output-major.
     */
    record Conv2d(String name, String input, Shape in, Shape out, Window window, int groups, String weight, String bias,
            List<String> connections) implements Layer {
        public Conv2d {
            connections = List.copyOf(connections);
            Checks.spatial(name, in, out);
            Checks.divides(name, groups, in.channels(), "input channels");
            Checks.divides(name, groups, out.channels(), "output channels");
            Checks.window(name, window, in, out);
            if (!connections.isEmpty() && (connections.size() != in.channels() || groups != 1)) {
                throw new IllegalArgumentException(name + ": a connection table needs one row per input channel and one group");
            }
        }

        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(in);
        }

        public Shape output() {
            return out;
        }

        public List<String> parameters() {
            return bias == null ? List.of(weight) : List.of(weight, bias);
        }

        public boolean isPartial() {
            return !connections.isEmpty();
        }
    }

    /** A transposed convolution; the window's top and left padding are PyTorch's {@code padding}. */
    record ConvTranspose2d(String name, String input, Shape in, Shape out, Window window, int groups, String weight, String bias)
            implements Layer {
        public ConvTranspose2d {
            Checks.spatial(name, in, out);
            Checks.divides(name, groups, in.channels(), "input channels");
            Checks.divides(name, groups, out.channels(), "output channels");
        }

        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(in);
        }

        public Shape output() {
            return out;
        }

        public List<String> parameters() {
            return bias == null ? List.of(weight) : List.of(weight, bias);
        }
    }

    /**
     * A linear layer: on the whole sample, or with {@code pointwise} on the channels at every position of a
     * spatial input (a 1x1 convolution with PyTorch's Linear weight shape).
     */
    record Dense(String name, String input, Shape in, Shape out, String weight, String bias, boolean pointwise) implements Layer {
        public Dense {
            if (pointwise) {
                Checks.spatial(name, in, out);
            } else if (!out.isFlat()) {
                throw new IllegalArgumentException(name + ": a dense layer's output is flat, not " + out);
            }
        }

        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(in);
        }

        public Shape output() {
            return out;
        }

        public List<String> parameters() {
            return bias == null ? List.of(weight) : List.of(weight, bias);
        }
    }

    /** Max or average pooling, with PyTorch's ceil mode and count_include_pad. */
    record Pool2d(String name, String input, Shape in, Shape out, PoolKind kind, Window window, boolean ceilMode,
            boolean countIncludePad) implements Layer {
        public Pool2d {
            Checks.spatial(name, in, out);
            Checks.sameChannels(name, in, out);
            Checks.window(name, window, ceilMode, in, out);
        }

        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(in);
        }

        public Shape output() {
            return out;
        }
    }

    /** PyTorch's adaptive average pooling to {@code out}'s height and width (1x1: global average pooling). */
    record AdaptiveAvgPool2d(String name, String input, Shape in, Shape out) implements Layer {
        public AdaptiveAvgPool2d {
            Checks.spatial(name, in, out);
            Checks.sameChannels(name, in, out);
        }

        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(in);
        }

        public Shape output() {
            return out;
        }
    }

    /**
     * Batch norm over the channels; its tensors are {@code prefix.weight} (unless it learns no scale),
     * {@code .bias}, {@code .running_mean}, {@code .running_var}.
     */
    record BatchNorm(String name, String input, Shape shape, String prefix, double eps, double momentum, boolean scale) implements Layer {
        public BatchNorm(String name, String input, Shape shape, String prefix, double eps, double momentum) {
            this(name, input, shape, prefix, eps, momentum, true);
        }

        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(shape);
        }

        public Shape output() {
            return shape;
        }

        public List<String> parameters() {
            return scale ? List.of(prefix + ".weight", prefix + ".bias") : List.of(prefix + ".bias");
        }
    }

    /** Layer norm over the channels at each position (ConvNeXt's), with {@code prefix.weight} and {@code .bias}. */
    record LayerNorm(String name, String input, Shape shape, String prefix, double eps) implements Layer {
        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(shape);
        }

        public Shape output() {
            return shape;
        }

        public List<String> parameters() {
            return List.of(prefix + ".weight", prefix + ".bias");
        }
    }

    /** PyTorch's local response normalisation across {@code size} neighbouring channels. */
    record LocalResponseNorm(String name, String input, Shape shape, int size, double alpha, double beta, double k) implements Layer {
        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(shape);
        }

        public Shape output() {
            return shape;
        }
    }

    /** An element-wise activation; {@code slope} is LeakyReLU's and 0 otherwise. */
    record Activation(String name, String input, Shape shape, dev.fovea.runtime.kernels.Activation function, double slope)
            implements Layer {
        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(shape);
        }

        public Shape output() {
            return shape;
        }
    }

    /** Softmax over the channels at each position. */
    record Softmax(String name, String input, Shape shape) implements Layer {
        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(shape);
        }

        public Shape output() {
            return shape;
        }
    }

    /**
     * Inverted dropout in training (kept values scaled by 1 / (1 - rate)); the identity in inference. With
     * {@code wholeSamples}, each sample's tensor is kept or dropped whole: drop path (stochastic depth).
     */
    record Dropout(String name, String input, Shape shape, double rate, boolean wholeSamples) implements Layer {
        public Dropout {
            if (!(rate >= 0 && rate < 1)) {
                throw new IllegalArgumentException(name + ": dropout rate must be in [0, 1) but is " + rate);
            }
        }

        public Dropout(String name, String input, Shape shape, double rate) {
            this(name, input, shape, rate, false);
        }

        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(shape);
        }

        public Shape output() {
            return shape;
        }
    }

    record Flatten(String name, String input, Shape in, Shape out) implements Layer {
        public Flatten {
            if (in.elements() != out.elements()) {
                throw new IllegalArgumentException(name + ": flattening " + in + " cannot give " + out);
            }
        }

        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(in);
        }

        public Shape output() {
            return out;
        }
    }

    /** A residual addition skipped because the shapes differ: the input passes unchanged. */
    record Identity(String name, String input, Shape shape) implements Layer {
        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(shape);
        }

        public Shape output() {
            return shape;
        }
    }

    /** LeNet-5's trainable subsampling: window sum times {@code prefix.weight} plus {@code prefix.bias}, per channel. */
    record Subsample(String name, String input, Shape in, Shape out, Window window, String prefix) implements Layer {
        public Subsample {
            Checks.spatial(name, in, out);
            Checks.sameChannels(name, in, out);
            Checks.window(name, window, in, out);
        }

        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(in);
        }

        public Shape output() {
            return out;
        }

        public List<String> parameters() {
            return List.of(prefix + ".weight", prefix + ".bias");
        }
    }

    /** A constant factor on the whole tensor (Inception-ResNet's residual scaling). */
    record Multiply(String name, String input, Shape shape, double factor) implements Layer {
        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(shape);
        }

        public Shape output() {
            return shape;
        }
    }

    /** ConvNeXt's learned per-channel factor, the tensor {@code tensor}. */
    record LayerScale(String name, String input, Shape shape, String tensor) implements Layer {
        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(shape);
        }

        public Shape output() {
            return shape;
        }

        public List<String> parameters() {
            return List.of(tensor);
        }
    }

    /** LeNet-5's output: squared distances of a flat input to the prototypes of {@code weight}. */
    record EuclideanRbf(String name, String input, Shape in, Shape out, String weight) implements Layer {
        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(in);
        }

        public Shape output() {
            return out;
        }

        public List<String> parameters() {
            return List.of(weight);
        }
    }

    /** {@code input + shortcut}, element-wise. */
    record Add(String name, String input, String shortcut, Shape shape) implements Layer {
        public List<String> inputs() {
            return List.of(input, shortcut);
        }

        public List<Shape> inputShapes() {
            return List.of(shape, shape);
        }

        public Shape output() {
            return shape;
        }
    }

    /**
     * {@code input + batchNorm(conv1x1(shortcut))}: a projection shortcut of stride {@code stride}, its
     * convolution {@code prefix.0} (no bias) and its norm {@code prefix.1} (eps 1e-5, as torchvision's).
     */
    record ProjectedAdd(String name, String input, String shortcut, Shape shortcutShape, Shape out, int stride, String prefix)
            implements Layer {
        public ProjectedAdd {
            Checks.spatial(name, shortcutShape, out);
            Checks.window(name, Window.kernel(1).stride(stride), shortcutShape, out);
        }

        public List<String> inputs() {
            return List.of(input, shortcut);
        }

        public List<Shape> inputShapes() {
            return List.of(out, shortcutShape);
        }

        public Shape output() {
            return out;
        }

        public List<String> parameters() {
            return List.of(prefix + ".0.weight", prefix + ".1.weight", prefix + ".1.bias");
        }

        /** The batch norm's prefix. */
        public String norm() {
            return prefix + ".1";
        }
    }

    /** Channel concatenation of the inputs, in order. */
    record Concat(String name, List<String> inputs, List<Shape> inputShapes, Shape out) implements Layer {
        public Concat {
            inputs = List.copyOf(inputs);
            inputShapes = List.copyOf(inputShapes);
            if (inputs.size() != inputShapes.size() || inputs.size() < 2) {
                throw new IllegalArgumentException(name + ": a concatenation needs two or more inputs, each with its shape");
            }
            int channels = 0;
            for (Shape s : inputShapes) {
                Checks.spatial(name, s, out);
                if (s.height() != out.height() || s.width() != out.width()) {
                    throw new IllegalArgumentException(name + ": cannot join " + s + " into " + out);
                }
                channels += s.channels();
            }
            if (channels != out.channels()) {
                throw new IllegalArgumentException(name + ": the inputs have " + channels + " channels, the output " + out.channels());
            }
        }

        public Shape output() {
            return out;
        }
    }

    /**
     * Zero padding or cropping at the sides: out[c, y, x] = in[c, y - offsetY, x - offsetX] where that is
     * inside the input, zero elsewhere (padding has positive offsets, cropping negative ones).
     */
    record Border(String name, String input, Shape in, Shape out, int offsetY, int offsetX) implements Layer {
        public Border {
            Checks.spatial(name, in, out);
            Checks.sameChannels(name, in, out);
        }

        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(in);
        }

        public Shape output() {
            return out;
        }
    }

    /** Channels [start, start + out.channels()) of the input (ShuffleNet's split into halves). */
    record ChannelSplit(String name, String input, Shape in, Shape out, int start) implements Layer {
        public ChannelSplit {
            Checks.spatial(name, in, out);
            if (start < 0 || start + out.channels() > in.channels() || in.height() != out.height() || in.width() != out.width()) {
                throw new IllegalArgumentException(name + ": cannot take channels " + start + " to " + (start + out.channels()) + " of " + in);
            }
        }

        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(in);
        }

        public Shape output() {
            return out;
        }
    }

    /** The channels of {@code groups} groups interleaved: output j is input (j mod g) C/g + j / g (ShuffleNet). */
    record ChannelShuffle(String name, String input, Shape shape, int groups) implements Layer {
        public ChannelShuffle {
            Checks.divides(name, groups, shape.channels(), "channels");
        }

        public List<String> inputs() {
            return List.of(input);
        }

        public List<Shape> inputShapes() {
            return List.of(shape);
        }

        public Shape output() {
            return shape;
        }
    }

    /** Squeeze-and-excitation: {@code input} times the per-sample, per-channel {@code gates} (C x 1 x 1). */
    record Scale(String name, String gates, String input, Shape shape) implements Layer {
        public List<String> inputs() {
            return List.of(gates, input);
        }

        public List<Shape> inputShapes() {
            return List.of(new Shape(shape.channels(), 1, 1), shape);
        }

        public Shape output() {
            return shape;
        }
    }
}
