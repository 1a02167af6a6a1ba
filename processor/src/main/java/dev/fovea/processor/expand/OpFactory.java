package dev.fovea.processor.expand;

import dev.fovea.annotations.Padding;
import dev.fovea.annotations.Shortcut;
import dev.fovea.processor.graph.Hw;
import dev.fovea.processor.graph.Op;
import dev.fovea.processor.graph.Pads;
import java.util.List;
import java.util.Optional;

/**
 * Turns one layer annotation, its arguments evaluated, into an {@link Op}; checks what can be checked
 * without shapes (positive sizes, rates in range, a well-formed connection table).
 */
final class OpFactory {
    private OpFactory() {}

    /** The op, or empty when the annotation is not a layer (the caller reports that). */
    static Optional<Op> create(Args a) {
        String simple = a.use().simpleName();
        if (!Dsl.isDsl(a.use().type())) {
            return Optional.empty();
        }
        Op op = switch (simple) {
            case "Conv2d" -> conv(a);
            case "DepthwiseConv2d" -> depthwise(a);
            case "ConvTranspose2d" -> convTranspose(a);
            case "MaxPool2d" -> pool(a, Op.PoolKind.MAX);
            case "AvgPool2d" -> pool(a, Op.PoolKind.AVG);
            case "AdaptiveAvgPool2d" -> new Op.AdaptiveAvgPool(a.hw("output", 1, Hw.square(1)), false);
            case "GlobalAvgPool" -> new Op.AdaptiveAvgPool(Hw.square(1), true);
            case "Flatten" -> new Op.Flatten();
            case "Dense" -> new Op.Dense(a.positive("units"), a.bool("bias"), a.bool("pointwise"));
            case "EuclideanRbf" -> new Op.EuclideanRbf(a.positive("units"));
            case "BatchNorm" -> new Op.BatchNorm(positiveReal(a, "eps"), a.real("momentum"), a.bool("scale"));
            case "LayerNorm" -> new Op.LayerNorm(positiveReal(a, "eps"));
            case "LocalResponseNorm" -> new Op.LocalResponseNorm(a.positive("size"), a.real("alpha"), a.real("beta"), a.real("k"));
            case "Dropout" -> new Op.Dropout(rate(a), false);
            case "DropPath" -> new Op.Dropout(rate(a, "value"), true);
            case "ZeroPad" -> border(a, false);
            case "Crop" -> border(a, true);
            case "ChannelSplit" -> new Op.ChannelSplit(a.integer("part"), a.positive("parts"));
            case "ChannelShuffle" -> new Op.ChannelShuffle(a.positive("value"));
            case "ReLU" -> activation(Op.ActivationKind.RELU);
            case "ReLU6" -> activation(Op.ActivationKind.RELU6);
            case "LeakyReLU" -> new Op.Activation(Op.ActivationKind.LEAKY_RELU, a.real("slope"));
            case "Tanh" -> activation(Op.ActivationKind.TANH);
            case "Sigmoid" -> activation(Op.ActivationKind.SIGMOID);
            case "SiLU" -> activation(Op.ActivationKind.SILU);
            case "GELU" -> activation(Op.ActivationKind.GELU);
            case "HardSwish" -> activation(Op.ActivationKind.HARD_SWISH);
            case "HardSigmoid" -> activation(Op.ActivationKind.HARD_SIGMOID);
            case "Softmax" -> activation(Op.ActivationKind.SOFTMAX);
            case "Subsample" -> subsample(a);
            case "LayerScale" -> new Op.LayerScale(a.real("init"));
            case "Multiply" -> new Op.Multiply(a.real("value"));
            case "Add" -> new Op.Add(Shortcut.valueOf(a.enumName("shortcut")), a.string("projectionName"), Op.AddMode.UNRESOLVED, 1);
            case "Concat" -> new Op.Concat();
            case "Scale" -> new Op.Scale();
            default -> null;
        };
        return Optional.ofNullable(op);
    }

    private static Op activation(Op.ActivationKind kind) {
        return new Op.Activation(kind, 0);
    }

    private static Op conv(Args a) {
        int filters = a.integer("filters");
        double factor = a.real("widthFactor");
        if ((filters > 0) == (factor > 0)) {
            String problem = filters > 0 ? "gives both filters and widthFactor" : "needs filters (or widthFactor)";
            a.bad(filters > 0 || factor > 0 ? "widthFactor" : "filters", problem + ", so that the output channels are known"
                    + (filters < 0 ? "; filters must be positive but is " + filters : ""));
            filters = Math.max(filters, 1);
            factor = 0;
        }
        Hw kernel = a.hw("kernel", 1, Hw.square(1));
        int groups = a.positive("groups");
        List<String> table = a.strings("connections");
        if (!table.isEmpty()) {
            checkConnectionTable(a, table, filters, groups);
        }
        return new Op.Conv("Conv2d", filters, factor, kernel, a.hw("stride", 1, Hw.square(1)), padding(a),
                a.hw("dilation", 1, Hw.square(1)), groups, 0, a.bool("bias"), table);
    }

    private static Op depthwise(Args a) {
        return new Op.Conv("DepthwiseConv2d", 0, 0, a.hw("kernel", 1, Hw.square(1)), a.hw("stride", 1, Hw.square(1)),
                padding(a), a.hw("dilation", 1, Hw.square(1)), 0, a.positive("multiplier"), a.bool("bias"), List.of());
    }

    private static Op convTranspose(Args a) {
        return new Op.ConvTranspose(a.positive("filters"), a.hw("kernel", 1, Hw.square(1)), a.hw("stride", 1, Hw.square(1)),
                a.hw("padding", 0, Hw.square(0)), a.hw("outputPadding", 0, Hw.square(0)),
                a.hw("dilation", 1, Hw.square(1)), a.positive("groups"), a.bool("bias"));
    }

    private static Op pool(Args a, Op.PoolKind kind) {
        Hw kernel = a.hw("kernel", 1, Hw.square(1));
        Hw dilation = kind == Op.PoolKind.MAX ? a.hw("dilation", 1, Hw.square(1)) : Hw.square(1);
        boolean countIncludePad = kind == Op.PoolKind.AVG && a.bool("countIncludePad");
        return new Op.Pool(kind, kernel, a.hw("stride", 1, kernel), padding(a), dilation, a.bool("ceilMode"), countIncludePad);
    }

    private static Op subsample(Args a) {
        Hw kernel = a.hw("kernel", 1, Hw.square(2));
        return new Op.Subsample(kernel, a.hw("stride", 1, kernel));
    }

    /** Explicit padding, or {@link Padding#SAME} alone. */
    private static Pads padding(Args a) {
        Object v = a.value("padding");
        if (v instanceof List<?> list && list.size() == 1 && list.get(0) instanceof Integer i && i == Padding.SAME) {
            return Pads.SAME;
        }
        Hw p = a.hw("padding", 0, Hw.square(0));
        return Pads.symmetric(p.h(), p.w());
    }

    private static double positiveReal(Args a, String element) {
        double v = a.real(element);
        if (!(v > 0)) {
            a.bad(element, element + " must be positive but is " + v);
            return 1e-5;
        }
        return v;
    }

    private static Op.Border border(Args a, boolean crop) {
        int[] sides = new int[4];
        String[] names = {"top", "left", "bottom", "right"};
        for (int i = 0; i < 4; i++) {
            sides[i] = a.integer(names[i]);
            if (sides[i] < 0) {
                a.bad(names[i], names[i] + " must not be negative but is " + sides[i]);
                sides[i] = 0;
            }
        }
        return new Op.Border(crop, sides[0], sides[1], sides[2], sides[3]);
    }

    private static double rate(Args a) {
        return rate(a, "rate");
    }

    private static double rate(Args a, String element) {
        double v = a.real(element);
        if (!(v >= 0 && v < 1)) {
            a.bad(element, "rate must be in [0, 1) but is " + v);
            return 0;
        }
        return v;
    }

    /** One row per input channel, one column per output channel, 'X' where they connect. */
    private static void checkConnectionTable(Args a, List<String> rows, int filters, int groups) {
        if (groups != 1) {
            a.bad("connections", "a connection table replaces groups; leave groups = 1");
            return;
        }
        for (int r = 0; r < rows.size(); r++) {
            String row = rows.get(r);
            if (row.length() != filters) {
                a.bad("connections", "row " + r + " of the connection table has " + row.length()
                        + " columns but the layer has " + filters + " filters");
                return;
            }
            if (!row.chars().allMatch(c -> c == 'X' || c == '.')) {
                a.bad("connections", "row " + r + " of the connection table may hold only 'X' and '.': \"" + row + "\"");
                return;
            }
        }
        for (int col = 0; col < filters; col++) {
            final int c = col;
            if (rows.stream().noneMatch(row -> row.charAt(c) == 'X')) {
                a.bad("connections", "output channel " + col + " of the connection table connects to no input");
                return;
            }
        }
    }
}
