package dev.fovea.processor.cost;

import dev.fovea.processor.graph.Hw;
import dev.fovea.processor.graph.Op;
import dev.fovea.processor.infer.Inferred;
import dev.fovea.processor.infer.Resolved;
import dev.fovea.runtime.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A live-range plan of activation buffers for one sample in inference. Each layer's output lives from
 * the layer that writes it to the last layer that reads it; element-wise layers (activations, batch norm,
 * dropout, layer scale, addition) and flatten write over their input when nothing else reads it; a residual
 * addition writes over its shortcut instead where it reads the shortcut last ({@link #overShortcut}). The
 * network's input belongs to the caller and is not counted.
 *
 * <p>A value takes the buffer that was freed last, once every reader of that buffer's previous value
 * has run (a layer never writes the buffer it reads): that buffer was touched last, so it is still in
 * cache, and a pass works in a few warm buffers instead of one cold buffer per layer. A buffer grows to
 * the largest value it holds. Where that leaves much more than the values need (a buffer grown for a
 * late, large value beside the one an early, larger value freed: GoogLeNet, DenseNet, the Inception
 * networks), the buffers are packed by size instead, the largest values placed first. Two exceptions:
 * the network's output gets a buffer of its own, exactly its size, which the session hands to its
 * caller; and the joined tensor of a concatenation is reserved
 * from the first layer whose result only the concatenation reads, so that those layers can write their
 * channels straight into it. Training keeps every activation and will need one buffer per value
 * ({@code totalBytes}).
 *
 * @param buffer        for each node, the buffer its output lives in (-1 for the input)
 * @param bufferBytes   the size of each buffer
 * @param peakBytes     the most bytes of values live at once
 * @param totalBytes    the bytes of every layer's output, each counted once (what training would keep)
 */
public record MemoryPlan(int[] buffer, long[] bufferBytes, long peakBytes, long totalBytes) {
    public static final int FLOAT_BYTES = Float.BYTES;
    /** Channels in the runtime's widest block (AVX-512's 16 floats). */
    private static final int WIDEST_BLOCK = 16;

    public static MemoryPlan of(Inferred inferred) {
        List<Resolved> layers = inferred.layers();
        int n = layers.size();
        int output = inferred.graph().output();
        int[] lastUse = new int[n];
        int[] readers = new int[n];
        long[] bytes = new long[n];
        for (int i = 0; i < n; i++) {
            lastUse[i] = i;
            bytes[i] = layers.get(i).output().elements() * FLOAT_BYTES;
            for (int in : layers.get(i).node().inputs()) {
                lastUse[in] = Math.max(lastUse[in], i);
                readers[in]++;
            }
        }
        lastUse[output] = n;

        boolean[] joined = new boolean[n];
        for (int i = 1; i < n; i++) {
            if (layers.get(i).op() instanceof Op.Concat) {
                layers.get(i).node().inputs().forEach(in -> joined[in] = true);
            }
        }
        // Values that share a buffer: an in-place layer joins its input's group, a residual addition its shortcut's.
        int[] group = new int[n];
        long total = 0;
        for (int i = 1; i < n; i++) {
            Resolved r = layers.get(i);
            total += bytes[i];
            int in = r.node().inputs().getFirst();
            boolean inPlace = inPlace(r.op()) && in != 0 && readers[in] == 1 && bytes[in] == bytes[i];
            int shortcut = overShortcut(layers, i, group, readers, lastUse, bytes, joined);
            group[i] = shortcut > 0 ? group[shortcut] : inPlace ? group[in] : i;
        }
        long[] groupBytes = new long[n];
        int[] start = new int[n];
        int[] end = new int[n];
        Arrays.fill(start, Integer.MAX_VALUE);
        for (int i = 1; i < n; i++) {
            int g = group[i];
            groupBytes[g] = Math.max(groupBytes[g], bytes[i]);
            start[g] = Math.min(start[g], reservedFrom(layers, i, readers, group));
            end[g] = Math.max(end[g], lastUse[i]);
        }
        long peak = peak(group, groupBytes, end, n);

        int[] taken = keptForFusedPairs(layers, group, readers, end);
        int[] warm = assign(group, groupBytes, start, taken, output, n);
        long[] roomyBytes = new long[n];
        for (int i = 1; i < n; i++) {
            roomyBytes[group[i]] = Math.max(roomyBytes[group[i]], blockedBytes(layers.get(i).output()));
        }
        roomyBytes[group[output]] = groupBytes[group[output]]; // handed to the caller: exactly its size
        int[] packed = packBySize(group, roomyBytes, start, taken, output, n);
        long[] warmSizes = sizes(warm, group, groupBytes, n);
        long[] packedSizes = sizes(packed, group, roomyBytes, n);
        boolean packs = Arrays.stream(packedSizes).sum() * 10 < Arrays.stream(warmSizes).sum() * 9;
        int[] groupBuffer = packs ? packed : warm;
        int[] buffer = new int[n];
        buffer[0] = -1;
        for (int i = 1; i < n; i++) {
            buffer[i] = groupBuffer[group[i]];
        }
        return new MemoryPlan(buffer, packs ? packedSizes : warmSizes, peak, total);
    }

    /**
     * The shortcut a residual addition writes over, or -1: an identity shortcut that this addition reads last,
     * added to a value that only it reads. The runtime adds the shortcut inside the layer that makes that
     * value, which then reads each of the shortcut's lines once and writes its sum there, where a separate
     * array made it fetch the output's lines too. Not where the sum is a concatenation's part (it is written
     * into the joined tensor); nor where that layer reads the shortcut as its input, or is depthwise (its
     * kernels store their sums before they add the residual); nor where it is an inverted residual block's
     * projection (a 1x1 layer reading a depthwise layer's output), which the runtime runs inside the
     * depthwise layer's step, a band at a time, while later bands still read the block's input.
     */
    private static int overShortcut(List<Resolved> layers, int i, int[] group, int[] readers, int[] lastUse, long[] bytes,
            boolean[] joined) {
        List<Integer> inputs = layers.get(i).node().inputs();
        if (!(layers.get(i).op() instanceof Op.Add a) || a.mode() != Op.AddMode.IDENTITY || inputs.size() != 2 || joined[i]) {
            return -1;
        }
        int main = inputs.get(0);
        int shortcut = inputs.get(1);
        boolean dies = main != 0 && shortcut != 0 && main != shortcut && readers[main] == 1 && lastUse[shortcut] == i
                && bytes[shortcut] == bytes[i];
        // the layer that makes the value writes the sum: it must not read the shortcut as its input too
        int maker = group[main];
        boolean depthwise = layers.get(maker).op() instanceof Op.Conv c && c.isDepthwise();
        return dies && !depthwise && !layers.get(maker).node().inputs().contains(shortcut) && !projectsDepthwise(layers, group, maker)
                ? shortcut : -1;
    }

    /** Whether layer p (a group's first layer) is a 1x1 convolution of a depthwise convolution's output. */
    private static boolean projectsDepthwise(List<Resolved> layers, int[] group, int p) {
        int in = layers.get(p).node().inputs().getFirst();
        return layers.get(p).op() instanceof Op.Conv c && isPointwise(c) && in != 0
                && layers.get(group[in]).op() instanceof Op.Conv d && d.isDepthwise();
    }

    /**
     * Until when each group's buffer stays taken: its last reader, or for the input of a 1x1 layer
     * whose output only a depthwise layer reads, that depthwise layer. The runtime may run such a pair
     * as one step (MobileNets' pointwise and depthwise layers: the expanded tensor never goes to
     * memory), which reads the 1x1 layer's input while it writes the depthwise layer's output, so the
     * two must not share a buffer. It does so only for whole channel blocks (not Xception's 728
     * channels), so only those pairs keep a buffer apart. The values' own lives, and so the peak, are
     * unchanged.
     */
    private static int[] keptForFusedPairs(List<Resolved> layers, int[] group, int[] readers, int[] end) {
        int[] taken = end.clone();
        for (int d = 1; d < layers.size(); d++) {
            int x = layers.get(d).node().inputs().getFirst();
            if (x == 0 || readers[x] != 1 || !(layers.get(d).op() instanceof Op.Conv dw && dw.isDepthwise())) {
                continue;
            }
            Resolved expand = layers.get(group[x]);
            int in = expand.node().inputs().getFirst();
            if (in != 0 && expand.op() instanceof Op.Conv c && isPointwise(c) && expand.output().channels() % WIDEST_BLOCK == 0) {
                taken[group[in]] = Math.max(taken[group[in]], d);
            }
        }
        return taken;
    }

    private static boolean isPointwise(Op.Conv c) {
        return !c.isDepthwise() && c.groups() == 1 && c.kernel().equals(new Hw(1, 1)) && c.stride().equals(new Hw(1, 1))
                && !c.isPartial();
    }

    /**
     * The bytes of a value as the runtime may store it: a map whose channels do not fill blocks of 16 may
     * travel in whole blocks, zeros after its last channel, where that adds at most a third (MobileNet
     * v2's 24 channels in 32: the runtime's {@code ChannelBlocks.padsWell}, here at the widest block, since
     * the vector width is the running machine's). The warm plan's buffers usually have that room by
     * chance; packed ones are sized to the value, so they reserve it.
     */
    private static long blockedBytes(Shape shape) {
        long bytes = shape.elements() * FLOAT_BYTES;
        if (!shape.isSpatial()) {
            return bytes;
        }
        int channels = shape.channels();
        int padded = (channels + WIDEST_BLOCK - 1) / WIDEST_BLOCK * WIDEST_BLOCK;
        return 3L * padded <= 4L * channels ? bytes / channels * padded : bytes;
    }

    /** Each buffer's size: the largest group it holds. */
    private static long[] sizes(int[] groupBuffer, int[] group, long[] groupBytes, int n) {
        List<Long> sizes = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            int b = groupBuffer[group[i]];
            while (sizes.size() <= b) {
                sizes.add(0L);
            }
            sizes.set(b, Math.max(sizes.get(b), groupBytes[group[i]]));
        }
        return sizes.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Gives each group a buffer, the largest groups first: the first buffer none of whose groups is live
     * while this one is, else a new one, so that each buffer is as large as the first group it took; the
     * output's group always gets its own. The plan {@link #of} takes this when it needs more than a
     * tenth less memory than {@link #assign}'s warm buffers, room for padded channel blocks included:
     * where a buffer that grew for one late, large value would otherwise sit beside the one an early,
     * larger value left (GoogLeNet's stem and third layer).
     */
    private static int[] packBySize(int[] group, long[] groupBytes, int[] start, int[] end, int output, int n) {
        List<Integer> groups = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            if (group[i] == i) {
                groups.add(i);
            }
        }
        groups.sort(Comparator.comparingLong((Integer g) -> -groupBytes[g]).thenComparingInt(g -> start[g]));
        int[] groupBuffer = new int[n];
        List<List<Integer>> tenants = new ArrayList<>();
        for (int g : groups) {
            int chosen = -1;
            for (int b = 0; b < tenants.size() && chosen < 0 && g != group[output]; b++) {
                boolean free = !tenants.get(b).contains(group[output]);
                for (int t : tenants.get(b)) {
                    free &= end[t] < start[g] || end[g] < start[t];
                }
                chosen = free ? b : -1;
            }
            if (chosen < 0) {
                chosen = tenants.size();
                tenants.add(new ArrayList<>());
            }
            tenants.get(chosen).add(g);
            groupBuffer[g] = chosen;
        }
        return groupBuffer;
    }

    /**
     * Where node i's buffer must be free from: i itself, or for a concatenation the first layer of its
     * inputs that nothing else reads (they write into it in place, from the convolution that starts
     * their group: its batch norm and activation fold into it).
     */
    private static int reservedFrom(List<Resolved> layers, int i, int[] readers, int[] group) {
        int from = i;
        if (layers.get(i).op() instanceof Op.Concat) {
            for (int in : layers.get(i).node().inputs()) {
                if (in != 0 && readers[in] == 1) {
                    from = Math.min(from, group[in]);
                }
            }
        }
        return from;
    }

    /**
     * Gives each group a buffer, in the order the groups start: the buffer freed most recently among
     * those whose last reader ran before the group starts, preferring one large enough; a new one when
     * none is free, and always for the output's group.
     */
    private static int[] assign(int[] group, long[] groupBytes, int[] start, int[] end, int output, int n) {
        List<Integer> groups = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            if (group[i] == i) {
                groups.add(i);
            }
        }
        groups.sort(Comparator.comparingInt((Integer g) -> start[g]).thenComparingInt(g -> g));
        int[] groupBuffer = new int[n];
        List<Integer> holder = new ArrayList<>(); // the group each buffer holds last
        List<Long> capacity = new ArrayList<>();
        for (int g : groups) {
            int chosen = -1;
            if (g != group[output]) {
                chosen = lastFreed(holder, capacity, end, start[g], groupBytes[g]);
                if (chosen < 0) {
                    chosen = lastFreed(holder, capacity, end, start[g], 0);
                }
            }
            if (chosen < 0) {
                chosen = holder.size();
                holder.add(g);
                capacity.add(groupBytes[g]);
            } else {
                holder.set(chosen, g);
                capacity.set(chosen, Math.max(capacity.get(chosen), groupBytes[g]));
            }
            groupBuffer[g] = chosen;
        }
        return groupBuffer;
    }

    /** The free buffer (its group's last reader before {@code from}) of at least {@code bytes} whose last read is latest, or -1. */
    private static int lastFreed(List<Integer> holder, List<Long> capacity, int[] end, int from, long bytes) {
        int best = -1;
        for (int b = 0; b < holder.size(); b++) {
            int e = end[holder.get(b)];
            if (e < from && capacity.get(b) >= bytes && (best < 0 || e > end[holder.get(best)])) {
                best = b;
            }
        }
        return best;
    }

    /**
     * The most bytes of values live at once: a group of values sharing a buffer in place is live from its
     * first layer through its last reader.
     */
    private static long peak(int[] group, long[] groupBytes, int[] end, int n) {
        long peak = 0;
        for (int step = 1; step < n; step++) {
            long live = 0;
            for (int g = 1; g <= step; g++) {
                if (group[g] == g && end[g] >= step) {
                    live += groupBytes[g];
                }
            }
            peak = Math.max(peak, live);
        }
        return peak;
    }

    private static boolean inPlace(Op op) {
        return switch (op) {
            case Op.Activation a -> true;
            case Op.BatchNorm b -> true;
            case Op.Dropout d -> true;
            case Op.LayerScale s -> true;
            case Op.Multiply m -> true;
            case Op.Add a -> true;
            case Op.Flatten f -> true;
            case Op.Border b -> b.isEmpty();
            default -> false;
        };
    }
}
