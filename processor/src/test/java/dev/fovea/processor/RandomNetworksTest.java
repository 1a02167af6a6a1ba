package dev.fovea.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import com.google.gson.JsonObject;
import com.google.testing.compile.Compilation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Compiles many random networks, some of them broken on purpose, and checks each against an oracle
 * written here independently of the processor: a valid network compiles with exactly the oracle's
 * output shape, parameters and MACs; an invalid one fails with a Fovea error in its own file; and javac
 * never sees an exception.
 */
class RandomNetworksTest {
    private static final int NETWORKS = 320;
    /** Fixed so that a failure repeats; {@code -Dfovea.seed=N} explores others. */
    private static final long SEED = Long.getLong("fovea.seed", 20261122L);

    /** One generated network: its source, and what the oracle expects of it. */
    private record Case(String name, JavaFileObject source, boolean valid, int[] output, long params, long macs, String why) {}

    @Test
    void everyRandomNetworkCompilesWithTheOraclesFiguresOrFailsWithDiagnostics() {
        Random random = new Random(SEED);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < NETWORKS; i++) {
            cases.add(generate("Random" + i, random));
        }

        // javac prints 100 errors by default; these networks have more.
        Compilation all = Fovea.compile(cases.stream().map(Case::source).toList(), "-Xmaxerrs", "100000", "-Xmaxwarns", "100000");
        Set<String> failedFiles = new HashSet<>();
        for (Diagnostic<? extends JavaFileObject> d : all.diagnostics()) {
            String message = d.getMessage(null);
            assertWithMessage("no internal errors").that(message).doesNotContain("[Fovea/Internal]");
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                assertWithMessage("every error is Fovea's: %s", message).that(message).startsWith("[Fovea/");
                assertThat(d.getSource()).isNotNull();
                failedFiles.add(d.getSource().getName());
            }
        }
        List<Case> valid = new ArrayList<>();
        int invalid = 0;
        for (Case c : cases) {
            boolean failed = failedFiles.contains(c.source().getName());
            assertWithMessage("%s (%s) should %s:\n%s", c.name(), c.why(), c.valid() ? "compile" : "fail", source(c))
                    .that(failed).isEqualTo(!c.valid());
            if (c.valid()) {
                valid.add(c);
            } else {
                invalid++;
            }
        }
        // The generator must exercise both outcomes in earnest.
        assertThat(valid.size()).isAtLeast(NETWORKS / 8);
        assertThat(invalid).isAtLeast(NETWORKS / 4);

        Compilation good = Fovea.compile(valid.stream().map(Case::source).toList());
        assertThat(good.errors()).isEmpty();
        for (Case c : valid) {
            JsonObject r = Fovea.report(good, "test." + c.name()).orElseThrow();
            assertWithMessage("%s output", c.name()).that(r.getAsJsonArray("output").toString()).isEqualTo(json(c.output()));
            assertWithMessage("%s params", c.name()).that(r.get("params").getAsLong()).isEqualTo(c.params());
            assertWithMessage("%s macs", c.name()).that(r.get("macs").getAsLong()).isEqualTo(c.macs());
        }
    }

    private static String source(Case c) {
        try {
            return c.source().getCharContent(true).toString();
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static String json(int[] dims) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : ",").append(dims[i]);
        }
        return sb.append(']').toString();
    }

    /** Builds a random chain of layers while tracking the shape the way the seeds' formulas say. */
    private static Case generate(String name, Random rnd) {
        int[] shape = {1 + rnd.nextInt(8), 1 + rnd.nextInt(40), 1 + rnd.nextInt(40)};
        int[] input = shape.clone();
        StringBuilder body = new StringBuilder();
        long params = 0;
        long macs = 0;
        String why = null;
        int layers = 1 + rnd.nextInt(7);
        for (int i = 0; i < layers && why == null; i++) {
            String member = "l" + i;
            boolean spatial = shape.length == 3;
            switch (rnd.nextInt(10)) {
                case 0, 1 -> { // convolution
                    int filters = rnd.nextInt(10) == 0 ? 0 : 1 + rnd.nextInt(16);
                    int k = 1 + rnd.nextInt(7);
                    int s = 1 + rnd.nextInt(3);
                    int d = rnd.nextInt(4) == 0 ? 2 : 1;
                    boolean same = rnd.nextInt(5) == 0;
                    int p = same ? -1 : rnd.nextInt(4);
                    int g = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(4) : 1;
                    boolean bias = rnd.nextBoolean();
                    body.append("    @Conv2d(filters = %d, kernel = %d, stride = %d, dilation = %d, padding = %s, groups = %d, bias = %b) Layer %s();\n"
                            .formatted(filters, k, s, d, same ? "SAME" : Integer.toString(p), g, bias, member));
                    if (filters <= 0) {
                        why = "filters <= 0";
                    } else if (!spatial) {
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
                            break;
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
                case 2 -> { // pooling
                    boolean max = rnd.nextBoolean();
                    int k = 1 + rnd.nextInt(4);
                    int s = 1 + rnd.nextInt(3);
                    int p = rnd.nextInt(3);
                    boolean ceil = rnd.nextInt(3) == 0;
                    body.append("    @%s(kernel = %d, stride = %d, padding = %d, ceilMode = %b) Layer %s();\n"
                            .formatted(max ? "MaxPool2d" : "AvgPool2d", k, s, p, ceil, member));
                    if (!spatial) {
                        why = "pool on flat";
                    } else if (2 * p > k) {
                        why = "pool padding over half the kernel";
                    } else if (k > shape[1] + 2 * p || k > shape[2] + 2 * p) {
                        why = "pool window too large";
                    } else {
                        shape = new int[] {shape[0], pooled(shape[1], k, s, p, ceil), pooled(shape[2], k, s, p, ceil)};
                    }
                }
                case 3 -> {
                    String[] elementwise = {"@ReLU", "@BatchNorm", "@Dropout(rate = 0.25)", "@Sigmoid", "@GELU"};
                    String chosen = elementwise[rnd.nextInt(elementwise.length)];
                    body.append("    %s Layer %s();\n".formatted(chosen, member));
                    if (chosen.equals("@BatchNorm")) {
                        params += 2L * shape[0];
                    }
                }
                case 4 -> {
                    body.append("    @Flatten Layer %s();\n".formatted(member));
                    shape = new int[] {product(shape)};
                }
                case 5 -> {
                    int units = rnd.nextInt(12) == 0 ? -3 : 1 + rnd.nextInt(20);
                    body.append("    @Dense(units = %d) Layer %s();\n".formatted(units, member));
                    if (units <= 0) {
                        why = "units <= 0";
                    } else if (spatial) {
                        why = "dense on spatial";
                    } else {
                        params += (long) shape[0] * units + units;
                        macs += (long) shape[0] * units;
                        shape = new int[] {units};
                    }
                }
                case 6 -> {
                    body.append("    @GlobalAvgPool Layer %s();\n".formatted(member));
                    if (!spatial) {
                        why = "global pool on flat";
                    } else {
                        shape = new int[] {shape[0], 1, 1};
                    }
                }
                case 7 -> { // residual addition of the network input
                    body.append("    @Add Layer %s();\n".formatted(member));
                    if (!java.util.Arrays.equals(shape, input)) {
                        why = "add of differing shapes";
                    }
                }
                case 8 -> { // the newer layers: borders, channel moves, drop path, a constant factor
                    switch (rnd.nextInt(5)) {
                        case 0 -> {
                            int t = rnd.nextInt(3);
                            int l = rnd.nextInt(3);
                            int b = rnd.nextInt(3);
                            int r = rnd.nextInt(3);
                            boolean crop = rnd.nextBoolean();
                            body.append("    @%s(top = %d, left = %d, bottom = %d, right = %d) Layer %s();\n"
                                    .formatted(crop ? "Crop" : "ZeroPad", t, l, b, r, member));
                            int sign = crop ? -1 : 1;
                            if (!spatial) {
                                why = "border on flat";
                            } else if (shape[1] + sign * (t + b) <= 0 || shape[2] + sign * (l + r) <= 0) {
                                why = "cropped away";
                            } else {
                                shape = new int[] {shape[0], shape[1] + sign * (t + b), shape[2] + sign * (l + r)};
                            }
                        }
                        case 1 -> {
                            int g = 1 + rnd.nextInt(4);
                            body.append("    @ChannelShuffle(%d) Layer %s();\n".formatted(g, member));
                            if (!spatial) {
                                why = "shuffle on flat";
                            } else if (shape[0] % g != 0) {
                                why = "shuffle groups that do not divide";
                            }
                        }
                        case 2 -> {
                            int parts = 1 + rnd.nextInt(3);
                            int part = rnd.nextInt(parts + 1);
                            body.append("    @ChannelSplit(part = %d, parts = %d) Layer %s();\n".formatted(part, parts, member));
                            if (!spatial) {
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
                            body.append("    @DropPath(%s) Layer %s();\n".formatted(Double.toString(rate), member));
                            if (rate >= 1) {
                                why = "drop path rate";
                            }
                        }
                        default -> body.append("    @Multiply(%s) Layer %s();\n".formatted(Double.toString(rnd.nextInt(200) / 100.0 - 1), member));
                    }
                }
                default -> { // a branch joined to the main path
                    if (!spatial) {
                        body.append("    @ReLU Layer %s();\n".formatted(member));
                        break;
                    }
                    int filters = 1 + rnd.nextInt(8);
                    int k = 1 + 2 * rnd.nextInt(3);
                    boolean keeps = rnd.nextInt(4) != 0;
                    int p = keeps ? k / 2 : 0;
                    body.append("    @From(\"%s\") @Conv2d(filters = %d, kernel = %d, padding = %d, bias = false) Layer %s_b();\n"
                            .formatted(i == 0 ? "input" : "l" + (i - 1), filters, k, p, member));
                    body.append("    @Concat({\"%s\", \"%s_b\"}) Layer %s();\n".formatted(i == 0 ? "input" : "l" + (i - 1), member, member));
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
            }
        }
        String src = "@Network(input = {%d, %d, %d})\ninterface %s {\n%s}\n".formatted(input[0], input[1], input[2], name, body);
        return new Case(name, Fovea.source(name, src), why == null, shape, params, macs, why == null ? "valid" : why);
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
