package dev.fovea.onnx.importer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the operator sequences exporters write for one DSL layer, starting from the sequence's first
 * node: layer norm over the channels (ReduceMean, Sub, Pow or Mul, ReduceMean, Add, Sqrt, Div, Mul, Add),
 * exact GELU (Div by sqrt 2, Erf, Add 1, Mul, Mul by 0.5) and a dense layer as MatMul plus Add. A sequence
 * matches only when nothing outside it reads its intermediate tensors.
 */
final class Patterns {
    /** The nodes of one match, the tensor it reads and the one it writes. */
    record Match(List<OnnxNode> nodes, String input, String output) {}

    record LayerNormMatch(Match match, long axis, float eps, Constant weight, Constant bias) {}

    record DenseMatch(Match match, Constant weight, Constant bias) {}

    private final OnnxModel model;
    private final Map<String, List<OnnxNode>> readers = new HashMap<>();

    Patterns(OnnxModel model) {
        this.model = model;
        // a node reading a tensor twice (Mul(c, c)) is one reader
        model.nodes().forEach(n -> n.inputs().stream().distinct().forEach(i -> readers.computeIfAbsent(i, k -> new ArrayList<>()).add(n)));
    }

    /** The one node reading {@code tensor} if it has type {@code op}; null otherwise. */
    private OnnxNode onlyReader(String tensor, String op) {
        List<OnnxNode> r = readers.getOrDefault(tensor, List.of());
        return r.size() == 1 && r.getFirst().opType().equals(op) && !tensor.equals(model.output()) ? r.getFirst() : null;
    }

    /** The one node reading {@code tensor}, whatever its type; null if none or several (or the tensor is the output). */
    OnnxNode soleReader(String tensor) {
        List<OnnxNode> r = readers.getOrDefault(tensor, List.of());
        return r.size() == 1 && !tensor.equals(model.output()) ? r.getFirst() : null;
    }

    /** Whether {@code name} is a stored tensor of zeros. */
    boolean isZero(String name) {
        Constant c = constant(name);
        return c != null && c.floats() != null && java.util.stream.IntStream.range(0, c.floats().length).allMatch(i -> c.floats()[i] == 0);
    }

    /** The input of a two-input node other than {@code tensor}, or null when the node does not read {@code tensor}. */
    private static String other(OnnxNode node, String tensor) {
        if (node == null || node.inputs().size() != 2) {
            return null;
        }
        if (node.inputs().get(0).equals(tensor)) {
            return node.inputs().get(1);
        }
        return node.inputs().get(1).equals(tensor) ? node.inputs().get(0) : null;
    }

    private Constant constant(String name) {
        return name == null ? null : model.constants().get(name);
    }

    private double scalar(String name) {
        Constant c = constant(name);
        return c == null ? Double.NaN : c.scalar();
    }

    /** The one axis a reduction runs over (attribute or, from opset 18, second input); null if not one. */
    private Long axis(OnnxNode reduce) {
        long[] axes = reduce.has("axes") ? reduce.integers("axes") : constant(reduce.input(1)) != null ? constant(reduce.input(1)).longs() : null;
        return axes != null && axes.length == 1 && reduce.integer("keepdims", 1) == 1 ? axes[0] : null;
    }

    /** Layer norm from its first node, {@code mean = ReduceMean(x)}. */
    Optional<LayerNormMatch> layerNorm(OnnxNode mean) {
        String x = mean.inputs().getFirst();
        Long axis = axis(mean);
        OnnxNode centred = onlyReader(mean.output(), "Sub");
        if (axis == null || centred == null || !centred.inputs().equals(List.of(x, mean.output()))) {
            return Optional.empty();
        }
        List<OnnxNode> readersOfCentred = readers.getOrDefault(centred.output(), List.of());
        OnnxNode squares = readersOfCentred.stream().filter(n -> n.opType().equals("Pow") && scalar(n.input(1)) == 2
                || n.opType().equals("Mul") && n.inputs().equals(List.of(centred.output(), centred.output()))).findFirst().orElse(null);
        OnnxNode normed = readersOfCentred.stream().filter(n -> n.opType().equals("Div") && n.inputs().getFirst().equals(centred.output()))
                .findFirst().orElse(null);
        if (squares == null || normed == null || readersOfCentred.size() != 2) {
            return Optional.empty();
        }
        OnnxNode variance = onlyReader(squares.output(), "ReduceMean");
        OnnxNode shifted = variance == null || !axis.equals(axis(variance)) ? null : onlyReader(variance.output(), "Add");
        double eps = shifted == null ? Double.NaN : scalar(other(shifted, variance.output()));
        OnnxNode deviation = Double.isNaN(eps) ? null : onlyReader(shifted.output(), "Sqrt");
        if (deviation == null || !normed.inputs().equals(List.of(centred.output(), deviation.output()))
                || readers.getOrDefault(deviation.output(), List.of()).size() != 1) {
            return Optional.empty();
        }
        OnnxNode scaled = onlyReader(normed.output(), "Mul");
        Constant weight = constant(other(scaled, normed.output()));
        OnnxNode shiftedBack = weight == null ? null : onlyReader(scaled.output(), "Add");
        Constant bias = constant(other(shiftedBack, scaled.output()));
        if (bias == null || weight.floats() == null || bias.floats() == null || weight.size() != bias.size()) {
            return Optional.empty();
        }
        Match match = new Match(List.of(mean, centred, squares, variance, shifted, deviation, normed, scaled, shiftedBack), x,
                shiftedBack.output());
        return Optional.of(new LayerNormMatch(match, axis, (float) eps, weight, bias));
    }

    /** Exact GELU from its first node, x / sqrt(2) (or x * 1/sqrt(2)): then Erf, + 1, times x, times 0.5. */
    Optional<Match> gelu(OnnxNode scale) {
        String x = scale.inputs().getFirst();
        double c = scalar(scale.input(1));
        boolean byRootTwo = scale.opType().equals("Div") && Math.abs(c - Math.sqrt(2)) < 1e-5
                || scale.opType().equals("Mul") && Math.abs(c - Math.sqrt(0.5)) < 1e-5;
        OnnxNode erf = byRootTwo ? onlyReader(scale.output(), "Erf") : null;
        OnnxNode plusOne = erf == null ? null : onlyReader(erf.output(), "Add");
        if (plusOne == null || scalar(other(plusOne, erf.output())) != 1) {
            return Optional.empty();
        }
        OnnxNode product = onlyReader(plusOne.output(), "Mul");
        OnnxNode half = product == null || !x.equals(other(product, plusOne.output())) ? null : onlyReader(product.output(), "Mul");
        if (half == null || scalar(other(half, product.output())) != 0.5) {
            return Optional.empty();
        }
        return Optional.of(new Match(List.of(scale, erf, plusOne, product, half), x, half.output()));
    }

    /** A dense layer from its first node, {@code MatMul(x, W)} with W stored as [in, out], and the Add of a stored bias after it if any. */
    Optional<DenseMatch> dense(OnnxNode matMul) {
        Constant weight = constant(matMul.input(1));
        if (weight == null || weight.floats() == null || weight.dims().length != 2) {
            return Optional.empty();
        }
        OnnxNode add = onlyReader(matMul.output(), "Add");
        Constant bias = constant(other(add, matMul.output()));
        if (bias != null && bias.floats() != null && bias.size() == weight.dims()[1]) {
            return Optional.of(new DenseMatch(new Match(List.of(matMul, add), matMul.inputs().getFirst(), add.output()), weight, bias));
        }
        return Optional.of(new DenseMatch(new Match(List.of(matMul), matMul.inputs().getFirst(), matMul.output()), weight, null));
    }
}
