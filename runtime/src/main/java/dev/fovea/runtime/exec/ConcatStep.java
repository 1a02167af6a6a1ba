package dev.fovea.runtime.exec;

import dev.fovea.runtime.kernels.ChannelBlocks;
import dev.fovea.runtime.kernels.ChannelOps;
import dev.fovea.runtime.kernels.OutputSlice;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A channel concatenation on the fast path. Its inputs and its output share one layout, NCHW or blocked:
 * blocked only when every input's channels fill whole blocks, as a sample's blocks of one input are then
 * a single contiguous run, just as its channels are in NCHW, and joining is the same copy in both. An
 * input whose writer puts it straight into its channels of the output ({@link ConcatSlices}) is not
 * copied; when every input is placed so, the step copies nothing and leaves the plan.
 */
final class ConcatStep implements Step {
    private final String name;
    private final float[][] sources;
    private final int[] channels;
    private final float[] out;
    private final int batch;
    private final int positions;
    private final int totalChannels;
    private final boolean[] placed;
    private Consumer<Workers> copy;

    ConcatStep(String name, float[][] sources, int[] channels, float[] out, int batch, int positions) {
        this.name = name;
        this.sources = sources.clone();
        this.channels = channels.clone();
        this.out = out;
        this.batch = batch;
        this.positions = positions;
        int total = 0;
        for (int c : channels) {
            total += c;
        }
        this.totalChannels = total;
        this.placed = new boolean[sources.length];
        this.copy = copyOfUnplaced();
    }

    /** Whether it can join blocked inputs: every input's channels fill whole blocks. */
    boolean joinsBlocks() {
        for (int c : channels) {
            if (!ChannelBlocks.fits(c)) {
                return false;
            }
        }
        return true;
    }

    int inputs() {
        return sources.length;
    }

    float[] source(int i) {
        return sources[i];
    }

    /** Where input i lies in the output: from its first channel on, in samples of all the channels. */
    OutputSlice slice(int i) {
        int first = 0;
        for (int j = 0; j < i; j++) {
            first += channels[j];
        }
        return new OutputSlice(first * positions, totalChannels * positions);
    }

    /** Input i is written into its slice of the output by its own writer: no longer copied. */
    void placed(int i) {
        placed[i] = true;
        copy = copyOfUnplaced();
    }

    /** Whether every input is written in place, so that the step has nothing left to do. */
    boolean empty() {
        for (boolean p : placed) {
            if (!p) {
                return false;
            }
        }
        return true;
    }

    private Consumer<Workers> copyOfUnplaced() {
        float[][] copied = new float[sources.length][];
        for (int i = 0; i < sources.length; i++) {
            copied[i] = placed[i] ? null : sources[i];
        }
        return ChannelOps.concat(copied, channels, out, batch, positions);
    }

    @Override
    public void run(Workers workers) {
        copy.accept(workers);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "Concat";
    }

    @Override
    public float[][] reads() {
        List<float[]> read = new ArrayList<>();
        for (int i = 0; i < sources.length; i++) {
            if (!placed[i]) {
                read.add(sources[i]);
            }
        }
        return read.toArray(float[][]::new);
    }

    @Override
    public float[] writes() {
        return out;
    }
}
