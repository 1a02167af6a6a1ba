package dev.fovea.runtime.data;

/**
 * A batch of model inputs and their labels. The last batch of an epoch may hold fewer than the arrays'
 * size ({@link #count}); the rest of the arrays is zero.
 */
public final class Batch {
    private final float[] images;
    private final int[] labels;
    private int count;
    /** Index of this batch within its epoch. */
    private int index;

    Batch(int batch, int sampleSize) {
        this.images = new float[Math.multiplyExact(batch, sampleSize)];
        this.labels = new int[batch];
    }

    public float[] images() {
        return images;
    }

    public int[] labels() {
        return labels;
    }

    public int count() {
        return count;
    }

    public int index() {
        return index;
    }

    void fill(int index, int count) {
        this.index = index;
        this.count = count;
    }
}
