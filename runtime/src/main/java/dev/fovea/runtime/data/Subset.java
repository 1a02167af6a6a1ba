package dev.fovea.runtime.data;

import dev.fovea.runtime.Shape;
import java.util.List;

/** Some samples of another data set, optionally relabelled. */
final class Subset implements Dataset {
    private final Dataset source;
    private final int[] indices;
    /** New label by old label, or null to keep them. */
    private final int[] relabel;
    private final List<String> classes;
    private final String name;

    Subset(Dataset source, int[] indices, int[] relabel, List<String> classes, String name) {
        this.source = source;
        this.indices = indices.clone();
        this.relabel = relabel == null ? null : relabel.clone();
        this.classes = List.copyOf(classes);
        this.name = name;
        for (int i : indices) {
            if (i < 0 || i >= source.size()) {
                throw new IllegalArgumentException(source.name() + " has " + source.size() + " samples; there is no sample " + i);
            }
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public Shape sampleShape() {
        return source.sampleShape();
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    @Override
    public int label(int index) {
        int label = source.label(indices[index]);
        return relabel == null ? label : relabel[label];
    }

    @Override
    public void read(int index, float[] into, int offset) {
        source.read(indices[index], into, offset);
    }
}
