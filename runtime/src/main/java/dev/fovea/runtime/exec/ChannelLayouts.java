package dev.fovea.runtime.exec;

import dev.fovea.runtime.kernels.ChannelBlocks;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses, once the plan's steps are known, which tensors travel in the channel-blocked layout
 * ({@code ChannelBlocks}) instead of NCHW, and prepares every convolution and dense layer for the
 * layouts of its input and output. A tensor is blocked when the convolution that writes it can write
 * blocks and every step that reads it is a convolution that can read them (the output-channel kernel,
 * and depthwise convolution on whole blocks): in a chain such as ResNet's bottlenecks or MobileNet's
 * expand, depthwise and project, no result is scattered into NCHW and no input copied into phase
 * planes. A residual, and the sum a projection accumulates onto, must have the layout of the output it
 * joins, and a depthwise convolution reads and writes the same layout. A concatenation's inputs and
 * output share one layout too, blocked when all of them can be ({@link ConcatStep}); everything else
 * (average pooling, element-wise steps, the network's output) reads NCHW.
 */
final class ChannelLayouts {
    /** One value written into a buffer, from its writer to the readers before the buffer is overwritten. */
    private static final class Tensor {
        final Step writer;
        final List<Step> readers = new ArrayList<>();
        boolean blocked;

        Tensor(Step writer) {
            this.writer = writer;
        }
    }

    /** The tensors a step meets: its input, residual, the sum it accumulates onto, and its output. */
    private record Roles(Tensor in, Tensor residual, Tensor prior, Tensor out) {
    }

    private ChannelLayouts() {
    }

    static void choose(List<Step> steps, float[] output) {
        Map<float[], Tensor> current = new IdentityHashMap<>();
        List<Tensor> tensors = new ArrayList<>();
        Map<BlockableStep, Roles> roles = new IdentityHashMap<>();
        Map<ConcatStep, List<Tensor>> joins = new IdentityHashMap<>();
        for (Step step : steps) {
            for (float[] buffer : step.reads()) {
                Tensor t = current.get(buffer);
                if (t != null) {
                    t.readers.add(step);
                }
            }
            Tensor written = new Tensor(step);
            if (step instanceof BlockableStep b) {
                roles.put(b, new Roles(current.get(b.in()), b.residual() == null ? null : current.get(b.residual()),
                        b.accumulates() ? current.get(b.writes()) : null, written));
            }
            if (step instanceof ConcatStep c) {
                List<Tensor> shared = new ArrayList<>();
                for (float[] source : c.reads()) {
                    shared.add(current.get(source));
                }
                shared.add(written);
                joins.put(c, shared);
            }
            current.put(step.writes(), written);
            tensors.add(written);
        }
        Tensor result = current.get(output);
        for (Tensor t : tensors) {
            boolean writesBlocked = t.writer instanceof BlockableStep w && w.writesBlocked()
                    || t.writer instanceof ConcatStep c && c.joinsBlocks();
            t.blocked = t != result && writesBlocked && readBlocked(t, roles);
        }
        settleJoins(roles, joins.values());
        Map<Step, Integer> positions = new IdentityHashMap<>();
        for (Step step : steps) {
            positions.put(step, positions.size());
        }
        frameWindows(tensors, roles, positions);
        for (Map.Entry<BlockableStep, Roles> e : roles.entrySet()) {
            Roles r = e.getValue();
            e.getKey().prepare(r.in() != null && r.in().blocked, r.out().blocked);
        }
    }

    /**
     * A blocked tensor whose only reader is a convolution with a padded window is written straight into
     * the zero border that window needs, in an array outside the plan's buffers (its border zero: see
     * {@link FramedArrays}), and read in place: no padded copy per call. The reader may be a convolution
     * that its max pool runs with ({@link ConvPoolStep}). The writer is a convolution
     * or a max pool (VGG's pools before each stage's first 3x3 layer, which can then run as Winograd's).
     * A second reader that adds the tensor as its residual (ResNet's basic blocks: the block's input)
     * reads it in the frame too. Tensors whose lives do not overlap share an array ({@link FramedArrays}):
     * ResNet-50's bottlenecks, one after another.
     */
    private static void frameWindows(List<Tensor> tensors, Map<BlockableStep, Roles> roles, Map<Step, Integer> positions) {
        FramedArrays arrays = new FramedArrays();
        for (Tensor t : tensors) {
            LinearStep reader = t.readers.isEmpty() ? null : windowOf(t.readers.get(0));
            if (!t.blocked || reader == null || t.readers.size() > 2) {
                continue;
            }
            LinearStep[] sum = projectedSum(t, roles);
            if (sum == null && !(t.writer instanceof BlockableStep w && w.canWriteFramed())) {
                continue;
            }
            Roles r = roles.get((BlockableStep) t.readers.get(0));
            ChannelBlocks.Frame frame = reader.wantedFrame(r.out().blocked);
            if (r.in() != t || r.residual() == t || r.prior() == t || frame == null) {
                continue;
            }
            LinearStep adder = t.readers.size() == 2 ? residualReader(t, t.readers.get(1), roles) : null;
            if (t.readers.size() == 1 || adder != null) {
                BlockableStep first = sum != null ? sum[0] : (BlockableStep) t.writer;
                int lastRead = Math.max(positions.get(t.readers.get(0)), adder == null ? -1 : positions.get(adder));
                arrays.lend(frame, first.framedFloats(frame), positions.get(first), lastRead, first, adder, (framed, clearsBorder) -> {
                    first.frameOutput(frame, framed, clearsBorder);
                    if (sum != null) {
                        sum[1].accumulateFramed(framed, frame);
                    }
                    reader.frameInput(framed, frame);
                    if (adder != null) {
                        adder.frameResidual(framed, frame);
                    }
                });
            }
        }
        arrays.allocate();
    }

    /** The convolution whose window reads a step's input: the step itself, or a stem's that pools as it goes ({@link ConvPoolStep}); else null. */
    private static LinearStep windowOf(Step step) {
        return step instanceof LinearStep l ? l : step instanceof ConvPoolStep c ? c.conv() : null;
    }

    /**
     * Arrays for framed tensors, each lent to tensors one after another: a tensor takes the array of a loan
     * whose last tensor's last reader has run before its writer runs (one of the same frame and size
     * first, else the nearest in size), or a new one. An array is as large as the largest tensor it
     * holds, and allocated once all are placed. Where all of a loan's tensors share one frame and size,
     * the border stays zero, as each writes only its inside, all of it; where they differ, a writer
     * whose tensor is laid out unlike the one before it in the array zeroes its frame's border first.
     * ResNet-50's framed tensors, one per bottleneck, all live apart and share one array.
     */
    private static final class FramedArrays {
        /** What a tensor's steps do with the array it is lent, and whether the writer must zero the border. */
        interface Holder {
            void take(float[] array, boolean clearsBorder);
        }

        /** A tensor's frame and floats: tensors alike in both leave each other's border alone. */
        private record Layout(ChannelBlocks.Frame frame, int floats) {}

        private static final class Loan {
            int floats;
            int lastRead;
            final List<Layout> layouts = new ArrayList<>();
            final List<Holder> holders = new ArrayList<>();
            /** The step that adds its last tensor as its residual, and reads it last; null when none does. */
            Step lastAdder;

            /** Whether every tensor it held so far is laid out as {@code layout}. */
            boolean holdsOnly(Layout layout) {
                return layouts.stream().allMatch(layout::equals);
            }

            /**
             * Whether {@code writer} may write a tensor laid out as {@code layout} over its last one: it adds that
             * tensor as its residual, the last to read it, and reads each position only as it writes it.
             */
            boolean addedOverBy(Step writer, Layout layout) {
                return lastAdder == writer && layouts.getLast().equals(layout);
            }
        }

        private final List<Loan> loans = new ArrayList<>();

        /**
         * Lends a tensor of {@code floats} in frame f, written first by {@code writer}, step {@code from}, read last by
         * step {@code until}, and added as a residual by {@code adder} (null: by none). A writer that adds the last
         * tensor of a loan, laid out alike, writes over it (a basic block's sum over its input); otherwise the
         * tensor takes a loan whose last tensor's last reader has run.
         */
        void lend(ChannelBlocks.Frame f, int floats, int from, int until, Step writer, Step adder, Holder holder) {
            Layout layout = new Layout(f, floats);
            Loan chosen = null;
            for (Loan l : loans) {
                if (l.addedOverBy(writer, layout)) {
                    chosen = l;
                    break;
                }
                if (l.lastRead < from && (chosen == null || better(l, chosen, layout))) {
                    chosen = l;
                }
            }
            if (chosen == null) {
                chosen = new Loan();
                loans.add(chosen);
            }
            chosen.floats = Math.max(chosen.floats, floats);
            chosen.lastRead = until;
            chosen.lastAdder = adder;
            chosen.layouts.add(layout);
            chosen.holders.add(holder);
        }

        /** A loan that held only this layout before any other (no border to zero), then the nearest in size. */
        private static boolean better(Loan l, Loan than, Layout layout) {
            if (l.holdsOnly(layout) != than.holdsOnly(layout)) {
                return l.holdsOnly(layout);
            }
            return Math.abs(l.floats - layout.floats()) < Math.abs(than.floats - layout.floats());
        }

        /** Allocates each loan's array and hands it to its tensors. */
        void allocate() {
            for (Loan l : loans) {
                float[] array = new float[l.floats];
                // a tensor laid out as the one before it (the last, a pass earlier, for the first) finds its border zero
                int count = l.layouts.size();
                for (int i = 0; i < count; i++) {
                    l.holders.get(i).take(array, !l.layouts.get(i).equals(l.layouts.get((i + count - 1) % count)));
                }
            }
        }
    }

    /**
     * When t is a sum that a projection (a convolution adding onto its output: a downsampling block's
     * shortcut) made on another convolution's output, which nothing else reads: those two, which then both
     * write inside the frame; otherwise null.
     */
    private static LinearStep[] projectedSum(Tensor t, Map<BlockableStep, Roles> roles) {
        if (!(t.writer instanceof LinearStep projection) || !projection.canAccumulateFramed()) {
            return null;
        }
        Tensor prior = roles.get(projection).prior();
        if (prior == null || prior.readers.size() != 1 || !(prior.writer instanceof LinearStep first) || !first.canWriteFramed()) {
            return null;
        }
        return new LinearStep[] {first, projection};
    }

    /**
     * The second reader of t when it reads t only as its residual and can read it framed (a residual block's
     * input, which its first convolution reads as input and its last adds to its result); otherwise null.
     */
    private static LinearStep residualReader(Tensor t, Step second, Map<BlockableStep, Roles> roles) {
        if (!(second instanceof LinearStep adder) || !adder.canReadFramedResidual()) {
            return null;
        }
        Roles r = roles.get(adder);
        return r.residual() == t && r.in() != t && r.prior() != t && r.out().blocked ? adder : null;
    }

    /** Whether every reader of t takes it blocked, in the role it reads it in. */
    private static boolean readBlocked(Tensor t, Map<BlockableStep, Roles> roles) {
        for (Step reader : t.readers) {
            if (reader instanceof ConcatStep c && c.joinsBlocks()) {
                continue;
            }
            if (!(reader instanceof BlockableStep b)) {
                return false;
            }
            Roles r = roles.get(b);
            boolean asInput = r.in() == t;
            boolean joined = r.residual() == t || r.prior() == t;
            if (asInput && !b.readsBlocked() || joined && !b.writesBlocked()) {
                return false;
            }
        }
        return true;
    }

    /**
     * A residual or accumulated sum and the output it joins share one layout, and so do a depthwise
     * convolution's input and output, and a concatenation's inputs and output: NCHW unless all are blocked.
     */
    private static void settleJoins(Map<BlockableStep, Roles> roles, Iterable<List<Tensor>> concatenations) {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (List<Tensor> shared : concatenations) {
                boolean all = shared.stream().allMatch(t -> t != null && t.blocked);
                for (Tensor t : shared) {
                    if (!all && t != null && t.blocked) {
                        t.blocked = false;
                        changed = true;
                    }
                }
            }
            for (Map.Entry<BlockableStep, Roles> e : roles.entrySet()) {
                Roles r = e.getValue();
                Tensor kept = e.getKey().keepsLayout() ? r.in() : null;
                if (kept == null && e.getKey().keepsLayout() && r.out().blocked) {
                    r.out().blocked = false; // the network's input is NCHW
                    changed = true;
                }
                for (Tensor joined : new Tensor[] {r.residual(), r.prior(), kept}) {
                    if (joined != null && joined.blocked != r.out().blocked) {
                        joined.blocked = false;
                        r.out().blocked = false;
                        changed = true;
                    }
                }
            }
        }
    }
}
