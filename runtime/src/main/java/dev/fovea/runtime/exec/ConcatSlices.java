package dev.fovea.runtime.exec;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Has each convolution whose result only a concatenation reads write it straight into its channels of
 * the joined tensor, so that the concatenation copies nothing for it: GoogLeNet's four branches, or the
 * new features of a DenseNet layer. Runs once the layouts are settled, as a concatenation's inputs share
 * its layout ({@link ChannelLayouts}), and before the first run.
 */
final class ConcatSlices {
    /** One value written into a buffer, with the steps that read it before the buffer is written again. */
    private static final class Value {
        final Step writer;
        final int writtenAt;
        final List<Step> readers = new ArrayList<>();

        Value(Step writer, int writtenAt) {
            this.writer = writer;
            this.writtenAt = writtenAt;
        }
    }

    private ConcatSlices() {
    }

    /**
     * Places what it can and drops the concatenations left with nothing to copy; {@code output} is the
     * network's result, which stays where the caller reads it.
     */
    static void place(List<Step> steps, float[] output) {
        Map<float[], Value> current = new IdentityHashMap<>();
        Map<ConcatStep, Value[]> joined = new IdentityHashMap<>();
        Map<ConcatStep, Integer> position = new IdentityHashMap<>();
        for (int s = 0; s < steps.size(); s++) {
            Step step = steps.get(s);
            for (float[] buffer : step.reads()) {
                Value v = current.get(buffer);
                if (v != null) {
                    v.readers.add(step);
                }
            }
            if (step instanceof ConcatStep c) {
                Value[] inputs = new Value[c.inputs()];
                for (int i = 0; i < inputs.length; i++) {
                    inputs[i] = current.get(c.source(i));
                }
                joined.put(c, inputs);
                position.put(c, s);
            }
            current.put(step.writes(), new Value(step, s));
        }
        for (Map.Entry<ConcatStep, Value[]> e : joined.entrySet()) {
            ConcatStep c = e.getKey();
            Value[] inputs = e.getValue();
            for (int i = 0; i < inputs.length; i++) {
                Value v = inputs[i];
                if (v != null && v.writer instanceof LinearStep writer && placeable(v, c, output)
                        && untouchedBetween(steps, c.writes(), v.writtenAt, position.get(c), inputs)) {
                    writer.writeInto(c.writes(), c.slice(i));
                    c.placed(i);
                }
            }
        }
        steps.removeIf(step -> step instanceof ConcatStep c && c.empty());
    }

    /** The concatenation is the value's only reader, and its writer can write a slice. */
    private static boolean placeable(Value v, ConcatStep c, float[] output) {
        LinearStep writer = (LinearStep) v.writer;
        return v.readers.size() == 1 && v.readers.get(0) == c && writer.canWriteSlice() && writer.writes() != output;
    }

    /**
     * Whether no step from the value's writer up to the concatenation reads or writes the joined buffer,
     * but the writers of the concatenation's own inputs: the buffer must hold nothing else meanwhile.
     */
    private static boolean untouchedBetween(List<Step> steps, float[] joinedBuffer, int from, int to, Value[] inputs) {
        for (int s = from + 1; s < to; s++) {
            Step step = steps.get(s);
            boolean inputWriter = false;
            for (Value v : inputs) {
                inputWriter |= v != null && v.writer == step;
            }
            if (inputWriter) {
                continue;
            }
            if (step.writes() == joinedBuffer) {
                return false;
            }
            for (float[] read : step.reads()) {
                if (read == joinedBuffer) {
                    return false;
                }
            }
        }
        return true;
    }
}
