package dev.fovea.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders a {@link ModelInfo} as a table of layers, output shapes, parameters and MACs, with totals. */
public final class SummaryTable {
    private static final String[] HEADERS = {"Layer", "Type", "Output", "Params", "MACs"};
    private static final String[] HEADERS_WITH_ROLE = {"Layer", "Type", "Output", "Params", "MACs", "Role"};

    private SummaryTable() {}

    /** {@code batch} 0 gives the training memory per sample only. */
    public static String render(ModelInfo info, int batch) {
        List<String[]> rows = new ArrayList<>();
        boolean roles = info.layers().stream().anyMatch(l -> !l.role().isEmpty());
        String[] headers = roles ? HEADERS_WITH_ROLE : HEADERS;
        for (LayerInfo l : info.layers()) {
            String type = l.detail().isEmpty() ? l.type() : l.type() + " " + l.detail();
            String[] row = {l.name(), type, l.output().toString(), count(l.params()), count(l.macs())};
            rows.add(roles ? new String[] {row[0], row[1], row[2], row[3], row[4], l.role()} : row);
        }
        int[] width = new int[headers.length];
        for (int c = 0; c < headers.length; c++) {
            width[c] = headers[c].length();
            for (String[] row : rows) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        int total = 0;
        for (int w : width) {
            total += w + 2;
        }
        String rule = "-".repeat(total - 2);
        StringBuilder sb = new StringBuilder();
        sb.append(info.simpleName()).append(" (input ").append(info.input()).append(")\n");
        sb.append(rule).append('\n');
        line(sb, headers, width);
        sb.append(rule).append('\n');
        for (String[] row : rows) {
            line(sb, row, width);
        }
        sb.append(rule).append('\n');
        sb.append("Output:                ").append(info.output()).append('\n');
        sb.append("Params:                ").append(count(info.params())).append('\n');
        sb.append("Trainable params:      ").append(count(info.trainableParams())).append('\n');
        sb.append("Non-trainable params:  ").append(count(info.params() - info.trainableParams())).append('\n');
        sb.append("Buffers (BN stats):    ").append(count(info.bufferValues())).append('\n');
        long frozenNorms = info.layers().stream().filter(l -> l.frozen() && l.type().equals("BatchNorm")).count();
        if (frozenNorms > 0) {
            sb.append("Frozen batch norm:     ").append(frozenNorms).append(frozenNorms == 1
                    ? " layer normalises with its running statistics in training too, and leaves them unchanged\n"
                    : " layers normalise with their running statistics in training too, and leave them unchanged\n");
        }
        if (!info.base().isEmpty()) {
            sb.append("Derived from:          ").append(info.base()).append(": ").append(lineage(info)).append('\n');
        }
        sb.append("MACs:                  ").append(count(info.macs())).append(" (").append(giga(info.macs())).append(" G)\n");
        sb.append("Activations:           ").append(mib(info.activationBytes())).append(" MiB per sample (all layers)\n");
        sb.append("Peak activations:      ").append(mib(info.peakActivationBytes())).append(" MiB per sample (inference plan)\n");
        sb.append("Training memory:       ").append(mib(info.trainingBytesPerSample())).append(" MiB per sample (")
                .append(mib(info.gradientBytesPerSample())).append(" MiB of it shared gradient buffers) + ")
                .append(mib(info.parameterGradientBytes())).append(" MiB of parameter gradients");
        if (batch > 0) {
            sb.append("; ").append(mib(info.trainingBytes(batch))).append(" MiB at batch ").append(batch);
        }
        sb.append('\n');
        return sb.toString();
    }

    /** "58 layers inherited (45 frozen), 1 replaced, 2 added". */
    private static String lineage(ModelInfo info) {
        long inherited = info.layers().stream().filter(l -> l.role().startsWith("inherited")).count();
        long frozen = info.layers().stream().filter(l -> l.role().equals("inherited, frozen")).count();
        long replaced = info.layers().stream().filter(l -> l.role().startsWith("replaced")).count();
        long added = info.layers().stream().filter(l -> l.role().startsWith("added")).count();
        return inherited + " layers inherited (" + frozen + " frozen), " + replaced + " replaced, " + added + " added";
    }

    private static void line(StringBuilder sb, String[] cells, int[] width) {
        StringBuilder row = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            boolean numeric = c == 3 || c == 4;
            String cell = numeric ? pad(cells[c], width[c], true) : pad(cells[c], width[c], false);
            row.append(cell).append(c < cells.length - 1 ? "  " : "");
        }
        sb.append(row.toString().stripTrailing()).append('\n');
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(width - s.length());
        return right ? fill + s : s + fill;
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String giga(long n) {
        return String.format(Locale.ROOT, "%.2f", n / 1e9);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.2f", bytes / (1024.0 * 1024.0));
    }
}
