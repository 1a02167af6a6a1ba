package dev.fovea.runtime.fit;

/**
 * Counts of correct predictions over batches: top-1, top-5 (the seeds' metric: the label among the five
 * best), and a confusion matrix of true label by top-1 prediction. With penalties (an RBF output) the
 * smallest output is the best.
 */
final class Scores {
    private final int classes;
    private final boolean penalties;
    private final long[][] confusion;
    private long top1;
    private long top5;
    private long count;

    Scores(int classes, boolean penalties) {
        this.classes = classes;
        this.penalties = penalties;
        this.confusion = new long[classes][classes];
    }

    /** Counts the first {@code rows} rows of {@code outputs}, {@code classes} values a row. */
    void add(float[] outputs, int[] labels, int rows) {
        for (int r = 0; r < rows; r++) {
            int base = r * classes;
            int label = labels[r];
            float mine = score(outputs[base + label]);
            int rank = 0;
            int best = 0;
            for (int k = 0; k < classes; k++) {
                float s = score(outputs[base + k]);
                if (s > mine || (s == mine && k < label)) {
                    rank++;
                }
                if (s > score(outputs[base + best])) {
                    best = k;
                }
            }
            top1 += rank < 1 ? 1 : 0;
            top5 += rank < 5 ? 1 : 0;
            confusion[label][best]++;
        }
        count += rows;
    }

    private float score(float output) {
        return penalties ? -output : output;
    }

    long count() {
        return count;
    }

    long top1Correct() {
        return top1;
    }

    /** Restores the counts of a partly done epoch (from a checkpoint). */
    void restore(long correct, long seen) {
        top1 = correct;
        count = seen;
    }

    double top1() {
        return count == 0 ? 0 : (double) top1 / count;
    }

    double top5() {
        return count == 0 ? 0 : (double) top5 / count;
    }

    long[][] confusion() {
        long[][] copy = new long[classes][];
        for (int i = 0; i < classes; i++) {
            copy[i] = confusion[i].clone();
        }
        return copy;
    }
}
