package dev.fovea.runtime.data;

import dev.fovea.runtime.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Labelled samples of one shape, read by index. A sample's values are channels x height x width floats
 * in [0, 1] for images (before any normalisation); labels count from 0 up to {@code classes().size()}.
 * Subsets are views: they share the samples and copy nothing but indices.
 */
public interface Dataset {
    /** What the data is, for messages and logs: the file or folder it came from. */
    String name();

    int size();

    Shape sampleShape();

    /** The class names, by label. */
    List<String> classes();

    int label(int index);

    /** Writes sample {@code index} into {@code into} at {@code offset}: {@code sampleShape().elements()} values. */
    void read(int index, float[] into, int offset);

    /**
     * Samples held in memory: {@code values} holds one sample of {@code shape} after another, used as they
     * are (no scaling); {@code labels} one class number each.
     */
    static Dataset of(String name, float[] values, int[] labels, Shape shape, List<String> classes) {
        if ((long) labels.length * shape.elements() != values.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values are not " + labels.length + " samples of " + shape);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes.size()) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of sample " + i + " is not one of " + classes.size() + " classes");
            }
        }
        return new FloatSamples(name, values, labels, shape, classes);
    }

    /** The samples at {@code indices}, in that order. */
    default Dataset subset(int[] indices, String description) {
        return new Subset(this, indices, null, classes(), name() + " " + description);
    }

    /** The first {@code count} samples (all of them when there are fewer). */
    default Dataset limit(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("a size limit cannot be negative: " + count);
        }
        if (count >= size()) {
            return this;
        }
        int[] first = new int[count];
        Arrays.setAll(first, i -> i);
        return subset(first, "(first " + count + ")");
    }

    /** Samples {@code from} (inclusive) to {@code to} (exclusive), for a train/validation split. */
    default Dataset range(int from, int to) {
        if (from < 0 || to > size() || from > to) {
            throw new IllegalArgumentException("samples " + from + " to " + to + " are not within the " + size() + " of " + name());
        }
        int[] indices = new int[to - from];
        Arrays.setAll(indices, i -> from + i);
        return subset(indices, "[" + from + ", " + to + ")");
    }

    /** A split of a data set in two: what trains, and what is held out to validate it. */
    record Split(Dataset train, Dataset validation) {}

    /**
     * {@code count} samples drawn at random (from {@code seed}) held out for validation, and the rest, each
     * in the data's own order.
     */
    default Split holdOut(int count, long seed) {
        if (count <= 0 || count >= size()) {
            throw new IllegalArgumentException("a validation split takes between 1 and " + (size() - 1) + " samples, not " + count);
        }
        int[] order = Permutation.shuffled(size(), seed);
        int[] validation = Arrays.copyOfRange(order, 0, count);
        int[] rest = Arrays.copyOfRange(order, count, order.length);
        Arrays.sort(validation);
        Arrays.sort(rest);
        return new Split(subset(rest, "(training part)"), subset(validation, "(validation part)"));
    }

    /**
     * Only the samples of the given classes, relabelled 0, 1, ... in the order given, as a new head on
     * a pretrained network needs them (classes 5 to 9 become labels 0 to 4).
     */
    default Dataset classSubset(int... kept) {
        int[] relabel = new int[classes().size()];
        Arrays.fill(relabel, -1);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < kept.length; i++) {
            int c = kept[i];
            if (c < 0 || c >= relabel.length) {
                throw new IllegalArgumentException(name() + " has classes 0 to " + (relabel.length - 1) + ", not " + c);
            }
            if (relabel[c] >= 0) {
                throw new IllegalArgumentException("class " + c + " is named twice");
            }
            relabel[c] = i;
            names.add(classes().get(c));
        }
        int[] indices = new int[size()];
        int count = 0;
        for (int i = 0; i < size(); i++) {
            if (relabel[label(i)] >= 0) {
                indices[count++] = i;
            }
        }
        return new Subset(this, Arrays.copyOf(indices, count), relabel, names, name() + " classes " + Arrays.toString(kept));
    }
}
