package dev.fovea.processor.infer;

import dev.fovea.processor.diag.Problems;
import dev.fovea.processor.graph.Graph;
import dev.fovea.processor.graph.Node;
import dev.fovea.processor.graph.Op;
import dev.fovea.runtime.Shape;
import dev.fovea.processor.model.SourceRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One layer under inference: its node, its input shapes, and how to report a problem on it. Messages
 * name the layer (and its block instance), and end with the path of shapes that led there.
 */
final class LayerCheck {
    private final Node node;
    private final List<Shape> inputs;
    private final Graph graph;
    private final List<Resolved> resolved;
    private final Problems problems;
    private boolean failed;

    LayerCheck(Node node, List<Shape> inputs, Graph graph, List<Resolved> resolved, Problems problems) {
        this.node = node;
        this.inputs = inputs;
        this.graph = graph;
        this.resolved = resolved;
        this.problems = problems;
    }

    Node node() {
        return node;
    }

    Op op() {
        return node.op();
    }

    Shape input() {
        return inputs.getFirst();
    }

    List<Shape> inputs() {
        return inputs;
    }

    /** The Java-path name of input {@code i}, for messages. */
    String inputName(int i) {
        return graph.node(node.inputs().get(i)).name();
    }

    /** "conv2 (in Bottleneck width=256, stride=2)". */
    String label() {
        return node.context().isEmpty() ? node.name() : node.name() + " (in " + node.context().getLast().label() + ")";
    }

    /** "@Conv2d". */
    String annotation() {
        return "@" + node.source().simpleName();
    }

    /** The layer's output, or null after an error when it has more values than a Java array holds. */
    Resolved ok(Op op, Shape output) {
        if (output.elements() > Integer.MAX_VALUE) {
            error("TooLarge", null, "output " + output + " has " + String.format(Locale.ROOT, "%,d", output.elements())
                    + " values, more than a Java array holds (2,147,483,647)", "fewer channels or a smaller input");
            return null;
        }
        return new Resolved(node, op, inputs, output);
    }

    /** Reports an error on {@code element}'s value (or the annotation), with the path of shapes and a fix. */
    void error(String tag, String element, String message, String fix) {
        failed = true;
        problems.error(tag, compose(message, fix), refs(element));
    }

    /**
     * Whether an error was reported. A rule may still return a shape after an error when the layer's
     * output shape does not depend on what was wrong (a residual addition has its main input's), so that
     * later, independent mistakes are reported in the same compile.
     */
    boolean failed() {
        return failed;
    }

    void warning(String tag, String element, String message, String fix) {
        problems.warning(tag, compose(message, fix), refs(element));
    }

    private String compose(String message, String fix) {
        StringBuilder sb = new StringBuilder(label()).append(": ").append(message);
        sb.append("\n  ").append(path());
        if (fix != null && !fix.isEmpty()) {
            sb.append("\n  fix: ").append(fix);
        }
        return sb.toString();
    }

    private List<SourceRef> refs(String element) {
        return node.withUseSites(element == null ? node.source().ref() : node.source().refOf(element));
    }

    /**
     * "input 3x227x227 -> conv1 96x55x55 -> ... -> pool5 256x6x6": the layers along the main path that
     * changed the shape, ending with this layer's input; long paths keep their ends.
     */
    String path() {
        List<String> steps = new ArrayList<>();
        Shape last = null;
        int id = node.inputs().isEmpty() ? 0 : node.inputs().getFirst();
        List<String> reversed = new ArrayList<>();
        while (true) {
            Resolved r = resolved.get(id);
            if (r == null) {
                break;
            }
            if (last == null || !r.output().equals(last) || id == 0) {
                reversed.add(shortName(r.node().name()) + " " + r.output());
            }
            last = r.output();
            if (r.node().inputs().isEmpty()) {
                break;
            }
            id = r.node().inputs().getFirst();
        }
        for (int i = reversed.size() - 1; i >= 0; i--) {
            steps.add(reversed.get(i));
        }
        if (steps.size() > 6) {
            List<String> shortened = new ArrayList<>(steps.subList(0, 2));
            shortened.add("...");
            shortened.addAll(steps.subList(steps.size() - 3, steps.size()));
            steps = shortened;
        }
        return String.join(" -> ", steps);
    }

    private static String shortName(String name) {
        int slash = name.indexOf('/');
        return slash < 0 ? name : name.substring(0, slash);
    }

    static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
