package dev.fovea.processor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.tools.JavaFileObject;

/**
 * A random network, perhaps broken on purpose, and what an oracle written here, independently of the
 * processor, expects of it: the output shape, parameters and MACs by the seeds' formulas, or the reason it
 * must fail. Some networks use a random block of their own, with one input or two (a NASNet-like cell),
 * repeated or not.
 */
final class RandomNetwork {
    /** What the oracle expects: {@code why} is null for a valid network. */
    record Case(String name, List<JavaFileObject> sources, boolean valid, int[] output, long params, long macs, String why) {}

    private final Random rnd;
    private final String name;
    private final StringBuilder body = new StringBuilder();
    /** Output shapes of the members declared so far, by name; "input" is the network's input. */
    private final Map<String, int[]> members = new LinkedHashMap<>();
    private final List<JavaFileObject> extraSources = new ArrayList<>();
    private int[] shape;
    private String previous = "input";
    private long params;
    private long macs;
    private String why;

    private RandomNetwork(String name, Random rnd) {
        this.name = name;
        this.rnd = rnd;
    }

    static Case generate(String name, Random rnd) {
        return new RandomNetwork(name, rnd).build();
    }

    private Case build() {
        shape = new int[] {1 + rnd.nextInt(8), 1 + rnd.nextInt(40), 1 + rnd.nextInt(40)};
        int[] input = shape.clone();
        members.put("input", input);
        int layers = 1 + rnd.nextInt(7);
        for (int i = 0; i < layers && why == null; i++) {
            String member = "l" + i;
            switch (rnd.nextInt(12)) {
                case 0, 1 -> convolution(member);
                case 2 -> pooling(member);
                case 3 -> elementwise(member);
                case 4 -> line("@Flatten Layer %s();", member).flatten();
                case 5 -> dense(member);
                case 6 -> globalPool(member);
                case 7 -> residual(member, input);
                case 8 -> newerLayer(member);
                case 9 -> branch(member, i);
                default -> block(member);
            }
            if (why == null) {
                members.put(member, shape);
                previous = member;
            }
        }
        String src = "@Network(input = {%d, %d, %d})\ninterface %s {\n%s}\n".formatted(input[0], input[1], input[2], name, body);
        List<JavaFileObject> sources = new ArrayList<>(extraSources);
        sources.add(Fovea.source(name, src));
        return new Case(name, sources, why == null, shape, params, macs, why == null ? "valid" : why);
    }

    private RandomNetwork line(String format, Object... args) {
        body.append("    ").append(format.formatted(args)).append('\n');
        return this;
    }

    private boolean spatial() {
        return shape.length == 3;
    }

    private void flatten() {
        shape = new int[] {product(shape)};
    }

    private void convolution(String member) {
        int filters = rnd.nextInt(10) == 0 ? 0 : 1 + rnd.nextInt(16);
        int k = 1 + rnd.nextInt(7);
        int s = 1 + rnd.nextInt(3);
        int d = rnd.nextInt(4) == 0 ? 2 : 1;
        boolean same = rnd.nextInt(5) == 0;
        int p = same ? -1 : rnd.nextInt(4);
        int g = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(4) : 1;
        boolean bias = rnd.nextBoolean();
        line("@Conv2d(filters = %d, kernel = %d, stride = %d, dilation = %d, padding = %s, groups = %d, bias = %b) Layer %s();",
                filters, k, s, d, same ? "SAME" : Integer.toString(p), g, bias, member);
        if (filters <= 0) {
            why = "filters <= 0";
        } else if (!spatial()) {
            why = "conv on flat";
        } else if (shape[0] % g != 0 || filters % g != 0) {
            why = "groups";
        } else {
            int extent = d * (k - 1) + 1;
            int oh;
            int ow;
            if (same) {
                oh = (shape[1] + s - 1) / s;
                ow = (shape[2] + s - 1) / s;
            } else if (extent > shape[1] + 2 * p || extent > shape[2] + 2 * p) {
                why = "kernel too large";
                return;
            } else {
                oh = (shape[1] + 2 * p - extent) / s + 1;
                ow = (shape[2] + 2 * p - extent) / s + 1;
            }
            long perOut = (long) (shape[0] / g) * k * k;
            params += filters * perOut + (bias ? filters : 0);
            macs += (long) filters * oh * ow * perOut;
            shape = new int[] {filters, oh, ow};
        }
    }

    private void pooling(String member) {
        boolean max = rnd.nextBoolean();
        int k = 1 + rnd.nextInt(4);
        int s = 1 + rnd.nextInt(3);
        int p = rnd.nextInt(3);
        boolean ceil = rnd.nextInt(3) == 0;
        line("@%s(kernel = %d, stride = %d, padding = %d, ceilMode = %b) Layer %s();", max ? "MaxPool2d" : "AvgPool2d", k, s, p, ceil, member);
        if (!spatial()) {
            why = "pool on flat";
        } else if (2 * p > k) {
            why = "pool padding over half the kernel";
        } else if (k > shape[1] + 2 * p || k > shape[2] + 2 * p) {
            why = "pool window too large";
        } else {
            shape = new int[] {shape[0], pooled(shape[1], k, s, p, ceil), pooled(shape[2], k, s, p, ceil)};
        }
    }

    private void elementwise(String member) {
        String[] elementwise = {"@ReLU", "@BatchNorm", "@Dropout(rate = 0.25)", "@Sigmoid", "@GELU"};
        String chosen = elementwise[rnd.nextInt(elementwise.length)];
        line("%s Layer %s();", chosen, member);
        if (chosen.equals("@BatchNorm")) {
            params += 2L * shape[0];
        }
    }

    private void dense(String member) {
        int units = rnd.nextInt(12) == 0 ? -3 : 1 + rnd.nextInt(20);
        line("@Dense(units = %d) Layer %s();", units, member);
        if (units <= 0) {
            why = "units <= 0";
        } else if (spatial()) {
            why = "dense on spatial";
        } else {
            params += (long) shape[0] * units + units;
            macs += (long) shape[0] * units;
            shape = new int[] {units};
        }
    }

    private void globalPool(String member) {
        line("@GlobalAvgPool Layer %s();", member);
        if (!spatial()) {
            why = "global pool on flat";
        } else {
            shape = new int[] {shape[0], 1, 1};
        }
    }

    /** Residual addition of the network's input. */
    private void residual(String member, int[] input) {
        line("@Add Layer %s();", member);
        if (!Arrays.equals(shape, input)) {
            why = "add of differing shapes";
        }
    }

    /** Borders, channel moves, drop path, a constant factor. */
    private void newerLayer(String member) {
        switch (rnd.nextInt(5)) {
            case 0 -> border(member);
            case 1 -> {
                int g = 1 + rnd.nextInt(4);
                line("@ChannelShuffle(%d) Layer %s();", g, member);
                if (!spatial()) {
                    why = "shuffle on flat";
                } else if (shape[0] % g != 0) {
                    why = "shuffle groups that do not divide";
                }
            }
            case 2 -> {
                int parts = 1 + rnd.nextInt(3);
                int part = rnd.nextInt(parts + 1);
                line("@ChannelSplit(part = %d, parts = %d) Layer %s();", part, parts, member);
                if (!spatial()) {
                    why = "split on flat";
                } else if (part >= parts) {
                    why = "split part out of range";
                } else if (shape[0] % parts != 0) {
                    why = "split parts that do not divide";
                } else {
                    shape = new int[] {shape[0] / parts, shape[1], shape[2]};
                }
            }
            case 3 -> {
                double rate = rnd.nextInt(6) == 0 ? 1.5 : rnd.nextInt(90) / 100.0;
                line("@DropPath(%s) Layer %s();", Double.toString(rate), member);
                if (rate >= 1) {
                    why = "drop path rate";
                }
            }
            default -> line("@Multiply(%s) Layer %s();", Double.toString(rnd.nextInt(200) / 100.0 - 1), member);
        }
    }

    private void border(String member) {
        int t = rnd.nextInt(3);
        int l = rnd.nextInt(3);
        int b = rnd.nextInt(3);
        int r = rnd.nextInt(3);
        boolean crop = rnd.nextBoolean();
        line("@%s(top = %d, left = %d, bottom = %d, right = %d) Layer %s();", crop ? "Crop" : "ZeroPad", t, l, b, r, member);
        int sign = crop ? -1 : 1;
        if (!spatial()) {
            why = "border on flat";
        } else if (shape[1] + sign * (t + b) <= 0 || shape[2] + sign * (l + r) <= 0) {
            why = "cropped away";
        } else {
            shape = new int[] {shape[0], shape[1] + sign * (t + b), shape[2] + sign * (l + r)};
        }
    }

    /** A branch from the member before, joined to the main path by concatenation. */
    private void branch(String member, int index) {
        if (!spatial()) {
            line("@ReLU Layer %s();", member);
            return;
        }
        int filters = 1 + rnd.nextInt(8);
        int k = 1 + 2 * rnd.nextInt(3);
        boolean keeps = rnd.nextInt(4) != 0;
        int p = keeps ? k / 2 : 0;
        String from = index == 0 ? "input" : "l" + (index - 1);
        line("@From(\"%s\") @Conv2d(filters = %d, kernel = %d, padding = %d, bias = false) Layer %s_b();", from, filters, k, p, member);
        line("@Concat({\"%s\", \"%s_b\"}) Layer %s();", from, member, member);
        int oh = shape[1] + 2 * p - k + 1;
        int ow = shape[2] + 2 * p - k + 1;
        if (oh <= 0 || ow <= 0) {
            why = "branch kernel too large";
        } else if (oh != shape[1] || ow != shape[2]) {
            why = "concat of differing sizes";
        } else {
            params += (long) filters * shape[0] * k * k;
            macs += (long) filters * oh * ow * shape[0] * k * k;
            shape = new int[] {shape[0] + filters, shape[1], shape[2]};
        }
    }

    /** How a random block joins its paths. */
    private enum Join { NONE, ADD, CONCAT }

    /**
     * A block of this network's own: a convolution of {@code f} filters and kernel {@code k} (padded by k / 2,
     * so even kernels grow the map by one), then, with two inputs, a 1x1 convolution of the second input joined
     * by addition or concatenation, or, with one, perhaps a residual addition or concatenation of the input.
     * Used once or repeated; a two-input block repeated reads the repetition before it and that one's input.
     */
    private void block(String member) {
        String type = name + "Block" + extraSources.size();
        boolean twoInputs = rnd.nextBoolean();
        Join join = Join.values()[rnd.nextInt(twoInputs ? 2 : 3) + (twoInputs ? 1 : 0)];
        boolean bias = rnd.nextBoolean();
        int secondFilters = rnd.nextBoolean() ? -1 : 1 + rnd.nextInt(6); // -1: f, as an addition needs
        extraSources.add(Fovea.source(type, blockSource(type, twoInputs, join, bias, secondFilters)));

        int f = rnd.nextInt(15) == 0 ? 0 : 1 + rnd.nextInt(8);
        int k = 1 + rnd.nextInt(4);
        int repeat = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(3) : 1;
        List<String> earlier = new ArrayList<>(members.keySet());
        String second = earlier.get(rnd.nextInt(earlier.size()));
        boolean namesTwo = twoInputs ? rnd.nextInt(10) != 0 : rnd.nextInt(10) == 0;
        String from = namesTwo ? "@From({\"%s\", \"%s\"}) ".formatted(previous, second) : "";
        line("@%s(f = %d, k = %d) %s%sLayer %s();", type, f, k, from, repeat > 1 ? "@Repeat(" + repeat + ") " : "", member);

        if (twoInputs != namesTwo) {
            why = twoInputs ? "two-input block used with one" : "two names on a one-input block";
        } else if (f <= 0) {
            why = "block filters <= 0";
        } else if (!spatial() || members.get(second).length != 3 && twoInputs) {
            why = "block on flat";
        } else {
            int[] in = shape;
            int[] in2 = twoInputs ? members.get(second) : null;
            for (int r = 0; r < repeat && why == null; r++) {
                int[] out = blockOutput(in, in2, f, k, join, bias, secondFilters);
                in2 = twoInputs ? in : null;
                in = out;
            }
            if (why == null) {
                shape = in;
            }
        }
    }

    private static String blockSource(String type, boolean twoInputs, Join join, boolean bias, int secondFilters) {
        StringBuilder layers = new StringBuilder();
        layers.append("        @Conv2d(filters = f, kernel = k, padding = k / 2, bias = %b) @ReLU Layer a();\n".formatted(bias));
        String b = twoInputs ? "\"b\"" : "Layer.INPUT";
        if (twoInputs) {
            layers.append("        @From(Layer.SECOND_INPUT) @Conv2d(filters = %s, kernel = 1) Layer b();\n"
                    .formatted(secondFilters < 0 ? "f" : Integer.toString(secondFilters)));
        }
        switch (join) {
            case ADD -> layers.append("        @From(\"a\") @Add(from = %s) Layer out();\n".formatted(b)); // a, plus b or the input
            case CONCAT -> layers.append("        @Concat({\"a\", %s}) Layer out();\n".formatted(b));
            case NONE -> { }
        }
        return """
                @Block
                @interface %s {
                    int f();
                    int k() default 3;

                    interface Layers {
                        int f = 4, k = 3;
                %s    }
                }
                """.formatted(type, layers);
    }

    /** One use of the block, by the oracle: its output shape, adding its parameters and MACs. */
    private int[] blockOutput(int[] in, int[] in2, int f, int k, Join join, boolean bias, int secondFilters) {
        int pad = k / 2;
        int[] a = {f, in[1] + 2 * pad - k + 1, in[2] + 2 * pad - k + 1};
        params += (long) f * in[0] * k * k + (bias ? f : 0);
        macs += (long) f * a[1] * a[2] * in[0] * k * k;
        int[] b = in;
        if (in2 != null) {
            int g = secondFilters < 0 ? f : secondFilters;
            b = new int[] {g, in2[1], in2[2]};
            params += (long) g * in2[0] + g;
            macs += (long) g * in2[1] * in2[2] * in2[0];
        }
        return switch (join) {
            case NONE -> a;
            case ADD -> {
                if (!Arrays.equals(a, b)) {
                    why = "block adds differing shapes";
                }
                yield a;
            }
            case CONCAT -> {
                if (a[1] != b[1] || a[2] != b[2]) {
                    why = "block concatenates differing sizes";
                }
                yield new int[] {a[0] + b[0], a[1], a[2]};
            }
        };
    }

    private static int pooled(int in, int k, int s, int p, boolean ceil) {
        int span = in + 2 * p - k;
        if (!ceil) {
            return span / s + 1;
        }
        int out = (span + s - 1) / s + 1;
        return (out - 1) * s >= in + p ? out - 1 : out;
    }

    private static int product(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
