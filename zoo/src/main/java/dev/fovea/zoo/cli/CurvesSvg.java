package dev.fovea.zoo.cli;

import dev.fovea.runtime.fit.EpochResult;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The loss and top-1 curves of a run, by epoch, as an SVG of two charts side by side. */
final class CurvesSvg {
    private static final int WIDTH = 420;
    private static final int HEIGHT = 280;
    private static final int MARGIN = 48;

    private CurvesSvg() {}

    static String render(String title, List<EpochResult> history) {
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
                + "font-size=\"12\">%n", 2 * WIDTH, HEIGHT + 30));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\">%s</text>%n", MARGIN, escape(title)));
        boolean test = history.stream().anyMatch(EpochResult::hasTest);
        chart(svg, 0, "loss", history, EpochResult::trainLoss, test ? EpochResult::testLoss : null, false);
        chart(svg, WIDTH, "top-1 (%)", history, r -> 100 * r.trainTop1(), test ? r -> 100 * r.testTop1() : null, true);
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void chart(StringBuilder svg, int left, String label, List<EpochResult> h, ToDoubleFunction<EpochResult> train,
            ToDoubleFunction<EpochResult> test, boolean percent) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (EpochResult r : h) {
            for (ToDoubleFunction<EpochResult> f : test == null ? List.of(train) : List.of(train, test)) {
                double v = f.applyAsDouble(r);
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (!(hi >= lo)) {
            lo = 0;
            hi = 1;
        }
        if (hi == lo) {
            hi = lo + 1;
        }
        int top = 30;
        int x0 = left + MARGIN;
        int x1 = left + WIDTH - 16;
        int y0 = top + HEIGHT - MARGIN;
        int y1 = top + 10;
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n", x0, y1,
                x1 - x0, y0 - y1));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", x0, y1 - 2, label));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", x0 - 4, y0, fmt(lo, percent)));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", x0 - 4, y1 + 10, fmt(hi, percent)));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">epoch (1 to %d)</text>%n", (x0 + x1) / 2,
                y0 + 20, h.size()));
        line(svg, h, train, x0, x1, y0, y1, lo, hi, "#1f77b4", "train");
        if (test != null) {
            line(svg, h, test, x0, x1, y0, y1, lo, hi, "#d62728", "test");
        }
    }

    private static void line(StringBuilder svg, List<EpochResult> h, ToDoubleFunction<EpochResult> f, int x0, int x1, int y0, int y1,
            double lo, double hi, String color, String name) {
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < h.size(); i++) {
            double v = f.applyAsDouble(h.get(i));
            if (!Double.isFinite(v)) {
                continue;
            }
            double x = h.size() == 1 ? (x0 + x1) / 2.0 : x0 + (x1 - x0) * i / (double) (h.size() - 1);
            double y = y0 - (y0 - y1) * (v - lo) / (hi - lo);
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"><title>%s</title>"
                + "</polyline>%n", color, points.toString().strip(), name));
        int legend = name.equals("train") ? 0 : 1;
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n", x1 - 40, y1 + 16 + 14 * legend, color, name));
    }

    private static String fmt(double v, boolean percent) {
        return percent ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.3g", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
