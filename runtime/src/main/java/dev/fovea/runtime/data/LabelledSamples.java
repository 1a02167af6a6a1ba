package dev.fovea.runtime.data;

import dev.fovea.runtime.Shape;
import java.util.List;

/** What every stored data set has: a name, a sample shape, class names and one label per sample. */
abstract class LabelledSamples implements Dataset {
    private final String name;
    private final int[] labels;
    private final Shape shape;
    private final List<String> classes;

    LabelledSamples(String name, int[] labels, Shape shape, List<String> classes) {
        this.name = name;
        this.labels = labels;
        this.shape = shape;
        this.classes = List.copyOf(classes);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int size() {
        return labels.length;
    }

    @Override
    public final Shape sampleShape() {
        return shape;
    }

    @Override
    public final List<String> classes() {
        return classes;
    }

    @Override
    public final int label(int index) {
        return labels[index];
    }
}
