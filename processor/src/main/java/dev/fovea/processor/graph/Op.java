package dev.fovea.processor.graph;

import dev.fovea.annotations.Shortcut;
import java.util.List;

/**
 * What one node of the graph computes, with its hyper-parameters evaluated. Shape inference turns the
 * few values that depend on the input (depthwise channel counts, "same" padding) into explicit ones.
 */
public sealed interface Op {
    /** The name users know the layer by, as in the summary table. */
    String type();

    /** The network's or a block's input. */
    record Input(List<Integer> dims) implements Op {
        public String type() {
            return "Input";
        }
    }

    /**
     * A convolution. For a depthwise one, {@code depthMultiplier} is positive and shape inference sets
     * {@code groups} and {@code filters} from the input channels; likewise {@code filters} from a positive
     * {@code widthFactor}. {@code connections} is LeNet's table, one string per input channel, or empty.
     */
    record Conv(String type, int filters, double widthFactor, Hw kernel, Hw stride, Pads padding, Hw dilation, int groups,
            int depthMultiplier, boolean bias, List<String> connections) implements Op {
        public Conv {
            connections = List.copyOf(connections);
        }

        public boolean isDepthwise() {
            return depthMultiplier > 0;
        }

        public boolean isPartial() {
            return !connections.isEmpty();
        }

        /** The output channels for {@code inChannels} input channels. */
        public int filtersFor(int inChannels) {
            if (isDepthwise()) {
                return inChannels * depthMultiplier;
            }
            return widthFactor > 0 ? (int) (inChannels * widthFactor) : filters;
        }

        public Conv resolved(int inChannels, Pads pads) {
            int g = isDepthwise() ? inChannels : groups;
            return new Conv(type, filtersFor(inChannels), 0, kernel, stride, pads, dilation, g, depthMultiplier, bias, connections);
        }
    }

    record ConvTranspose(int filters, Hw kernel, Hw stride, Hw padding, Hw outputPadding, Hw dilation, int groups,
            boolean bias) implements Op {
        public String type() {
            return "ConvTranspose2d";
        }
    }

    enum PoolKind { MAX, AVG }

    record Pool(PoolKind kind, Hw kernel, Hw stride, Pads padding, Hw dilation, boolean ceilMode,
            boolean countIncludePad) implements Op {
        public String type() {
            return kind == PoolKind.MAX ? "MaxPool2d" : "AvgPool2d";
        }

        public Pool withPadding(Pads pads) {
            return new Pool(kind, kernel, stride, pads, dilation, ceilMode, countIncludePad);
        }
    }

    /** Average pooling to a fixed output size; {@code global} marks {@code @GlobalAvgPool} (1x1). */
    record AdaptiveAvgPool(Hw output, boolean global) implements Op {
        public String type() {
            return global ? "GlobalAvgPool" : "AdaptiveAvgPool2d";
        }
    }

    record Flatten() implements Op {
        public String type() {
            return "Flatten";
        }
    }

    /** A linear layer; {@code pointwise} applies it to the channels at every position of a spatial input. */
    record Dense(int units, boolean bias, boolean pointwise) implements Op {
        public String type() {
            return "Dense";
        }
    }

    /** LeNet-5's output: squared distances of a flat input to {@code units} learned prototypes. */
    record EuclideanRbf(int units) implements Op {
        public String type() {
            return "EuclideanRbf";
        }
    }

    /** @param scale whether it learns a scale (gamma) besides its shift */
    record BatchNorm(double eps, double momentum, boolean scale) implements Op {
        public String type() {
            return "BatchNorm";
        }
    }

    record LayerNorm(double eps) implements Op {
        public String type() {
            return "LayerNorm";
        }
    }

    record LocalResponseNorm(int size, double alpha, double beta, double k) implements Op {
        public String type() {
            return "LocalResponseNorm";
        }
    }

    /**
     * Rows and columns added (zeros, {@code crop} false) or dropped ({@code crop} true) at each side.
     */
    record Border(boolean crop, int top, int left, int bottom, int right) implements Op {
        public String type() {
            return crop ? "Crop" : "ZeroPad";
        }

        /** Nothing added or dropped on any side: a block's padding that one use does not need; generated as an identity. */
        public boolean isEmpty() {
            return top == 0 && left == 0 && bottom == 0 && right == 0;
        }
    }

    /** Channels [part * C / parts, (part + 1) * C / parts) of the input. */
    record ChannelSplit(int part, int parts) implements Op {
        public String type() {
            return "ChannelSplit";
        }
    }

    /** The channels of {@code groups} groups interleaved. */
    record ChannelShuffle(int groups) implements Op {
        public String type() {
            return "ChannelShuffle";
        }
    }

    /**
     * Inverted dropout in training, the identity in inference: of each value, or with {@code wholeSamples} of
     * each sample's whole tensor (drop path, stochastic depth).
     */
    record Dropout(double rate, boolean wholeSamples) implements Op {
        public String type() {
            return wholeSamples ? "DropPath" : "Dropout";
        }
    }

    enum ActivationKind {
        RELU("ReLU"), RELU6("ReLU6"), LEAKY_RELU("LeakyReLU"), TANH("Tanh"), SIGMOID("Sigmoid"),
        SILU("SiLU"), GELU("GELU"), HARD_SWISH("Hardswish"), HARD_SIGMOID("Hardsigmoid"), SOFTMAX("Softmax");

        private final String type;

        ActivationKind(String type) {
            this.type = type;
        }

        public String type() {
            return type;
        }
    }

    /** An activation; {@code slope} is LeakyReLU's and 0 otherwise. */
    record Activation(ActivationKind kind, double slope) implements Op {
        public String type() {
            return kind.type();
        }
    }

    /** LeNet-5's trainable subsampling. */
    record Subsample(Hw kernel, Hw stride) implements Op {
        public String type() {
            return "Subsample";
        }
    }

    record LayerScale(double init) implements Op {
        public String type() {
            return "LayerScale";
        }
    }

    /** A constant factor on the whole tensor. */
    record Multiply(double factor) implements Op {
        public String type() {
            return "Multiply";
        }
    }

    /** How an {@link Add} treats its shortcut, once the shapes are known. */
    enum AddMode {
        /** Not yet known: before shape inference. */
        UNRESOLVED,
        /** The shortcut is added as it is. */
        IDENTITY,
        /** The shortcut goes through a 1x1 convolution of stride {@code projectionStride} and a batch norm first. */
        PROJECTED,
        /** The shapes differ and the shortcut is {@code WHEN_SHAPES_MATCH}: no addition, the flowing tensor passes. */
        SKIPPED
    }

    /** Residual addition of input 0 (the flowing tensor) and input 1 (the shortcut). */
    record Add(Shortcut shortcut, String projectionName, AddMode mode, int projectionStride) implements Op {
        public String type() {
            return "Add";
        }

        public Add resolved(AddMode mode, int stride) {
            return new Add(shortcut, projectionName, mode, stride);
        }
    }

    /** Channel concatenation of all inputs, in order. */
    record Concat() implements Op {
        public String type() {
            return "Concat";
        }
    }

    /** Input 1 times the per-channel gates of input 0. */
    record Scale() implements Op {
        public String type() {
            return "Scale";
        }
    }
}
