package dev.fovea.zoo.cli;

import dev.fovea.runtime.LayerInfo;
import dev.fovea.runtime.ModelInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Draws a network as SVG: one box per member (its stacked layers together: "Conv2d 3x3 p1 + BatchNorm +
 * ReLU") with its output shape, in execution order from the top; an edge from each box to the boxes that
 * read it, straight down when it is the next one, an arc on the right when it skips ahead (a branch, a
 * shortcut, a concatenation's input), so that branches and merges stand out.
 */
final class SvgGraph {
    private static final int WIDTH = 460;
    private static final int BOX_HEIGHT = 38;
    private static final int GAP = 16;
    private static final int LEFT = 20;

    private record Box(String name, String label, String shape, Set<String> inputs) {}

    private SvgGraph() {}

    static String render(ModelInfo info) {
        List<Box> boxes = group(info);
        Map<String, Integer> row = new HashMap<>();
        row.put("input", 0);
        for (int i = 0; i < boxes.size(); i++) {
            row.put(boxes.get(i).name(), i + 1);
        }
        int rows = boxes.size() + 1;
        int height = rows * (BOX_HEIGHT + GAP) + GAP;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH + 260, height));
        svg.append("<title>").append(escape(info.simpleName())).append("</title>\n");
        svg.append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" "
                + "orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555\"/></marker></defs>\n");
        box(svg, 0, "input", "Input", info.input().toString(), "#e8f0fe");
        for (int i = 0; i < boxes.size(); i++) {
            Box b = boxes.get(i);
            int to = i + 1;
            for (String in : b.inputs()) {
                Integer from = row.get(in);
                if (from != null) {
                    edge(svg, from, to);
                }
            }
            box(svg, to, b.name(), b.label(), b.shape(), b.inputs().size() > 1 ? "#fff4e5" : "#ffffff");
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** Consecutive layers of one member (conv1, conv1/batchnorm, conv1/relu) become one box. */
    private static List<Box> group(ModelInfo info) {
        List<Box> boxes = new ArrayList<>();
        Map<String, String> boxOf = new HashMap<>();
        boxOf.put("input", "input");
        String current = null;
        List<String> types = new ArrayList<>();
        Set<String> inputs = new LinkedHashSet<>();
        String shape = "";
        for (LayerInfo l : info.layers()) {
            String base = l.name().contains("/") ? l.name().substring(0, l.name().indexOf('/')) : l.name();
            if (!base.equals(current)) {
                if (current != null) {
                    boxes.add(new Box(current, String.join(" + ", types), shape, inputs));
                }
                current = base;
                types = new ArrayList<>();
                inputs = new LinkedHashSet<>();
            }
            types.add(l.detail().isEmpty() ? l.type() : l.type() + " " + l.detail());
            for (String in : l.inputs()) {
                String from = boxOf.getOrDefault(in, in);
                if (!from.equals(current)) {
                    inputs.add(from);
                }
            }
            boxOf.put(l.name(), base);
            shape = l.output().toString();
        }
        if (current != null) {
            boxes.add(new Box(current, String.join(" + ", types), shape, inputs));
        }
        return boxes;
    }

    private static int top(int row) {
        return GAP + row * (BOX_HEIGHT + GAP);
    }

    private static void box(StringBuilder svg, int row, String name, String label, String shape, String fill) {
        int y = top(row);
        svg.append(String.format(Locale.ROOT, "<g><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"5\" fill=\"%s\" stroke=\"#333\"/>"
                + "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text><text x=\"%d\" y=\"%d\" fill=\"#333\">%s</text>"
                + "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#1a5fb4\">%s</text></g>%n",
                LEFT, y, WIDTH, BOX_HEIGHT, fill, LEFT + 8, y + 15, escape(name), LEFT + 8, y + 31, escape(shorten(label, 62)),
                LEFT + WIDTH - 8, y + 15, escape(shape)));
    }

    private static void edge(StringBuilder svg, int from, int to) {
        int x = LEFT + WIDTH / 2;
        if (to == from + 1) {
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\" marker-end=\"url(#arrow)\"/>%n",
                    x, top(from) + BOX_HEIGHT, x, top(to)));
            return;
        }
        int right = LEFT + WIDTH;
        int reach = Math.min(240, 20 + 6 * (to - from));
        int y1 = top(from) + BOX_HEIGHT / 2;
        int y2 = top(to) + BOX_HEIGHT / 2;
        svg.append(String.format(Locale.ROOT, "<path d=\"M %d %d C %d %d, %d %d, %d %d\" fill=\"none\" stroke=\"#c64600\" "
                + "marker-end=\"url(#arrow)\"/>%n", right, y1, right + reach, y1, right + reach, y2, right, y2));
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
