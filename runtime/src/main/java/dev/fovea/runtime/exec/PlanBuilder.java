package dev.fovea.runtime.exec;

import dev.fovea.runtime.Shape;
import dev.fovea.runtime.kernels.Activation;
import dev.fovea.runtime.kernels.ChannelMoves;
import dev.fovea.runtime.kernels.ChannelOps;
import dev.fovea.runtime.kernels.ConvGeometry;
import dev.fovea.runtime.kernels.Pooling;
import dev.fovea.runtime.kernels.VectorActivations;
import dev.fovea.runtime.kernels.Reference;
import dev.fovea.runtime.weights.Parameters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Builds an {@link InferenceSession}; generated model classes call it once per layer, in order, with the
 * layer's static shape and its input and output buffers (the compiler's live-range plan; -1 is the
 * network's input). In {@link Mode#FAST} it folds batch norm and layer scale into the preceding
 * convolution or dense layer and fuses activations and residual additions into its epilogue, wherever
 * the buffers show that nothing else reads the intermediate value: the compiler only lets a layer
 * overwrite its input when it is that input's only reader. {@link Mode#REFERENCE} runs every layer on
 * the plain reference kernels, unfused: the standard the fast path is tested against.
 */
public final class PlanBuilder {
    public enum Mode { FAST, REFERENCE }

    private final Parameters parameters;
    private final int batch;
    private final Mode mode;
    private final float[] input;
    private final float[][] buffers;
    private final int[] bufferFloats;
    private final boolean[] standIn;
    private final List<Step> steps = new ArrayList<>();
    private final Workspace workspace = new Workspace();
    /**
     * The tensors taken for steps as they were added, and those several steps read; the others are forgotten
     * before the kernels pack, so each unpacked array can go once packed.
     */
    private final Map<String, float[]> held = new HashMap<>();
    /** How many steps read each tensor. */
    private final Map<String, Integer> uses = new HashMap<>();
    private LinearStep open;
    /** The last step, when it is a standalone batch norm that a following activation may still join. */
    private ChannelOps.Affine openAffine;
    private float[] openAffineOut;

    /** {@code bufferFloats} is each buffer's size for one sample. */
    public PlanBuilder(Parameters parameters, int batch, Mode mode, int inputFloats, int[] bufferFloats) {
        this(parameters, batch, mode, inputFloats, bufferFloats, new boolean[bufferFloats.length]);
    }

    /**
     * As above; where {@code standIn} is true, the buffer holds a tensor that the fast path's fused steps never
     * hold whole (see {@code InferenceBuffers}), and the steps are built against a {@link StandIns stand-in}.
     * Each buffer is allocated when a layer first names it.
     */
    public PlanBuilder(Parameters parameters, int batch, Mode mode, int inputFloats, int[] bufferFloats, boolean[] standIn) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1 but is " + batch);
        }
        this.parameters = parameters;
        this.batch = batch;
        this.mode = mode;
        this.input = new float[Math.multiplyExact(batch, inputFloats)];
        this.bufferFloats = bufferFloats.clone();
        this.standIn = standIn.clone();
        this.buffers = new float[bufferFloats.length][];
    }

    private float[] buffer(int id) {
        if (id < 0) {
            return input;
        }
        if (buffers[id] == null) {
            buffers[id] = standIn[id] && fast() ? StandIns.make() : new float[Math.multiplyExact(batch, bufferFloats[id])];
        }
        return buffers[id];
    }

    /**
     * Whether a 1x1 layer of geometry e and the depthwise layer that alone reads its output run as one step at this
     * batch on the fast path, with these activations folded in: then the expanded tensor between them is never
     * held whole.
     */
    public static boolean fusesExpandDepthwise(ConvGeometry e, Activation ea, ConvGeometry d, Activation da, int batch) {
        return ExpandDepthwiseStep.pairs(e, ea, d, da, batch);
    }

    /** A tensor a step reads as it is added, once per name however many steps read it. */
    private float[] tensor(String name) {
        if (name == null) {
            return null;
        }
        uses.merge(name, 1, Integer::sum);
        return held.computeIfAbsent(name, parameters::take);
    }

    /**
     * A weight its kernel reads only when it packs it, once every step is in: from parameters given to
     * this one session, the array is taken (made or read) then, and is the step's own to fold factors into
     * when no other step reads it. So no more than a layer's unpacked weights exist at a time.
     */
    private LinearStep.Weight weightAtPacking(String name) {
        uses.merge(name, 1, Integer::sum);
        return new LinearStep.Weight() {
            @Override
            public float[] values() {
                return own() ? parameters.take(name) : held.computeIfAbsent(name, parameters::take);
            }

            @Override
            public boolean own() {
                return parameters.handedOver() && uses.get(name) == 1;
            }

            @Override
            public void packed(float[] values) {
                parameters.giveBack(values);
            }
        };
    }

    private static float[] ones(int channels) {
        float[] ones = new float[channels];
        java.util.Arrays.fill(ones, 1f);
        return ones;
    }

    private boolean fast() {
        return mode == Mode.FAST;
    }

    private void add(Step step) {
        seal();
        openAffine = null;
        steps.add(step);
    }

    private void add(String name, String kind, Io io, Consumer<Workers> body) {
        add(new Step() {
            @Override
            public void run(Workers workers) {
                body.accept(workers);
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public String kind() {
                return kind;
            }

            @Override
            public float[][] reads() {
                return io.reads();
            }

            @Override
            public float[] writes() {
                return io.writes();
            }
        });
    }

    /** The buffers a step reads and the one it writes. */
    private record Io(float[][] reads, float[] writes) {
    }

    private static Io io(float[] writes, float[]... reads) {
        return new Io(reads, writes);
    }

    private void seal() {
        if (open != null) {
            steps.add(open);
            open = null;
        }
    }

    /** The open linear step when it wrote buffer {@code id}, the layer being added reads it in place. */
    private LinearStep openWriting(int in, int out) {
        return fast() && open != null && in == out && open.out == buffer(out) ? open : null;
    }

    // ---- convolutions and linear layers

    public void conv2d(String name, int in, int out, String weight, String bias, int ci, int ih, int iw, int co, int oh, int ow,
            int kh, int kw, int sh, int sw, int pt, int pl, int dh, int dw, int groups) {
        convolve(name, in, out, weightAtPacking(weight), tensor(bias), new ConvGeometry(ci, ih, iw, co, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw,
                groups));
    }

    /**
     * LeNet's partially connected convolution: the weight holds only the connected (output, input) pairs,
     * output-major, as the table lists them ({@code table[input].charAt(output) == 'X'}).
     */
    public void conv2dPartial(String name, int in, int out, String weight, String bias, String[] table, int ci, int ih, int iw, int co,
            int oh, int ow, int kh, int kw) {
        float[] links = tensor(weight);
        float[] full = new float[co * ci * kh * kw];
        int link = 0;
        for (int o = 0; o < co; o++) {
            for (int c = 0; c < ci; c++) {
                if (table[c].charAt(o) == 'X') {
                    System.arraycopy(links, link * kh * kw, full, (o * ci + c) * kh * kw, kh * kw);
                    link++;
                }
            }
        }
        convolve(name, in, out, LinearStep.Weight.own(full), tensor(bias), new ConvGeometry(ci, ih, iw, co, oh, ow, kh, kw, 1, 1, 0, 0, 1, 1, 1));
    }

    private void convolve(String name, int in, int out, LinearStep.Weight weight, float[] b, ConvGeometry g) {
        if (fast()) {
            seal();
            open = new LinearStep(name, g, weight, b, buffer(in), buffer(out), batch, false, workspace);
            return;
        }
        float[] w = weight.values();
        float[] src = buffer(in);
        float[] dst = buffer(out);
        add(name, "Conv2d", io(dst, src), workers -> Reference.conv2d(src, w, b, dst, batch, g.ci(), g.ih(), g.iw(), g.co(), g.oh(), g.ow(), g.kh(), g.kw(),
                g.sh(), g.sw(), g.pt(), g.pl(), g.dh(), g.dw(), g.groups()));
    }

    public void dense(String name, int in, int out, String weight, String bias, int features, int units) {
        float[] b = tensor(bias);
        if (fast()) {
            seal();
            open = new LinearStep(name, features, units, weightAtPacking(weight), b, buffer(in), buffer(out), batch);
            return;
        }
        float[] w = tensor(weight);
        float[] src = buffer(in);
        float[] dst = buffer(out);
        add(name, "Dense", io(dst, src), workers -> Reference.dense(src, w, b, dst, batch, features, units));
    }

    public void convTranspose2d(String name, int in, int out, String weight, String bias, int ci, int ih, int iw, int co, int oh, int ow,
            int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int groups) {
        float[] w = tensor(weight);
        float[] b = tensor(bias);
        float[] src = buffer(in);
        float[] dst = buffer(out);
        add(name, "ConvTranspose2d", io(dst, src), workers -> Reference.convTranspose2d(src, w, b, dst, batch, ci, ih, iw, co, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups));
    }

    // ---- normalisation and scaling

    /** Batch norm in inference, from its prefix's weight (ones when it learns no scale), bias, running_mean and running_var. */
    public void batchNorm(String name, int in, int out, String prefix, boolean learnsScale, double eps, int channels, int positions) {
        float[] gamma = learnsScale ? tensor(prefix + ".weight") : ones(channels);
        float[] beta = tensor(prefix + ".bias");
        float[] mean = tensor(prefix + ".running_mean");
        float[] var = tensor(prefix + ".running_var");
        float[][] affine = normAsAffine(gamma, prefix, channels, eps);
        float[] scale = affine[0];
        float[] shift = affine[1];
        LinearStep target = openWriting(in, out);
        if (target != null && target.canFold()) {
            target.fold(scale, shift);
            return;
        }
        float[] src = buffer(in);
        float[] dst = buffer(out);
        if (!fast()) {
            add(name, "BatchNorm", io(dst, src), workers -> Reference.batchNorm(src, dst, batch, channels, positions, gamma, beta, mean, var, eps));
            return;
        }
        ChannelOps.Affine step = ChannelOps.affine(src, dst, batch, channels, positions, scale, shift);
        add(name, "BatchNorm", io(dst, src), step);
        openAffine = step;
        openAffineOut = dst;
    }

    /** A constant factor: folded into the convolution or dense layer that writes the input, where one can take it. */
    public void multiply(String name, int in, int out, double factor, int channels, int positions) {
        float[] scale = new float[channels];
        java.util.Arrays.fill(scale, (float) factor);
        scaleChannels(name, "Multiply", in, out, scale, channels, positions);
    }

    /** ConvNeXt's per-channel learned factor, from the tensor named {@code tensor}. */
    public void layerScale(String name, int in, int out, String tensor, int channels, int positions) {
        scaleChannels(name, "LayerScale", in, out, tensor(tensor), channels, positions);
    }

    /** Multiplies each channel by its factor: folded into the linear layer that writes the input where it can take it, else a step. */
    private void scaleChannels(String name, String kind, int in, int out, float[] scale, int channels, int positions) {
        LinearStep target = openWriting(in, out);
        if (target != null && target.canFold()) {
            target.fold(scale, null);
            return;
        }
        float[] src = buffer(in);
        float[] dst = buffer(out);
        add(name, kind, io(dst, src), workers -> Reference.scaleChannels(src, scale, dst, batch, channels, positions, false));
    }

    public void layerNorm(String name, int in, int out, String prefix, double eps, int channels, int positions) {
        float[] gamma = tensor(prefix + ".weight");
        float[] beta = tensor(prefix + ".bias");
        float[] src = buffer(in);
        float[] dst = buffer(out);
        if (fast()) {
            add(name, "LayerNorm", io(dst, src), ChannelOps.layerNorm(src, dst, batch, channels, positions, gamma, beta, eps));
            return;
        }
        add(name, "LayerNorm", io(dst, src), workers -> Reference.layerNorm(src, dst, batch, channels, positions, gamma, beta, eps));
    }

    public void localResponseNorm(String name, int in, int out, int size, double alpha, double beta, double k, int channels,
            int positions) {
        float[] src = buffer(in);
        float[] dst = buffer(out);
        add(name, "LocalResponseNorm", io(dst, src), workers -> Reference.localResponseNorm(src, dst, batch, channels, positions, size, alpha, beta, k));
    }

    // ---- element-wise

    public void activation(String name, int in, int out, Activation a, double slope, int count) {
        LinearStep target = openWriting(in, out);
        if (target != null && target.canTakeActivation(a)) {
            target.activation(a, (float) slope);
            return;
        }
        if (fast() && openAffine != null && in == out && openAffineOut == buffer(out) && !openAffine.hasActivation()) {
            openAffine.activation(a, (float) slope);
            return;
        }
        float[] src = buffer(in);
        float[] dst = buffer(out);
        int total = batch * count;
        int chunk = 1 << 14;
        float s = (float) slope;
        java.util.function.IntConsumer apply = t -> {
            int from = t * chunk;
            int to = Math.min(total, from + chunk);
            if (src != dst) {
                System.arraycopy(src, from, dst, from, to - from);
            }
            if (fast()) {
                VectorActivations.apply(dst, from, to, a, s);
            } else {
                a.apply(dst, from, to, s);
            }
        };
        add(name, "Activation", io(dst, src), workers -> workers.parallelFor((total + chunk - 1) / chunk, apply));
    }

    public void softmax(String name, int in, int out, int channels, int positions) {
        float[] src = buffer(in);
        float[] dst = buffer(out);
        add(name, "Softmax", io(dst, src), workers -> Reference.softmax(src, dst, batch, channels, positions));
    }

    /** Flatten and dropout in inference: the values pass unchanged (copied when the buffers differ). */
    public void identity(String name, int in, int out, int count) {
        if (in == out) {
            return;
        }
        float[] src = buffer(in);
        float[] dst = buffer(out);
        add(name, "Copy", io(dst, src), workers -> System.arraycopy(src, 0, dst, 0, batch * count));
    }

    // ---- pooling

    public void pool2d(String name, boolean max, int in, int out, int channels, int ih, int iw, int oh, int ow, int kh, int kw, int sh,
            int sw, int pt, int pl, int pb, int pr, int dh, int dw, boolean countIncludePad) {
        float[] src = buffer(in);
        float[] dst = buffer(out);
        if (fast() && max && dh == 1 && dw == 1) {
            add(PoolStep.max(name, src, dst, batch, channels, ih, iw, oh, ow, kh, kw, sh, sw, pt, pl, pb, pr));
            return;
        }
        if (fast() && dh == 1 && dw == 1) {
            add(name, max ? "MaxPool2d" : "AvgPool2d", io(dst, src), Pooling.prepare(max, src, dst, batch * channels, ih, iw, oh, ow, kh, kw, sh, sw, pt,
                    pl, pb, pr, countIncludePad));
            return;
        }
        add(name, max ? "MaxPool2d" : "AvgPool2d", io(dst, src), workers -> Reference.pool2d(max, src, dst, batch, channels, ih, iw, oh, ow, kh, kw,
                sh, sw, pt, pl, pb, pr, dh, dw, countIncludePad));
    }

    public void adaptiveAvgPool2d(String name, int in, int out, int channels, int ih, int iw, int oh, int ow) {
        float[] src = buffer(in);
        float[] dst = buffer(out);
        if (fast() && oh == 1 && ow == 1) {
            add(PoolStep.globalAverage(name, src, dst, batch, channels, ih * iw));
            return;
        }
        if (fast() && oh == ih && ow == iw) {
            add(PoolStep.sameSizeAverage(name, src, dst, batch, channels, ih * iw));
            return;
        }
        add(name, "AdaptiveAvgPool2d", io(dst, src), workers -> Reference.adaptiveAvgPool2d(src, dst, batch, channels, ih, iw, oh, ow));
    }

    public void subsample(String name, int in, int out, String prefix, int channels, int ih, int iw, int oh, int ow, int kh, int kw,
            int sh, int sw) {
        float[] w = tensor(prefix + ".weight");
        float[] b = tensor(prefix + ".bias");
        float[] src = buffer(in);
        float[] dst = buffer(out);
        add(name, "Subsample", io(dst, src), workers -> Reference.subsample(src, dst, batch, channels, ih, iw, oh, ow, kh, kw, sh, sw, w, b));
    }

    public void euclideanRbf(String name, int in, int out, String weight, int features, int units) {
        float[] w = tensor(weight);
        float[] src = buffer(in);
        float[] dst = buffer(out);
        add(name, "EuclideanRbf", io(dst, src), workers -> Reference.euclideanRbf(src, w, dst, batch, features, units));
    }

    // ---- joining

    /** out = in0 + in1; fused into the convolution that wrote in0 when it can take a residual. */
    public void add(String name, int in0, int in1, int out, int count) {
        LinearStep target = openWriting(in0, out);
        if (target != null && in1 != in0 && target.canTakeResidual()) {
            target.residual(buffer(in1));
            return;
        }
        target = openWriting(in0, in0);
        if (target != null && out == in1 && in1 != in0 && target.in() != buffer(out) && target.canTakeResidual() && target.addsInPlace()) {
            // The compiler puts the sum over the shortcut only where this addition alone reads in0: the layer
            // that makes it writes the sum there instead, each line of the shortcut read once and written back.
            target.out = buffer(out);
            target.residual(buffer(in1));
            return;
        }
        float[] a = buffer(in0);
        float[] b = buffer(in1);
        float[] dst = buffer(out);
        if (fast()) {
            add(name, "Add", io(dst, a, b), ChannelOps.add(a, b, dst, batch * count));
            return;
        }
        add(name, "Add", io(dst, a, b), workers -> Reference.add(a, b, dst, batch * count));
    }

    /**
     * out = main + batchNorm(conv1x1(shortcut)): a projection shortcut with prefix {@code <p>.0} (the
     * convolution) and {@code <p>.1} (the norm, with PyTorch's default eps of 1e-5, as torchvision's
     * downsample has it). On the fast path the projection accumulates onto the result.
     */
    public void addProjected(String name, int main, int shortcut, int out, String prefix, int ci, int ih, int iw, int co, int oh, int ow,
            int stride) {
        ConvGeometry g = new ConvGeometry(ci, ih, iw, co, oh, ow, 1, 1, stride, stride, 0, 0, 1, 1, 1);
        String norm = prefix + ".1";
        if (main != out) {
            identity(name + "/copy", main, out, co * oh * ow);
        }
        if (fast()) {
            seal();
            LinearStep projection = new LinearStep(name, g, weightAtPacking(prefix + ".0.weight"), null, buffer(shortcut), buffer(out), batch,
                    true, workspace);
            float[][] affine = normAsAffine(tensor(norm + ".weight"), norm, co, 1e-5);
            projection.fold(affine[0], affine[1]);
            open = projection;
            return;
        }
        float[] w = tensor(prefix + ".0.weight");
        float[] temp = new float[batch * co * oh * ow];
        float[] src = buffer(shortcut);
        float[] dst = buffer(out);
        float[] gamma = tensor(norm + ".weight");
        float[] beta = tensor(norm + ".bias");
        float[] mean = tensor(norm + ".running_mean");
        float[] var = tensor(norm + ".running_var");
        add(name, "Add (projection)", io(dst, src, dst), workers -> {
            Reference.conv2d(src, w, null, temp, batch, ci, ih, iw, co, oh, ow, 1, 1, stride, stride, 0, 0, 1, 1, 1);
            Reference.batchNorm(temp, temp, batch, co, oh * ow, gamma, beta, mean, var, 1e-5);
            Reference.add(dst, temp, dst, temp.length);
        });
    }

    /** Batch norm in inference as y = x * scale + shift per channel: {scale, shift}. */
    private float[][] normAsAffine(float[] gamma, String prefix, int channels, double eps) {
        float[] beta = tensor(prefix + ".bias");
        float[] mean = tensor(prefix + ".running_mean");
        float[] var = tensor(prefix + ".running_var");
        float[] scale = new float[channels];
        float[] shift = new float[channels];
        for (int c = 0; c < channels; c++) {
            double s = gamma[c] / Math.sqrt(var[c] + eps);
            scale[c] = (float) s;
            shift[c] = (float) (beta[c] - mean[c] * s);
        }
        return new float[][] {scale, shift};
    }

    /** Channel concatenation: input i has {@code channels[i]} channels of {@code positions} each. */
    public void concat(String name, int[] ins, int[] channels, int out, int positions) {
        float[][] sources = new float[ins.length][];
        int total = 0;
        for (int i = 0; i < ins.length; i++) {
            sources[i] = buffer(ins[i]);
            total += channels[i];
        }
        float[] dst = buffer(out);
        int all = total;
        if (fast()) {
            add(new ConcatStep(name, sources, channels, dst, batch, positions));
            return;
        }
        add(name, "Concat", io(dst, sources), workers -> {
            int at = 0;
            for (int i = 0; i < sources.length; i++) {
                Reference.concatInto(sources[i], dst, batch, channels[i], positions, at, all);
                at += channels[i];
            }
        });
    }

    /** Zero padding or cropping at the sides: each plane moved by the offsets. */
    public void border(String name, int in, int out, dev.fovea.runtime.Shape is, dev.fovea.runtime.Shape os, int offsetY, int offsetX) {
        float[] src = buffer(in);
        float[] dst = buffer(out);
        add(name, offsetY < 0 || offsetX < 0 ? "Crop" : "ZeroPad", io(dst, src), ChannelMoves.shift(src, dst, batch * is.channels(),
                is.height(), is.width(), os.height(), os.width(), offsetY, offsetX));
    }

    /** Channels [start, start + outChannels) of the input, copied. */
    public void channelSplit(String name, int in, int out, int inChannels, int start, int outChannels, int positions) {
        float[] src = buffer(in);
        float[] dst = buffer(out);
        add(name, "ChannelSplit", io(dst, src), ChannelMoves.split(src, dst, batch, inChannels, start, outChannels, positions));
    }

    /** The channels of {@code groups} groups interleaved. */
    public void channelShuffle(String name, int in, int out, int channels, int groups, int positions) {
        float[] src = buffer(in);
        float[] dst = buffer(out);
        add(name, "ChannelShuffle", io(dst, src), ChannelMoves.shuffle(src, dst, batch, channels, groups, positions));
    }

    /** Squeeze-and-excitation: out = x * gates, one gate per sample and channel. */
    public void scale(String name, int gates, int x, int out, int channels, int positions) {
        float[] g = buffer(gates);
        float[] src = buffer(x);
        float[] dst = buffer(out);
        if (fast()) {
            add(name, "Scale", io(dst, g, src), ChannelOps.scaleChannels(src, g, dst, batch, channels, positions));
            return;
        }
        add(name, "Scale", io(dst, g, src), workers -> Reference.scaleChannels(src, g, dst, batch, channels, positions, true));
    }

    /** The finished session; {@code output} is the buffer holding the network's output. */
    public InferenceSession build(int output, Shape inputShape, Shape outputShape, int threads) {
        held.keySet().removeIf(name -> uses.get(name) == 1);
        seal();
        if (fast()) {
            ConvPoolStep.fuse(steps, batch);
            ExpandDepthwiseStep.fuse(steps, buffer(output), batch);
            StandIns.allocateStrays(steps);
        }
        ChannelLayouts.choose(steps, buffer(output));
        parameters.dropSpares();
        ConcatSlices.place(steps, buffer(output));
        if (fast()) {
            ExpandDepthwiseStep.project(steps, buffer(output));
            DepthwiseProjectionStep.fuse(steps, buffer(output));
            ProjectedSumStep.fuse(steps);
            ChainedPointwiseStep.fuse(steps);
        }
        return new InferenceSession(steps, input, buffer(output), batch, inputShape, outputShape, new Workers(threads));
    }
}
